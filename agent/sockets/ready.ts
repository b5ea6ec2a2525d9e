/** On-demand start helpers: notice a pending connection on a listening socket with poll(2), never accepting it. */

import { sysPollFd } from '../supervise/native.ts';

const POLLIN = 0x1;
const POLLERR = 0x8;
const POLLHUP = 0x10;
const POLLNVAL = 0x20;

/**
 * One poll(fd, POLLIN, timeout 0): true if a connection (or, for dgram, a datagram) is pending, else false.
 * Throws if the fd is closed (POLLNVAL) or is not a working listener (POLLERR/POLLHUP). A bound-but-not-listening TCP
 * socket reports POLLHUP forever. Circus's select() took that for "readable" and restarted watchers every cycle
 * (circus-reference §7.3). Here it is an error, never a start signal.
 */
export function isReadable(fd: number): boolean {
  const rev = sysPollFd(fd, POLLIN, 0);
  if (rev < 0) throw new Error(`poll(fd ${fd}) failed: errno ${-rev}`);
  if (rev & POLLNVAL) throw new Error(`poll(fd ${fd}): not an open descriptor`);
  if (rev & (POLLERR | POLLHUP)) throw new Error(`poll(fd ${fd}): socket in error/hang-up state (not listening?)`);
  return (rev & POLLIN) !== 0;
}

export interface WaitReadableOptions {
  /** Poll period; default 50 ms. */
  intervalMs?: number;
  /** Abort: the promise rejects with signal.reason. */
  signal?: AbortSignal;
}

/**
 * Resolves once fd has a pending connection (poll with timeout 0, repeated every intervalMs). The connection stays in
 * the kernel queue for the worker to accept. Rejects on abort or if the fd stops being a working listener. The timer
 * keeps the event loop alive while waiting.
 */
export function waitReadable(fd: number, opts: WaitReadableOptions = {}): Promise<void> {
  const intervalMs = opts.intervalMs ?? 50;
  const { signal } = opts;
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (err?: unknown): void => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onAbort = (): void => finish(signal?.reason ?? new Error('aborted'));
    const tick = (): void => {
      timer = undefined;
      let ready: boolean;
      try {
        ready = isReadable(fd);
      } catch (err) {
        finish(err);
        return;
      }
      if (ready) finish();
      else timer = setTimeout(tick, intervalMs);
    };
    if (signal?.aborted) {
      reject(signal.reason ?? new Error('aborted'));
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    tick();
  });
}
