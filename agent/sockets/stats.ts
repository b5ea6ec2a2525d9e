/** Socket stats (accept-queue depth, connections) read from /proc/net without touching the fds, and the listsockets view. */

/*
 * Sources (each /proc/net file is read at most ONCE per allSocketStats call, and only if some socket needs it):
 *  - TCP: the LISTEN entry in /proc/net/tcp(6) whose inode is the socket's (readlink /proc/self/fd/N → socket:[INODE]).
 *    Its rx_queue is the accept-queue depth (`queued`). `connections` counts the ESTABLISHED entries whose local
 *    address:port is the listener's (any local address for a wildcard listener). This INCLUDES the connections still
 *    queued: they are established, just not accepted yet (their inode is 0).
 *  - unix stream: /proc/net/unix has no queue column. The server ends that connect() created and nobody accepted yet
 *    carry the listener's path and inode 0 (they have no struct socket yet); `queued` counts them. Linux shows them as
 *    CONNECTED, gVisor as CONNECTING, and inode 0 covers both. `connections` counts every non-listener entry with the
 *    path, queued or accepted.
 *  - dgram: no accept queue and no connections: both are 0, and no /proc file is read for them.
 */

import { readFileSync, readlinkSync } from 'node:fs';
import { formatHostPort } from './addr.ts';
import type { BoundSocket } from './types.ts';

export interface SocketStats {
  fd: number;
  name: string;
  /** "127.0.0.1:8080", "[::1]:8080", or the unix path. */
  address: string;
  queued: number;
  backlog: number;
  connections: number;
}

/** One Circus `listsockets` entry: Circus's keys first, then family/type only when not inet/stream. */
export interface ListSocketEntry {
  fd: number;
  name: string;
  backlog: number;
  host?: string;
  port?: number;
  path?: string;
  family?: 'inet6';
  type?: 'dgram';
}

const TCP_ESTABLISHED = '01';
const TCP_LISTEN = '0A';
const SO_ACCEPTCON = 0x10000;

/** "127.0.0.1:8080" / "[::1]:8080" / "/run/x.sock". */
export function socketAddress(s: BoundSocket): string {
  if (s.family === 'unix') return s.path ?? '';
  return formatHostPort(s.host ?? '?', s.port ?? 0);
}

/** The socket inode behind fd, from /proc/self/fd (undefined if the fd is closed or not a socket). */
export function socketInode(fd: number): string | undefined {
  try {
    return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
  } catch {
    return undefined;
  }
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'latin1').split('\n').slice(1);
  } catch {
    return [];
  }
}

interface TcpEntry {
  local: string; // "0100007F:1F90" as in /proc
  state: string;
  rxQueue: number;
  inode: string;
}

function parseTcp(lines: string[]): TcpEntry[] {
  const out: TcpEntry[] = [];
  for (const line of lines) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    out.push({ local: f[1] ?? '', state: f[3] ?? '', rxQueue: parseInt((f[4] ?? '').split(':')[1] ?? '0', 16), inode: f[9] ?? '' });
  }
  return out;
}

function tcpStats(s: BoundSocket, inode: string | undefined, entries: TcpEntry[]): { queued: number; connections: number } {
  const listener = inode ? entries.find((e) => e.state === TCP_LISTEN && e.inode === inode) : undefined;
  const portHex = (s.port ?? 0).toString(16).toUpperCase().padStart(4, '0');
  const local = listener?.local ?? `:${portHex}`;
  const [addrHex = '', port = portHex] = local.split(':');
  const wildcard = listener === undefined || /^0+$/.test(addrHex);
  let connections = 0;
  for (const e of entries) {
    if (e.state !== TCP_ESTABLISHED) continue;
    if (wildcard ? e.local.endsWith(`:${port}`) : e.local === local) connections++;
  }
  return { queued: listener?.rxQueue ?? 0, connections };
}

interface UnixEntry {
  flags: number;
  inode: string;
  path: string;
}

function parseUnix(lines: string[]): UnixEntry[] {
  const out: UnixEntry[] = [];
  for (const line of lines) {
    const m = /^\s*\S+\s+\S+\s+\S+\s+([0-9A-Fa-f]+)\s+\S+\s+\S+\s+(\d+)(?: (.*))?$/.exec(line);
    if (m?.[3]) out.push({ flags: parseInt(m[1] ?? '0', 16), inode: m[2] ?? '', path: m[3] });
  }
  return out;
}

function unixStats(s: BoundSocket, inode: string | undefined, entries: UnixEntry[]): { queued: number; connections: number } {
  let queued = 0;
  let connections = 0;
  for (const e of entries) {
    if (e.path !== s.path || e.inode === inode || (e.flags & SO_ACCEPTCON) !== 0) continue;
    connections++;
    if (e.inode === '0') queued++;
  }
  return { queued, connections };
}

/** Stats for every socket in list, reading each needed /proc/net file once: cheap enough for every second. */
export function allSocketStats(list: BoundSocket[]): SocketStats[] {
  const streams = list.filter((s) => s.type === 'stream');
  const tcp = streams.some((s) => s.family === 'inet') ? parseTcp(readLines('/proc/net/tcp')) : [];
  const tcp6 = streams.some((s) => s.family === 'inet6') ? parseTcp(readLines('/proc/net/tcp6')) : [];
  const unix = streams.some((s) => s.family === 'unix') ? parseUnix(readLines('/proc/net/unix')) : [];
  return list.map((s) => {
    let counts = { queued: 0, connections: 0 };
    if (s.type === 'stream') {
      const inode = socketInode(s.fd);
      if (s.family === 'unix') counts = unixStats(s, inode, unix);
      else counts = tcpStats(s, inode, s.family === 'inet6' ? tcp6 : tcp);
    }
    const { queued, connections } = counts;
    return { fd: s.fd, name: s.name, address: socketAddress(s), queued, backlog: s.backlog, connections };
  });
}

/** Stats for one socket (prefer allSocketStats for several). */
export function socketStats(s: BoundSocket): SocketStats {
  const [st] = allSocketStats([s]);
  if (!st) throw new Error('unreachable: one socket in, one stat out');
  return st;
}

/** Circus `listsockets` entries, sorted by fd. */
export function listSocketsView(list: BoundSocket[]): ListSocketEntry[] {
  return [...list]
    .sort((a, b) => a.fd - b.fd)
    .map((s) => {
      const entry: ListSocketEntry =
        s.family === 'unix'
          ? { fd: s.fd, name: s.name, backlog: s.backlog, path: s.path ?? '' }
          : { fd: s.fd, name: s.name, backlog: s.backlog, host: s.host ?? '', port: s.port ?? 0 };
      if (s.family === 'inet6') entry.family = 'inet6';
      if (s.type === 'dgram') entry.type = 'dgram';
      return entry;
    });
}
