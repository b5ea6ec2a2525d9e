// Runs an Arbiter in the test process on a TOML config written to a temp dir, recording its events.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RingEvent } from '../../protocol/events.ts';
import { loadConfig } from '../../agent/config/index.ts';
import { silentLogger } from '../../agent/log.ts';
import { Arbiter } from '../../agent/supervise/arbiter.ts';
import { tmpDir } from './tmp.ts';
import { waitFor } from './wait.ts';

export interface TestArbiter {
  arbiter: Arbiter;
  dir: string;
  events: RingEvent[];
  /** Waits for the first event (recorded so far or later) that matches, after index `from`. */
  waitEvent(pred: (e: RingEvent) => boolean, what: string, opts?: { from?: number; timeoutMs?: number }): Promise<RingEvent>;
  pids(watcher: string): number[];
  close(): Promise<void>;
}

/** `toml` may use {dir} for the test's temp dir and {node} for this node binary. */
export async function startArbiter(toml: string, opts: { start?: boolean } = {}): Promise<TestArbiter> {
  const dir = tmpDir('ring-arbiter');
  const file = join(dir, 'ringd.toml');
  writeFileSync(file, toml.replaceAll('{dir}', dir).replaceAll('{node}', process.execPath));
  const cfg = await loadConfig(file);
  const arbiter = new Arbiter(cfg, silentLogger);
  const events: RingEvent[] = [];
  arbiter.on('event', (e) => events.push(e));
  if (opts.start ?? true) await arbiter.start();
  return {
    arbiter, dir, events,
    waitEvent: (pred, what, o = {}) =>
      waitFor(() => events.slice(o.from ?? 0).find(pred), { what, timeoutMs: o.timeoutMs ?? 20_000 }),
    pids: (watcher) => arbiter.get(watcher).status().processes.map((p) => p.pid).filter((p): p is number => p !== null),
    close: () => arbiter.stop({ graceful: false }),
  };
}

/** A TOML basic string holding `s`. */
export function q(s: string): string {
  return JSON.stringify(s);
}
