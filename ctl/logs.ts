/**
 * `ringctl logs [-f] WATCHER`: recent output of a watcher, prefixed with host and pid; with -f,
 * new lines as they come (fleet: through follow leases renewed while it runs; one agent: by
 * polling `tail`), until Ctrl-C, which ends it cleanly with exit 0.
 */
import type { OutputLineView } from '../protocol/agent-api.ts';
import { selectors } from './context.ts';
import { CtlError } from './errors.ts';
import { followHosts } from './follow.ts';
import type { GlobalFlags } from './run.ts';
import type { FleetTarget } from './transport/fleet.ts';
import type { LocalTarget } from './transport/local.ts';
import { interrupted, onTarget } from './transport/index.ts';

export interface LogsFlags extends GlobalFlags {
  follow?: boolean;
  lines: number;
}

const POLL_MS = 500;

const line = (host: string | null, l: OutputLineView) => `${host ? `${host} ` : ''}[${l.pid}] ${l.stream === 'stderr' ? '! ' : ''}${l.line}\n`;

function untilInterrupted(): { done: Promise<void>; stopped: () => boolean } {
  let stop = false;
  const done = interrupted().then(() => {
    stop = true;
  });
  return { done, stopped: () => stop };
}

async function localLogs(t: LocalTarget, watcher: string, f: LogsFlags): Promise<void> {
  const seen = new Set<string>();
  const fetch = async (lines: number) => {
    const r = await t.call('tail', { name: watcher, lines });
    if (r.status === 'error') throw new CtlError('error', String(r.reason));
    for (const l of r.lines as OutputLineView[]) {
      const key = `${l.time}/${l.pid}/${l.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      process.stdout.write(line(null, l));
    }
  };
  await fetch(f.lines);
  if (!f.follow) return;
  const run = untilInterrupted();
  while (!run.stopped()) {
    await Promise.race([run.done, new Promise((r) => setTimeout(r, POLL_MS))]);
    if (!run.stopped()) await fetch(1000);
  }
}

async function fleetLogs(target: FleetTarget, watcher: string, f: LogsFlags): Promise<void> {
  const reply = await target.call('tail', { target: selectors(f) ?? { all: true }, properties: { name: watcher, lines: f.lines }, timeout_ms: f.timeout * 1000 }, f.timeout * 1000 + 5000);
  if (reply.status === 'error' && reply.results.length === 0) throw new CtlError('error', reply.reason ?? 'refused');
  const hosts: string[] = [];
  for (const r of reply.results) {
    if (r.status !== 'ok') {
      process.stderr.write(`${r.host}: ${r.status}${r.reason ? `: ${r.reason}` : ''}\n`);
      continue;
    }
    hosts.push(r.host);
    for (const l of r.reply!.lines as OutputLineView[]) process.stdout.write(line(r.host, l));
  }
  if (!f.follow || hosts.length === 0) return;
  const following = followHosts(target.connection, watcher, hosts, f.timeout * 1000, {
    chunk: (h, chunk) => {
      if (chunk.dropped > 0) process.stderr.write(`${h}: ${chunk.dropped} line(s) dropped (output too fast)\n`);
      for (const l of chunk.lines) process.stdout.write(line(h, l));
    },
    leaseFailed: (h, err) => process.stderr.write(`${h}: cannot follow: ${err.message}\n`),
  });
  await following.ready;
  await interrupted();
  following.stop();
}

/** Runs `logs`; resolves when done (or interrupted), rejects with a CtlError. */
export function logs(watcher: string, f: LogsFlags): Promise<void> {
  return onTarget(f, (l) => localLogs(l, watcher, f), (fleet) => fleetLogs(fleet, watcher, f));
}
