/** Shapes shared by the socket layer: the [socket:NAME] config, a bound socket, and SocketError. */

import { getSystemErrorMap } from 'node:util';

export type SocketFamily = 'inet' | 'inet6' | 'unix';
export type SocketType = 'stream' | 'dgram';

/** One [socket:NAME] section, as produced by the config loader. */
export interface SocketConfig {
  name: string;
  family: SocketFamily;
  type: SocketType;
  host: string;
  port: number;
  /** Set: a unix socket (forces family unix, host/port ignored). */
  path?: string;
  backlog: number;
  /** umask applied while binding a unix socket (undefined: the process umask). */
  umask?: number;
  replace: boolean;
  /** true clears O_NONBLOCK: REQUIRED for blocking non-Node workers (Python `socket(fileno=3).accept()`). */
  blocking: boolean;
  so_reuseport: boolean;
  close_when_unused: boolean;
}

/** A socket bound (and, for stream, listening) by the agent; the agent itself never accepts or reads on it. */
export interface BoundSocket {
  name: string;
  fd: number;
  family: SocketFamily;
  type: SocketType;
  /** The real bound address (numeric), for inet/inet6. */
  host?: string;
  /** The real bound port (also when port 0 was requested). */
  port?: number;
  /** Absolute path, for unix sockets. */
  path?: string;
  backlog: number;
  blocking: boolean;
  /** true for a per-process SO_REUSEPORT socket (bindReusePort). */
  reusePort: boolean;
  /** Closes the fd; a unix socket file is unlinked if it is still the one we created. Idempotent. */
  close(): void;
}

/** A socket could not be bound/listened: `socket` is the config name, `code` an errno name (EADDRINUSE, EACCES, …). */
export class SocketError extends Error {
  readonly socket: string;
  readonly code: string;

  constructor(socket: string, code: string, message: string) {
    super(`socket "${socket}": ${message}`);
    this.name = 'SocketError';
    this.socket = socket;
    this.code = code;
  }

  /** From a negative errno: `socket "web": cannot bind 127.0.0.1:8080: address already in use`. */
  static fromErrno(socket: string, what: string, negErrno: number): SocketError {
    const [code, text] = getSystemErrorMap().get(negErrno) ?? [`E${-negErrno}`, `errno ${-negErrno}`];
    return new SocketError(socket, code, `${what}: ${text}`);
  }
}
