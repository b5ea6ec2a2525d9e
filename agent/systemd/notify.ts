/**
 * sd_notify for ringd run by systemd with Type=notify (deploy/systemd/ringd.service): READY=1 once
 * the watchers are started, STOPPING=1 when a stop begins. Node has no unix datagram sockets, so
 * the datagram goes out through a koffi-bound sendto(2). $NOTIFY_SOCKET is taken out of the
 * environment when this module loads, so no watcher (copy_env) inherits it, as sd_notify does.
 */
import { closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Logger } from '../log.ts';
import { unixSockaddr } from '../sockets/addr.ts';
import { sysSocket } from '../supervise/native.ts';

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const MSG_NOSIGNAL = 0x4000;

const socketPath = process.env.NOTIFY_SOCKET;
delete process.env.NOTIFY_SOCKET;

type SendTo = (fd: number, buf: Buffer, len: number, flags: number, addr: Buffer, addrLen: number) => number | bigint;
let sendto: { call: SendTo; errno: () => number } | null | undefined;

function bindSendTo(): typeof sendto {
  if (sendto !== undefined) return sendto;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    const call = koffi.load('libc.so.6').func('long sendto(int, const void *, unsigned long, int, const void *, uint32_t)') as SendTo;
    sendto = { call, errno: () => koffi.errno() };
  } catch {
    sendto = null;
  }
  return sendto;
}

/** The sockaddr_un of $NOTIFY_SOCKET: a path, or "@name" for the abstract namespace. */
function notifyAddress(path: string): Buffer | null {
  if (!path.startsWith('@')) return unixSockaddr(path);
  const family = unixSockaddr('')!.subarray(0, 2);
  return Buffer.concat([family, Buffer.from([0]), Buffer.from(path.slice(1))]); // a NUL, then the name (no terminator)
}

/** Sends one datagram; the error text, or undefined when sent. */
function send(path: string, text: string): string | undefined {
  const addr = notifyAddress(path);
  if (!addr) return 'the socket path is too long';
  const sys = bindSendTo();
  if (!sys) return 'native socket support (koffi) unavailable';
  const fd = sysSocket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC);
  if (fd < 0) return `socket: errno ${-fd}`;
  try {
    const msg = Buffer.from(text);
    const rc = Number(sys.call(fd, msg, msg.length, MSG_NOSIGNAL, addr, addr.length));
    return rc < 0 ? `sendto: errno ${sys.errno()}` : undefined;
  } finally {
    closeSync(fd);
  }
}

/** Tells systemd `lines` (e.g. "READY=1"); does nothing outside a Type=notify unit. Never throws. */
export function notifySystemd(log: Logger, ...lines: string[]): void {
  if (!socketPath) return;
  const problem = send(socketPath, lines.join('\n'));
  if (problem) log.warning(`cannot notify systemd (${lines[0]}) on ${socketPath}: ${problem}`);
}
