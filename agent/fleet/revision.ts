/** The inventory revision: +1 on every process or watcher event, counted from start whether or not NATS is there. */
import type { Arbiter } from '../supervise/arbiter.ts';

export class Revision {
  private n = 0;

  /** Counts before any other listener runs, so everyone reading it during an event sees that event's revision. */
  constructor(arbiter: Arbiter) {
    arbiter.prependListener('event', () => {
      this.n++;
    });
  }

  get value(): number {
    return this.n;
  }
}
