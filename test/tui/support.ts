// Helpers of the TUI tests: the fleet recorded from real agents, the app rendered by ink-testing-library, and a real
// terminal (tmux on a private socket) that receives keys one at a time.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import React from 'react';
import { render } from 'ink-testing-library';
import type { FleetDelta, FleetEvent, FleetSnapshot, Heartbeat } from '../../protocol/fleet/messages.ts';
import type { FleetStats } from '../../protocol/fleet/payloads.ts';
import type { Actions } from '../../tui/actions.ts';
import { FleetStore } from '../../tui/data/store.ts';
import type { Source } from '../../tui/data/source.ts';
import { App } from '../../tui/views/app.tsx';
import { fixture } from '../support/fixtures.ts';
import { waitFor } from '../support/wait.ts';

export const FIXTURES = fixture('').replace(/\/$/, '');
export const TUI_FLEET_FIXTURE = fixture('tui-fleet.json');

/** What test/tui/record-fixture.ts recorded from a real fleet. */
export interface RecordedFleet {
  snapshot: FleetSnapshot;
  heartbeats: Heartbeat[];
  stats: FleetStats[];
  /** `restart web` on web-1: the events web-1 published, and the controller's delta once it was done. */
  restart: { events: FleetEvent[]; delta: FleetDelta };
}

export const loadRecorded = (): RecordedFleet => JSON.parse(readFileSync(TUI_FLEET_FIXTURE, 'utf8')) as RecordedFleet;

/** A store fed with the recorded snapshot, heartbeats and stats, published. */
export function recordedStore(rec: RecordedFleet = loadRecorded()): FleetStore {
  const store = new FleetStore('fleet', 'fleet nats://recorded');
  store.snapshot(rec.snapshot.agents);
  for (const hb of rec.heartbeats) store.heartbeat(hb);
  for (const s of rec.stats) store.stats(s);
  store.connection('connected', `recorded from controller ${rec.snapshot.controller}`);
  store.flush();
  return store;
}

/** Key sequences as a terminal sends them. */
export const KEYS = { enter: '\r', escape: '\x1b', tab: '\t', up: '\x1b[A', down: '\x1b[B', backspace: '\x7f' } as const;

export interface RenderedApp {
  frame(): string;
  /** Writes each key as its own chunk, or a whole string as one chunk (as a fast typist or a paste). */
  press(...keys: string[]): void;
  until(re: RegExp, what: string, timeoutMs?: number): Promise<string>;
  unmount(): void;
}

export function renderApp(props: { store: FleetStore; source: Pick<Source, 'follow'>; actions: Actions; size: { columns: number; rows: number } }): RenderedApp {
  const r = render(React.createElement(App, props));
  const frame = () => r.lastFrame() ?? '';
  return {
    frame,
    press: (...keys) => keys.forEach((k) => r.stdin.write(k)),
    until: (re, what, timeoutMs = 30_000) => waitFor(() => re.test(frame()) && frame(), { what: `the frame to show ${what}`, timeoutMs, intervalMs: 20 })
      .catch((err: Error) => { throw new Error(`${err.message}\n--- last frame ---\n${frame()}`); }),
    unmount: () => r.unmount(),
  };
}

const run = promisify(execFile);

/** One tmux server on a private socket with one session of the given size; its pane is kept after the program exits. */
export class Terminal {
  constructor(readonly socket: string, readonly columns = 100, readonly rows = 30) {}

  async tmux(...args: string[]): Promise<string> {
    return (await run('tmux', ['-L', this.socket, ...args])).stdout;
  }

  /** Runs `command` (sh syntax) after printing a marker line, then prints how it exited. */
  start(command: string): Promise<string> {
    const wrapped = `echo before-the-tui; ${command}; echo "[exited $?]"`;
    return this.tmux('new-session', '-d', '-s', 'tui', '-x', String(this.columns), '-y', String(this.rows), wrapped, ';', 'set-option', '-t', 'tui', 'remain-on-exit', 'on');
  }

  /** Named keys (Enter, Tab, Escape, Up…) and characters, each sent on its own. */
  async keys(...keys: string[]): Promise<void> {
    for (const k of keys) await this.tmux('send-keys', '-t', 'tui', ...(k.length === 1 ? ['-l', k] : [k]));
  }

  /** Text typed one character at a time. */
  type(text: string): Promise<void> {
    return this.keys(...[...text]);
  }

  screen(): Promise<string> {
    return this.tmux('capture-pane', '-p', '-t', 'tui');
  }

  /** The scrollback and the screen (tmux may scroll a line out when it marks the pane dead). */
  everything(): Promise<string> {
    return this.tmux('capture-pane', '-p', '-S', '-', '-t', 'tui');
  }

  async until(re: RegExp, what: string, timeoutMs = 60_000): Promise<string> {
    let last = '';
    return waitFor(async () => {
      last = await this.screen();
      return re.test(last) && last;
    }, { what: `the screen to show ${what}`, timeoutMs, intervalMs: 100 }).catch((err: Error) => {
      throw new Error(`${err.message}\n--- screen ---\n${last}`);
    });
  }

  async exitStatus(): Promise<{ code: number; screen: string }> {
    const screen = await this.until(/^\[exited \d+\]$/m, 'the program exiting');
    return { code: Number(/^\[exited (\d+)\]$/m.exec(screen)![1]), screen };
  }

  async stop(): Promise<void> {
    await this.tmux('kill-server').catch(() => undefined);
  }
}
