/** Binds [socket:NAME] sockets for ringd with raw socket/setsockopt/bind/listen syscalls; the agent never accepts on them. */

/*
 * Binding approach: ALL sockets are made with koffi syscalls (agent/supervise/native.ts), not net._createServerHandle.
 *  - _createServerHandle only covers TCP/Pipe: dgram, SO_REUSEPORT (must be set before bind), listen(2) and fcntl need
 *    koffi anyway, so one uniform path is simpler than two.
 *  - bind(2) errors come back at bind time with their real errno. libuv defers EADDRINUSE to listen, and a raw listen on
 *    such a handle auto-binds a random port (PLATFORM-NOTES §1). The port is still checked after listen, as a safeguard.
 *  - No libuv handle exists, so nothing polls the fd and nothing can accept on it. A GC'd handle cannot close it either.
 *  - The fd is created with SOCK_CLOEXEC, so it never leaks into unrelated children. A child receives it only when its
 *    spawn stdio names it: libuv dup2()s it to the slot, and the copy it makes has no CLOEXEC.
 *  - The unix socket file is removed by close() only if it is still the inode we created. A libuv Pipe unlinks the path
 *    unconditionally.
 * SO_REUSEADDR is always set on inet sockets (as Circus does). Sockets start O_NONBLOCK (what libuv/Circus do). With
 * `blocking = true` the flag is cleared through fcntl. Operators MUST set it for blocking non-Node workers, e.g. Python
 * `socket(fileno=3).accept()`, which otherwise gets EAGAIN. Node workers set O_NONBLOCK again on the shared open file
 * description, so don't mix Node and blocking workers on one socket (or call setBlocking() before each spawn).
 */

