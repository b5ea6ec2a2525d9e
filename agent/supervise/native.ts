/** The few libc syscalls Node lacks (prctl subreaper, targeted waitpid), bound through koffi, loaded lazily once. */

import { createRequire } from 'node:module';
import type { LibraryHandle } from 'koffi';

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
}

/** undefined: not tried yet; null: koffi or libc unavailable. */
let libc: Libc | null | undefined;

function loadLibc(): Libc | null {
  if (libc !== undefined) return libc;
  libc = null;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as KoffiModule;
    const lib = koffi.load('libc.so.6');
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

/** prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants get reparented to this process. True on success. */
export function setChildSubreaper(): boolean {
  const c = loadLibc();
  if (!c) return false;
  try {
    return c.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) === 0;
  } catch {
    return false;
  }
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
