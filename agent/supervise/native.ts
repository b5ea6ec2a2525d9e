/** The few libc syscalls Node lacks (prctl subreaper, targeted waitpid, raw socket calls), bound through koffi, loaded lazily once. */

import { createRequire } from 'node:module';
import type { LibraryHandle, TypeObject } from 'koffi';

const PR_SET_CHILD_SUBREAPER = 36;
const WNOHANG = 1;

type PrctlFn = (option: number, arg2: number, arg3: number, arg4: number, arg5: number) => number;
type WaitpidFn = (pid: number, status: number[], options: number) => number;

interface Libc {
  prctl: PrctlFn;
  waitpid: WaitpidFn;
}

interface KoffiModule {
  load(path: string): LibraryHandle;
  errno(): number;
  struct(def: Record<string, string>): TypeObject;
  pointer(ref: string): TypeObject;
  out(type: TypeObject): TypeObject;
  sizeof(type: TypeObject): number;
  decode(ref: unknown, type: TypeObject): unknown;
  view(ref: unknown, len: number): ArrayBuffer;
}

/** undefined: not tried yet; null: koffi or libc unavailable. */
let libc: Libc | null | undefined;
/** Set by loadLibc; the socket calls below are bound from the same handle, on first use. */
let koffiMod: KoffiModule | undefined;
let libHandle: LibraryHandle | undefined;

function loadLibc(): Libc | null {
  if (libc !== undefined) return libc;
  libc = null;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as KoffiModule;
    const lib = koffi.load('libc.so.6');
    koffiMod = koffi;
    libHandle = lib;
    libc = {
      prctl: lib.func('int prctl(int, unsigned long, unsigned long, unsigned long, unsigned long)') as PrctlFn,
      waitpid: lib.func('int waitpid(int, _Out_ int *, int)') as WaitpidFn,
    };
  } catch {
    // caller decides what to do without native support
  }
  return libc;
}

/** True when the koffi binding to libc is usable. */
export function nativeAvailable(): boolean {
  return loadLibc() !== null;
}

let subreaper = false;

/** prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants get reparented to this process. True on success. */
export function setChildSubreaper(): boolean {
  const c = loadLibc();
  if (!c) return false;
  try {
    subreaper = c.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) === 0;
  } catch {
    subreaper = false;
  }
  return subreaper;
}

/** Whether setChildSubreaper succeeded: every orphan of our descendants is then our child. */
export function isChildSubreaper(): boolean {
  return subreaper;
}

/** waitpid(pid, &status, WNOHANG) for ONE specific pid (> 0): the pid reaped, 0 if still running, -1 on error. */
export function waitpidNoHang(pid: number): number {
  if (!Number.isInteger(pid) || pid <= 0) return -1; // never waitpid(-1) or a process group: it would rob libuv
  const c = loadLibc();
  if (!c) return -1;
  try {
    return c.waitpid(pid, [0], WNOHANG);
  } catch {
    return -1;
  }
}

// ---- raw socket calls (agent/sockets). Each returns a result >= 0 or -errno; -ENOSYS when koffi/libc is unavailable. ----

const ENOSYS = 38;

interface SockCalls {
  koffi: KoffiModule;
  addrinfo: TypeObject;
  socket: (domain: number, type: number, protocol: number) => number;
  setsockopt: (fd: number, level: number, name: number, value: Buffer, len: number) => number;
  bind: (fd: number, addr: Buffer, len: number) => number;
  listen: (fd: number, backlog: number) => number;
  getsockname: (fd: number, addr: Buffer, len: number[]) => number;
  fcntl: (fd: number, cmd: number, ...variadic: Array<string | number>) => number;
  poll: (fds: Buffer, nfds: number, timeout: number) => number;
  recv: (fd: number, buf: Buffer, len: number, flags: number) => number;
  inetNtop: (af: number, src: Buffer, dst: Buffer, size: number) => string | null;
  getaddrinfo: (node: string, service: string | null, hints: Buffer, res: unknown[]) => number;
  freeaddrinfo: (res: unknown) => void;
}

interface AddrInfoStruct {
  ai_family: number;
  ai_addrlen: number;
  ai_addr: unknown;
  ai_next: unknown;
}

/** undefined: not tried yet; null: unavailable. */
let sock: SockCalls | null | undefined;

function sockCalls(): SockCalls | null {
  if (sock !== undefined) return sock;
  sock = null;
  if (!loadLibc() || !koffiMod || !libHandle) return sock;
  try {
    const k = koffiMod;
    const lib = libHandle;
    const addrinfo = k.struct({
      ai_flags: 'int', ai_family: 'int', ai_socktype: 'int', ai_protocol: 'int', ai_addrlen: 'uint32_t',
      ai_addr: 'void *', ai_canonname: 'void *', ai_next: 'void *',
    });
    sock = {
      koffi: k,
      addrinfo,
      socket: lib.func('int socket(int, int, int)') as SockCalls['socket'],
      setsockopt: lib.func('int setsockopt(int, int, int, const void *, uint32_t)') as SockCalls['setsockopt'],
      bind: lib.func('int bind(int, const void *, uint32_t)') as SockCalls['bind'],
      listen: lib.func('int listen(int, int)') as SockCalls['listen'],
      getsockname: lib.func('int getsockname(int, void *, _Inout_ uint32_t *)') as SockCalls['getsockname'],
      fcntl: lib.func('int fcntl(int, int, ...)') as SockCalls['fcntl'],
      poll: lib.func('int poll(void *, unsigned long, int)') as SockCalls['poll'],
      recv: lib.func('long recv(int, void *, unsigned long, int)') as SockCalls['recv'],
      inetNtop: lib.func('const char *inet_ntop(int, const void *, void *, uint32_t)') as SockCalls['inetNtop'],
      getaddrinfo: lib.func('getaddrinfo', 'int', ['str', 'str', 'void *', k.out(k.pointer('void *'))]) as SockCalls['getaddrinfo'],
      freeaddrinfo: lib.func('void freeaddrinfo(void *)') as SockCalls['freeaddrinfo'],
    };
  } catch {
    sock = null;
  }
  return sock;
}

