/** sockaddr encoding/decoding and host resolution (getaddrinfo through koffi) for the socket layer. */

import { endianness } from 'node:os';
import { isIP } from 'node:net';
import { getAddrInfo, inetNtop } from '../supervise/native.ts';
import { SocketError } from './types.ts';

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
/** sun_path is 108 bytes including the terminating NUL. */
export const UNIX_PATH_MAX = 107;

const LE = endianness() === 'LE';

/** glibc EAI_* codes (and -ENOSYS from native.ts) → text. */
const EAI_TEXT: Record<number, string> = {
  [-2]: 'name or service not known',
  [-3]: 'temporary failure in name resolution',
  [-4]: 'non-recoverable failure in name resolution',
  [-5]: 'no address associated with hostname',
  [-6]: 'address family not supported',
  [-9]: 'address family not supported for hostname',
  [-38]: 'native socket support (koffi) unavailable',
};

function writeFamily(buf: Buffer, af: number): void {
  if (LE) buf.writeUInt16LE(af, 0);
  else buf.writeUInt16BE(af, 0);
}

/** sa_family of a raw sockaddr (host byte order). */
export function sockaddrFamily(buf: Buffer): number {
  return buf.length < 2 ? -1 : LE ? buf.readUInt16LE(0) : buf.readUInt16BE(0);
}

/** A sockaddr_un for path, or null when the path does not fit in sun_path. */
export function unixSockaddr(path: string): Buffer | null {
  const bytes = Buffer.from(path);
  if (bytes.length > UNIX_PATH_MAX || bytes.includes(0)) return null;
  const buf = Buffer.alloc(2 + bytes.length + 1);
  writeFamily(buf, AF_UNIX);
  bytes.copy(buf, 2);
  return buf;
}

/** Wildcard sockaddr (0.0.0.0 / ::) with port. */
function anyAddr(af: number, port: number): Buffer {
  const buf = Buffer.alloc(af === AF_INET ? 16 : 28);
  writeFamily(buf, af);
  buf.writeUInt16BE(port, 2);
  return buf;
}

/**
 * The sockaddr to bind for host:port in family: '' / '*' / '0.0.0.0' / '::' are the wildcard; anything else
 * (numeric, "[v6]", "fe80::1%eth0", or a name like "localhost") goes through getaddrinfo, first result wins.
 */
export function inetSockaddr(socket: string, family: 'inet' | 'inet6', host: string, port: number): Buffer {
  const af = family === 'inet' ? AF_INET : AF_INET6;
  let h = host.trim();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h === '' || h === '*') return anyAddr(af, port);
  const literal = isIP(h.split('%')[0] ?? '');
  if (literal !== 0 && literal !== (af === AF_INET ? 4 : 6)) {
    throw new SocketError(socket, 'EAFNOSUPPORT', `host ${host} is an IPv${literal} address but family is ${family}`);
  }
  const res = getAddrInfo(h, af, 1);
  const first = typeof res === 'number' ? undefined : res.find((b) => sockaddrFamily(b) === af);
  if (!first) {
    const why = typeof res === 'number' ? (EAI_TEXT[res] ?? `getaddrinfo error ${res}`) : 'no address of that family';
    throw new SocketError(socket, 'ENOTFOUND', `cannot resolve host "${host}" for family ${family} (${why})`);
  }
  first.writeUInt16BE(port, 2);
  return first;
}

export interface DecodedAddr {
  family: 'inet' | 'inet6' | 'unix';
  host?: string;
  port?: number;
  path?: string;
}

/** Decodes a sockaddr as returned by getsockname. */
export function decodeSockaddr(buf: Buffer): DecodedAddr {
  const af = sockaddrFamily(buf);
  if (af === AF_UNIX) {
    const end = buf.indexOf(0, 2);
    return { family: 'unix', path: buf.toString('utf8', 2, end < 0 ? buf.length : end) };
  }
  if (af === AF_INET && buf.length >= 8) {
    return { family: 'inet', host: inetNtop(AF_INET, buf.subarray(4, 8)) ?? '?', port: buf.readUInt16BE(2) };
  }
  if (af === AF_INET6 && buf.length >= 24) {
    return { family: 'inet6', host: inetNtop(AF_INET6, buf.subarray(8, 24)) ?? '?', port: buf.readUInt16BE(2) };
  }
  return { family: 'inet' };
}

/** "127.0.0.1:8080", "[::1]:8080". */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
