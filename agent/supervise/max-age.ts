/** max_age: when each process reaches its age (+ random variance), and which one to replace next (one at a time). */
import { monotonicMs } from '../clock.ts';
import type { WatcherConfig } from '../config/types.ts';
import type { ProcessSlot } from './process.ts';

export class MaxAge {
  private readonly deadlines = new Map<ProcessSlot, number>();
  private busy = false;

  /** A process started in `slot`: it expires after max_age plus up to max_age_variance. */
  started(slot: ProcessSlot, cfg: WatcherConfig): void {
    if (cfg.max_age <= 0) return;
    this.deadlines.set(slot, monotonicMs() + cfg.max_age + Math.random() * cfg.max_age_variance);
  }

  ended(slot: ProcessSlot): void {
    this.deadlines.delete(slot);
  }

  /** Whether any running process has an age to reach (only then does the arbiter's periodic check run). */
  get pending(): boolean {
    return this.deadlines.size > 0;
  }

  /** The next running process past its age (`now` from monotonicMs), unless a replacement is already under way. */
  due(now: number): ProcessSlot | undefined {
    if (this.busy) return undefined;
    return [...this.deadlines].find(([slot, at]) => at <= now && slot.state === 'running')?.[0];
  }

  /** Runs one replacement; no other is picked until it is done. */
  async replace(run: () => Promise<void>): Promise<void> {
    this.busy = true;
    try {
      await run();
    } finally {
      this.busy = false;
    }
  }
}
