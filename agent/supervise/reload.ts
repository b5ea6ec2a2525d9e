/**
 * A graceful reload: a new process per old one, each waited for until ready before it takes the
 * old one's place; then the old ones stop (`sequential`: each right after its replacement is
 * ready). A new process not ready in time is stopped, the old ones keep running, and the reload
 * fails with the reason.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ERROR_CODES, RingError } from '../../protocol/errors.ts';
import type { ProcessSlot } from './process.ts';

export interface ReloadTarget {
  name: string;
  warmup: number;
  create(wid: number): ProcessSlot;
  /** Makes a slot the watcher's process for its wid. */
  install(slot: ProcessSlot): void;
  installed(slot: ProcessSlot): boolean;
}

export async function replaceProcesses(w: ReloadTarget, old: ProcessSlot[], sequential: boolean): Promise<ProcessSlot[]> {
  const fresh: ProcessSlot[] = [];
  try {
    for (const s of old) {
      if (fresh.length > 0 && w.warmup > 0) await sleep(w.warmup);
      const next = w.create(s.wid);
      fresh.push(next);
      if (!(await next.start())) throw new Error(`wid ${s.wid}: ${next.lastExit ?? 'could not start'}`);
      const pid = next.pid;
      await next.whenReady().catch((err: Error) => { throw new Error(`new process ${pid} (wid ${s.wid}) ${err.message}`); });
      if (!sequential) continue;
      w.install(next);
      await s.stop();
    }
  } catch (err) {
    await Promise.all(fresh.filter((n) => !w.installed(n)).map((n) => n.stop()));
    const kept = old.filter((s) => w.installed(s)).length;
    throw new RingError(ERROR_CODES.NOT_READY, `reload of ${w.name} stopped: ${(err as Error).message}; ${kept} old process(es) keep running`);
  }
  if (!sequential) {
    for (const n of fresh) w.install(n);
    await Promise.all(old.map((s) => s.stop()));
  }
  return fresh;
}
