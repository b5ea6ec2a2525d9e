/**
 * systemd-style readiness: a unix datagram socket per process, given as $NOTIFY_SOCKET; the
 * process is ready when it sends a datagram containing READY=1 (what sd_notify does).
 */
import { closeSync, unlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { unixSockaddr } from '../sockets/addr.ts';
import { sysBind, sysRecvNoWait, sysSocket } from './native.ts';

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const POLL_MS = 25;

export class NotifySocket {
  private closed = false;

  private constructor(readonly path: string, private readonly fd: number) {}

  static open(path: string): NotifySocket {
    const addr = unixSockaddr(path);
    if (!addr) throw new Error(`NOTIFY_SOCKET path too long: ${path}`);
    const fd = sysSocket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) throw new Error(`cannot create a notify socket: errno ${-fd}`);
    try { unlinkSync(path); } catch { /* none left */ }
    const rc = sysBind(fd, addr);
    if (rc < 0) {
      closeSync(fd);
      throw new Error(`cannot bind notify socket ${path}: errno ${-rc}`);
    }
    return new NotifySocket(path, fd);
  }

  /** Resolves when a READY=1 datagram arrives; rejects when `signal` aborts. */
  async ready(signal: AbortSignal): Promise<void> {
    const buf = Buffer.alloc(4096);
    while (!signal.aborted && !this.closed) {
      const n = sysRecvNoWait(this.fd, buf);
      if (n > 0 && buf.toString('utf8', 0, n).split('\n').includes('READY=1')) return;
      if (n <= 0) await sleep(POLL_MS);
    }
    throw new Error('no READY=1 on NOTIFY_SOCKET');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    try { unlinkSync(this.path); } catch { /* gone */ }
  }
}