/** rc < 0 (the libc convention) → -errno, else rc. */
function sys(c: SockCalls, rc: number): number {
  return rc < 0 ? -(c.koffi.errno() || ENOSYS) : rc;
}

/** socket(2): the new fd or -errno. */
export function sysSocket(domain: number, type: number, protocol = 0): number {
  const c = sockCalls();
  return c ? sys(c, c.socket(domain, type, protocol)) : -ENOSYS;
}

/** setsockopt(2) with an int value: 0 or -errno. */
export function sysSetSockOptInt(fd: number, level: number, name: number, value: number): number {
  const c = sockCalls();
  if (!c) return -ENOSYS;
  const v = Buffer.alloc(4);
  v.writeInt32LE(value);
  return sys(c, c.setsockopt(fd, level, name, v, 4));
}

/** bind(2) to a raw sockaddr: 0 or -errno. */
export function sysBind(fd: number, addr: Buffer): number {
  const c = sockCalls();
  return c ? sys(c, c.bind(fd, addr, addr.length)) : -ENOSYS;
}

/** recv(2) with MSG_DONTWAIT: the byte count, or -errno (-EAGAIN when nothing is waiting). */
export function sysRecvNoWait(fd: number, buf: Buffer): number {
  const c = sockCalls();
  const MSG_DONTWAIT = 0x40;
  return c ? sys(c, Number(c.recv(fd, buf, buf.length, MSG_DONTWAIT))) : -ENOSYS;
}

/** listen(2): 0 or -errno. */
export function sysListen(fd: number, backlog: number): number {
  const c = sockCalls();
  return c ? sys(c, c.listen(fd, backlog)) : -ENOSYS;
}

/** getsockname(2): the raw sockaddr bytes, or -errno. */
export function sysGetSockName(fd: number): Buffer | number {
  const c = sockCalls();
  if (!c) return -ENOSYS;
  const out = Buffer.alloc(128);
  const len = [out.length];
  const rc = sys(c, c.getsockname(fd, out, len));
  return rc < 0 ? rc : out.subarray(0, Math.min(len[0] ?? 0, out.length));
}

const F_GETFL = 3;
const F_SETFL = 4;

/** fcntl(fd, F_GETFL): the file status flags, or -errno. */
export function sysGetFdFlags(fd: number): number {
  const c = sockCalls();
  return c ? sys(c, c.fcntl(fd, F_GETFL)) : -ENOSYS;
}

/** fcntl(fd, F_SETFL, flags): 0 or -errno. */
export function sysSetFdFlags(fd: number, flags: number): number {
  const c = sockCalls();
  return c ? sys(c, c.fcntl(fd, F_SETFL, 'int', flags)) : -ENOSYS;
}

/** poll(2) on ONE fd: revents (0 = nothing yet) or -errno. Never reads or accepts. */
export function sysPollFd(fd: number, events: number, timeoutMs = 0): number {
  const c = sockCalls();
  if (!c) return -ENOSYS;
  const pfd = Buffer.alloc(8); // struct pollfd { int fd; short events; short revents; }
  pfd.writeInt32LE(fd, 0);
  pfd.writeInt16LE(events, 4);
  const rc = sys(c, c.poll(pfd, 1, timeoutMs));
  return rc < 0 ? rc : pfd.readInt16LE(6) & 0xffff;
}

/** inet_ntop(3) of raw address bytes (4 or 16): the text form, or null. */
export function inetNtop(family: number, bytes: Buffer): string | null {
  const c = sockCalls();
  if (!c) return null;
  const dst = Buffer.alloc(64);
  if (c.inetNtop(family, bytes, dst, dst.length) === null) return null;
  const end = dst.indexOf(0);
  return dst.toString('latin1', 0, end < 0 ? dst.length : end);
}

/** getaddrinfo(3) for host (numeric or a name; "%scope" allowed): raw sockaddrs (port 0) or a negative EAI_* code. */
export function getAddrInfo(host: string, family: number, socktype: number): Buffer[] | number {
  const c = sockCalls();
  if (!c) return -ENOSYS;
  const hints = Buffer.alloc(c.koffi.sizeof(c.addrinfo));
  hints.writeInt32LE(family, 4);
  hints.writeInt32LE(socktype, 8);
  const res: unknown[] = [null];
  const rc = c.getaddrinfo(host, null, hints, res);
  if (rc !== 0) return rc < 0 ? rc : -rc;
  const out: Buffer[] = [];
  try {
    for (let p = res[0]; p; ) {
      const ai = c.koffi.decode(p, c.addrinfo) as AddrInfoStruct;
      // copy the bytes: the list is freed below
      if (ai.ai_addr && ai.ai_addrlen > 0) out.push(Buffer.from(new Uint8Array(c.koffi.view(ai.ai_addr, ai.ai_addrlen))));
      p = ai.ai_next;
    }
  } finally {
    c.freeaddrinfo(res[0]);
  }
  return out;
}
