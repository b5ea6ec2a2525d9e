/**
 * `ringctl tui`: resolves the target as every ringctl command does, opens the matching source
 * (the fleet over NATS, or one agent over ZeroMQ), and runs the Ink application on the terminal's
 * alternate screen, which is given back as it was on exit (q, Ctrl-C, SIGTERM, SIGHUP).
 */
import React from 'react';
import { render } from 'ink';
import { selectAgents } from '../controller/fleet/target.ts';
import { describeTarget, NEEDS_FLEET, resolveTarget, selectors } from '../ctl/context.ts';
import { CtlError } from '../ctl/errors.ts';
import { makeActions, type TuiFlags } from './actions.ts';
import type { Source } from './data/source.ts';
import { FleetStore } from './data/store.ts';
import { App } from './views/app.tsx';

const ALT_SCREEN_ON = '\x1b[?1049h\x1b[H';
const ALT_SCREEN_OFF = '\x1b[?1049l';

/** The source and store for the target the flags name (the --host/--label selectors choose the hosts shown); not started. */
export async function openSource(flags: TuiFlags): Promise<{ source: Source; store: FleetStore }> {
  const target = await resolveTarget(flags);
  const sel = selectors(flags);
  const timeoutMs = flags.timeout * 1000;
  if (target.mode === 'local') {
    if (sel) throw new CtlError('usage', NEEDS_FLEET);
    const { LocalSource } = await import('./data/local.ts');
    return { source: new LocalSource(target.endpoint, { timeoutMs, curveServerKey: flags.curveServerKey }), store: new FleetStore('local', describeTarget(target)) };
  }
  const { FleetSource } = await import('./data/fleet.ts');
  const accept = sel ? (v: Parameters<typeof selectAgents>[0][number]) => selectAgents([v], sel).length > 0 : undefined;
  return { source: new FleetSource(target.nats, timeoutMs), store: new FleetStore('fleet', describeTarget(target), accept) };
}

/** Runs the UI until the operator quits; resolves with the exit code. */
export async function runTui(flags: TuiFlags): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) throw new CtlError('usage', 'ringctl tui needs a terminal: run it in one (stdin and stdout must not be redirected)');
  const { source, store } = await openSource(flags);
  source.start(store);
  const actions = makeActions(flags, store.getState);
  process.stdout.write(ALT_SCREEN_ON);
  const ink = render(<App store={store} source={source} actions={actions} />, { exitOnCtrlC: false, patchConsole: true });
  const quit = () => ink.unmount();
  process.once('SIGTERM', quit);
  process.once('SIGHUP', quit);
  try {
    await ink.waitUntilExit();
  } finally {
    process.off('SIGTERM', quit);
    process.off('SIGHUP', quit);
    process.stdout.write(ALT_SCREEN_OFF);
    store.close();
    await source.close();
  }
  return 0;
}
