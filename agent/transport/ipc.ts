// ipc:// endpoint hygiene for bound ZeroMQ sockets: refuse to clobber files, clear stale sockets, chmod 0600, unlink on close.
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import net from 'node:net';

/** Identity of a socket file we created, so close() never unlinks a successor's socket. */
export interface IpcSocketFile {
  path: string;
  dev: number;
  ino: number;
}

export interface IpcLog {
  warning(msg: string): void;
}

/** The filesystem path of an ipc:// endpoint, or null for other transports and Linux abstract sockets (ipc://@name). */
export function ipcPath(endpoint: string): string | null {
  if (!endpoint.startsWith('ipc://')) return null;
  const path = endpoint.slice('ipc://'.length);
  if (path === '' || path.startsWith('@') || path === '*') return null;
  return path;
}

/** 'live' when something accepts connections on the unix socket at path, 'stale' when nothing does. */
function probeUnixSocket(path: string, timeoutMs = 1000): Promise<'live' | 'stale'> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ path });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`${path}: a process holds this socket but did not accept a connection within ${timeoutMs}ms`));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve('live');
    });
    sock.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      sock.destroy();
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') resolve('stale');
      else reject(new Error(`${path}: cannot check the existing socket file: ${err.message}`));
    });
  });
}

/**
 * Makes path ready for a libzmq bind. libzmq unlinks whatever exists at an ipc path before binding
 * (a regular file is destroyed, a live server's socket silently stolen), so we check first:
 * a non-socket file is an error, a socket somebody listens on is an error, a dead one is removed.
 */
export async function prepareIpcPath(path: string, log?: IpcLog): Promise<void> {
  if (Buffer.byteLength(path) > 107) {
    throw new Error(`cannot bind ipc://${path}: unix socket paths are limited to 107 bytes`);
  }
  let st;
  try {
    st = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new Error(`cannot bind ipc://${path}: ${(err as Error).message}`);
  }
  if (!st.isSocket()) {
    throw new Error(`cannot bind ipc://${path}: the path exists and is not a socket (refusing to replace it)`);
  }
  if ((await probeUnixSocket(path)) === 'live') {
    throw new Error(`cannot bind ipc://${path}: address in use (another process is listening on it)`);
  }
  log?.warning(`removing stale socket file ${path} left by a previous run`);
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** After the bind: restricts the socket file to its owner (0600) and remembers its identity. */
export function secureIpcSocket(path: string): IpcSocketFile {
  chmodSync(path, 0o600);
  const st = lstatSync(path);
  return { path, dev: st.dev, ino: st.ino };
}

/** Removes our socket file, unless it was already removed or replaced by another process's socket. */
export function removeIpcSocket(file: IpcSocketFile): void {
  try {
    const st = lstatSync(file.path);
    if (st.isSocket() && st.dev === file.dev && st.ino === file.ino) unlinkSync(file.path);
  } catch {
    // already gone: nothing to do
  }
}
