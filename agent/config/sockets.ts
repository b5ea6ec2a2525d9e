/** [sockets.NAME] sections (Circus's [socket:NAME]) and the socket references of watchers. */
import type { SocketConfig } from '../sockets/types.ts';
import { Issues, joinKey } from './issues.ts';
import { expected } from './parsers.ts';
import { SOCKET_OPTIONS, applyOptions } from './schema.ts';
import { envLookup, isPlainTable, substituteDeep } from './substitute.ts';
import type { WatcherConfig } from './types.ts';
import { WATCHER_NAME } from './watcher.ts';

export interface SocketSource {
  display: string;
  dir: string;
  raw: unknown;
}

/** Every socket section of every file; a name defined twice is reported. */
export function collectSockets(sources: readonly SocketSource[], env: Record<string, string>, issues: Issues): SocketConfig[] {
  const seen = new Map<string, { cfg: SocketConfig; file: string }>();
  for (const src of sources) {
    if (src.raw === undefined) continue;
    if (!isPlainTable(src.raw)) {
      issues.add(src.display, 'sockets', expected('a table of sockets ([sockets.NAME])', src.raw).message);
      continue;
    }
    for (const [name, rawTable] of Object.entries(src.raw)) {
      const prefix = joinKey('sockets', name);
      const previous = seen.get(name);
      if (previous) {
        issues.add(src.display, prefix, `socket "${name}" is already defined in ${previous.file}`);
        continue;
      }
      if (!WATCHER_NAME.test(name)) issues.add(src.display, prefix, 'invalid socket name; use only letters, digits, "_", "." and "-"');
      const table = substituteDeep(rawTable, envLookup(env, process.env));
      if (!isPlainTable(table)) {
        issues.add(src.display, prefix, expected('a table', rawTable).message);
        continue;
      }
      issues.checkKeys(src.display, prefix, table, SOCKET_OPTIONS.map((o) => o.key));
      const out: Partial<SocketConfig> = { name };
      applyOptions(SOCKET_OPTIONS, table, { dir: src.dir }, out, (key, msg) => issues.add(src.display, joinKey(prefix, key), msg));
      if (out.path !== undefined) out.family = 'unix';
      if (out.family === 'unix' && out.path === undefined) issues.add(src.display, joinKey(prefix, 'path'), 'required for a unix socket');
      out.close_when_unused ??= out.family === 'unix';
      seen.set(name, { cfg: out as SocketConfig, file: src.display });
    }
  }
  return [...seen.values()].map((s) => s.cfg);
}

const SOCKET_REF = /(?:\$\(|\(\()(?:circus|ring)\.sockets\.([A-Za-z0-9_.-]+?)(?:\)\)|\))/gi;

/** Socket names a watcher's cmd, args, shell_args and env reference with $(circus.sockets.NAME). */
export function referencedSockets(w: Partial<Pick<WatcherConfig, 'cmd' | 'args' | 'shell_args' | 'env' | 'ready_check'>>): string[] {
  const texts = [w.cmd ?? '', ...(w.args ?? []), ...(w.shell_args ?? []), ...Object.values(w.env ?? {}), w.ready_check ?? ''];
  const names = new Set<string>();
  for (const t of texts) for (const m of t.matchAll(SOCKET_REF)) names.add(m[1]);
  return [...names];
}

/** The sockets a watcher's processes receive, in fd order: referenced ones, then use_sockets, then stdin_socket. */
export function watcherSockets(w: WatcherConfig, all: readonly string[]): string[] {
  const wanted = new Set(referencedSockets(w));
  if (w.use_sockets === true) for (const n of all) wanted.add(n);
  else if (Array.isArray(w.use_sockets)) for (const n of w.use_sockets) wanted.add(n);
  return [...wanted];
}

/** Every socket a watcher names must exist; on_demand needs a socket to wait on. */
export function checkSocketRefs(watchers: readonly Partial<WatcherConfig>[], sockets: readonly SocketConfig[], issues: Issues): void {
  const names = sockets.map((s) => s.name);
  for (const w of watchers) {
    if (w.cmd === undefined || !w.name || !w.file) continue;
    const full = w as WatcherConfig;
    const prefix = joinKey('watchers', full.name);
    const refs = [...watcherSockets(full, names), ...(full.stdin_socket ? [full.stdin_socket] : [])];
    for (const ref of refs) {
      if (!names.includes(ref)) issues.add(full.file, prefix, `uses socket "${ref}", which no [sockets.${ref}] section defines`);
    }
    if (full.on_demand && refs.length === 0) issues.add(full.file, joinKey(prefix, 'on_demand'), 'needs at least one socket to wait on');
  }
}