import { closeSync, lstatSync, unlinkSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import {
  sysBind, sysGetFdFlags, sysGetSockName, sysListen, sysSetFdFlags, sysSetSockOptInt, sysSocket,
} from '../supervise/native.ts';
import {
  AF_INET, AF_INET6, AF_UNIX, UNIX_PATH_MAX, decodeSockaddr, formatHostPort, inetSockaddr, unixSockaddr,
} from './addr.ts';
import { SocketError, type BoundSocket, type SocketConfig, type SocketFamily } from './types.ts';

export { SocketError } from './types.ts';
export type { BoundSocket, SocketConfig } from './types.ts';

const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const SO_REUSEPORT = 15;
const O_NONBLOCK = 0o4000;

/** True when cfg describes a unix socket (a path forces AF_UNIX, as in Circus). */
export function isUnixConfig(cfg: SocketConfig): boolean {
  return cfg.family === 'unix' || (cfg.path !== undefined && cfg.path !== '');
}

/** Binds (and for stream sockets listens on) one configured socket in the agent. Throws SocketError. */
export function bindSocket(cfg: SocketConfig): BoundSocket {
  if (cfg.so_reuseport) {
    throw new SocketError(cfg.name, 'EINVAL', 'so_reuseport sockets are not bound by the agent: use bindReusePort() per process');
  }
  return openSocket(cfg, false);
}

/**
 * A fresh SO_REUSEPORT socket, bound and listening, for ONE worker process: bind one per spawn, pass it in the
 * spawn stdio, close it right after the spawn. With port 0 every call gets a different port: configure a real port.
 */
export function bindReusePort(cfg: SocketConfig): BoundSocket {
  if (isUnixConfig(cfg)) throw new SocketError(cfg.name, 'EINVAL', 'so_reuseport needs an inet/inet6 socket, not a unix path');
  return openSocket(cfg, true);
}

/** Sets or clears O_NONBLOCK on the socket's open file description (shared with every child holding it). */
export function setBlocking(s: Pick<BoundSocket, 'name' | 'fd'>, blocking: boolean): void {
  const flags = sysGetFdFlags(s.fd);
  if (flags < 0) throw SocketError.fromErrno(s.name, `cannot read the flags of fd ${s.fd}`, flags);
  const next = blocking ? flags & ~O_NONBLOCK : flags | O_NONBLOCK;
  if (next === flags) return;
  const rc = sysSetFdFlags(s.fd, next);
  if (rc < 0) throw SocketError.fromErrno(s.name, `cannot ${blocking ? 'clear' : 'set'} O_NONBLOCK on fd ${s.fd}`, rc);
}

/** The deferred-EADDRINUSE guard: a non-zero requested port must be the one actually bound. */
export function assertBoundPort(socket: string, requested: number, host: string, port: number): void {
  if (requested !== 0 && port !== requested) {
    throw new SocketError(socket, 'EADDRINUSE', `port ${requested} requested but bound to ${formatHostPort(host, port)} — refusing`);
  }
}

function check(socket: string, rc: number, what: string): void {
  if (rc < 0) throw SocketError.fromErrno(socket, what, rc);
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

/** Unlinks path only if it is still the socket file (inode) we created. */
function unlinkIfOurs(path: string, ino: number): void {
  try {
    const st = lstatSync(path);
    if (st.isSocket() && st.ino === ino) unlinkSync(path);
  } catch {
    // gone or not reachable: nothing of ours to remove
  }
}

/** Checks/replaces an existing path, binds under cfg.umask, and returns the inode of the new socket file. */
function bindUnix(cfg: SocketConfig, fd: number, addr: Buffer, path: string): number {
  let existing: ReturnType<typeof lstatSync> | undefined;
  try {
    existing = lstatSync(path);
  } catch {
    existing = undefined; // ENOENT (or unreachable: bind reports the real error)
  }
  if (existing) {
    if (!existing.isSocket()) {
      throw new SocketError(cfg.name, 'EEXIST', `cannot bind ${path}: already exists and is not a socket — refusing to replace it`);
    }
    if (!cfg.replace) {
      throw new SocketError(cfg.name, 'EEXIST', `cannot bind ${path}: already exists (set replace = true to replace a stale socket)`);
    }
    try {
      unlinkSync(path);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new SocketError(cfg.name, e.code ?? 'EIO', `cannot bind ${path}: cannot remove the old socket: ${e.message}`);
    }
  }
  // process-wide for the duration of one synchronous bind(2); always restored
  const old = cfg.umask !== undefined ? process.umask(cfg.umask) : undefined;
  let rc: number;
  try {
    rc = sysBind(fd, addr);
  } finally {
    if (old !== undefined) process.umask(old);
  }
  check(cfg.name, rc, `cannot bind ${path}`);
  try {
    return lstatSync(path).ino;
  } catch {
    return -1; // cannot see it (unreachable dir): never unlink what we cannot identify
  }
}

function openSocket(cfg: SocketConfig, reusePort: boolean): BoundSocket {
  const unix = isUnixConfig(cfg);
  const family: SocketFamily = unix ? 'unix' : cfg.family;
  const stream = cfg.type !== 'dgram';
  let addr: Buffer;
  let where: string;
  let path: string | undefined;
  if (unix) {
    if (!cfg.path) throw new SocketError(cfg.name, 'EINVAL', 'family unix needs a path');
    path = resolvePath(cfg.path);
    const un = unixSockaddr(path);
    if (!un) throw new SocketError(cfg.name, 'ENAMETOOLONG', `cannot bind ${path}: path too long (max ${UNIX_PATH_MAX} bytes)`);
    addr = un;
    where = path;
  } else {
    if (!Number.isInteger(cfg.port) || cfg.port < 0 || cfg.port > 65535) {
      throw new SocketError(cfg.name, 'EINVAL', `invalid port ${String(cfg.port)}`);
    }
    addr = inetSockaddr(cfg.name, family === 'inet6' ? 'inet6' : 'inet', cfg.host, cfg.port);
    where = formatHostPort(decodeSockaddr(addr).host ?? cfg.host, cfg.port);
  }
  if (stream && (!Number.isInteger(cfg.backlog) || cfg.backlog < 0)) {
    throw new SocketError(cfg.name, 'EINVAL', `invalid backlog ${String(cfg.backlog)}`);
  }
  const af = unix ? AF_UNIX : family === 'inet6' ? AF_INET6 : AF_INET;
  const fd = sysSocket(af, (stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  check(cfg.name, fd, `cannot create a ${family} ${cfg.type} socket`);
  let ino: number | undefined;
  try {
    if (!unix) {
      check(cfg.name, sysSetSockOptInt(fd, SOL_SOCKET, SO_REUSEADDR, 1), 'cannot set SO_REUSEADDR');
      if (reusePort) check(cfg.name, sysSetSockOptInt(fd, SOL_SOCKET, SO_REUSEPORT, 1), 'cannot set SO_REUSEPORT');
    }
    if (unix && path) ino = bindUnix(cfg, fd, addr, path);
    else check(cfg.name, sysBind(fd, addr), `cannot bind ${where}`);
    if (stream) check(cfg.name, sysListen(fd, cfg.backlog), `cannot listen on ${where}`);
    const local = sysGetSockName(fd);
    if (typeof local === 'number') throw SocketError.fromErrno(cfg.name, `cannot read the address of ${where}`, local);
    const got = decodeSockaddr(local);
    if (!unix) assertBoundPort(cfg.name, cfg.port, got.host ?? '?', got.port ?? 0);
    if (cfg.blocking) setBlocking({ name: cfg.name, fd }, true);
    return makeBound(cfg, fd, family, unix ? { path } : { host: got.host, port: got.port }, reusePort, ino);
  } catch (err) {
    closeQuietly(fd);
    if (path && ino !== undefined) unlinkIfOurs(path, ino);
    throw err;
  }
}

function makeBound(
  cfg: SocketConfig,
  fd: number,
  family: SocketFamily,
  where: { host?: string; port?: number; path?: string },
  reusePort: boolean,
  ino: number | undefined,
): BoundSocket {
  let closed = false;
  return {
    name: cfg.name,
    fd,
    family,
    type: cfg.type === 'dgram' ? 'dgram' : 'stream',
    ...where,
    backlog: cfg.backlog,
    blocking: cfg.blocking,
    reusePort,
    close(): void {
      if (closed) return;
      closed = true;
      closeQuietly(fd);
      if (where.path && ino !== undefined) unlinkIfOurs(where.path, ino);
    },
  };
}
