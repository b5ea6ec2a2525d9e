/**
 * on_demand watchers: stopped until one of THEIR sockets has a pending connection (never another
 * watcher's: Circus's bug), which the process started then serves. Re-armed whenever they stop.
 */
import { waitReadable } from '../sockets/ready.ts';
import type { Logger } from '../log.ts';
import type { Watcher } from './watcher.ts';

export class OnDemand {
  private readonly armed = new Map<string, AbortController>();

  constructor(private readonly log: Logger, private readonly start: (name: string) => Promise<unknown>) {}

  /** Waits on the watcher's sockets (binding them if needed); the first connection starts it. */
  arm(w: Watcher): void {
    if (!w.config.on_demand || this.armed.has(w.name)) return;
    try {
      w.sockets.acquire(w.config);
    } catch (err) {
      this.log.error(`${w.name}: cannot wait on demand: ${(err as Error).message}`);
      return;
    }
    const ctl = new AbortController();
    this.armed.set(w.name, ctl);
    const fds = w.sockets.fds();
    this.log.info(`${w.name}: waiting on demand for a connection on ${w.sockets.names().join(', ')}`);
    void Promise.any(fds.map((fd) => waitReadable(fd, { signal: ctl.signal }))).then(() => {
      if (this.armed.get(w.name) !== ctl) return;
      this.disarm(w.name);
      this.log.info(`${w.name}: connection pending: starting on demand`);
      return this.start(w.name);
    }, () => undefined).catch((err: Error) => this.log.error(`${w.name}: on-demand start failed: ${err.message}`));
  }

  disarm(name: string): void {
    this.armed.get(name)?.abort();
    this.armed.delete(name);
  }

  isArmed(name: string): boolean {
    return this.armed.has(name);
  }

  disarmAll(): void {
    for (const name of [...this.armed.keys()]) this.disarm(name);
  }
}
