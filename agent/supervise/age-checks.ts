/** The periodic max_age check: it runs only while a process has an age to reach, so an agent without max_age never wakes for it. */
import { monotonicMs } from '../clock.ts';

export interface Aging {
  /** Whether a process of this watcher has a max_age to reach. */
  readonly aging: boolean;
  /** Replaces the processes older than max_age at monotonic time `now`. */
  checkAge(now: number): void;
}

export class AgeChecks {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly watchers: () => Iterable<Aging>, private readonly intervalMs: () => number) {}

  /** Whether the timer runs. */
  get running(): boolean {
    return this.timer !== null;
  }

  /** Starts the timer when some watcher is aging and none runs yet. */
  start(): void {
    if (this.timer || !this.aging()) return;
    this.timer = setInterval(() => {
      const now = monotonicMs(); // a wall-clock jump must not age every process at once
      for (const w of this.watchers()) w.checkAge(now);
      if (!this.aging()) this.stop();
    }, this.intervalMs());
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** After a reload: the interval or the aging watchers may have changed. */
  restart(): void {
    this.stop();
    this.start();
  }

  private aging(): boolean {
    for (const w of this.watchers()) if (w.aging) return true;
    return false;
  }
}
