/**
 * The agent's sockets over time: bound once and kept (a watcher restart never rebinds), closed
 * when no running watcher uses a close_when_unused socket and rebound when one starts again,
 * and changed by a config reload with the least disturbance (an unchanged socket keeps its fd).
 */
import type { Logger } from '../log.ts';
import { bindSocket, bindReusePort, setBlocking } from './bind.ts';
import { allSocketStats, listSocketsView, type ListSocketEntry, type SocketStats } from './stats.ts';
import { SocketError, type BoundSocket, type SocketConfig } from './types.ts';
import { sameData } from '../equal.ts';

interface Entry {
  cfg: SocketConfig;
  bound: BoundSocket | null;
  /** Watchers currently running (or waiting on demand) with this socket. */
  users: Set<string>;
}

export interface SocketChanges {
  added: string[];
  removed: string[];
  /** Rebound with new settings: watchers using them must restart. */
  changed: string[];
}


export class SocketManager {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly log: Logger) {}

  names(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * Binds every socket of a configuration before anything uses it, so a port in use or a bad
   * path is reported at start-up (all of them at once), never later. Throws an AggregateError of
   * SocketErrors; nothing stays bound then.
   */
  bindAll(cfgs: readonly SocketConfig[]): void {
    const fresh = new Map<string, Entry>();
    const errors: SocketError[] = [];
    for (const cfg of cfgs) {
      try {
        fresh.set(cfg.name, { cfg, bound: cfg.so_reuseport ? null : bindSocket(cfg), users: new Set() });
      } catch (err) {
        errors.push(err as SocketError);
      }
    }
    if (errors.length) {
      for (const e of fresh.values()) e.bound?.close();
      throw new AggregateError(errors, errors.map((e) => e.message).join('\n'));
    }
    for (const [name, e] of fresh) this.entries.set(name, e);
  }

  /** Plans a reload: which sockets are new, gone, or changed (unchanged ones keep their descriptor). */
  diff(cfgs: readonly SocketConfig[]): SocketChanges {
    const next = new Map(cfgs.map((c) => [c.name, c]));
    return {
      added: cfgs.filter((c) => !this.entries.has(c.name)).map((c) => c.name),
      removed: this.names().filter((n) => !next.has(n)),
      changed: cfgs.filter((c) => { const e = this.entries.get(c.name); return e !== undefined && !sameData(e.cfg, c); }).map((c) => c.name),
    };
  }

  /** Applies a reload: binds the new and changed sockets first (any error changes nothing), then closes the old ones. */
  apply(cfgs: readonly SocketConfig[]): SocketChanges {
    const changes = this.diff(cfgs);
    const byName = new Map(cfgs.map((c) => [c.name, c]));
    const staging = new SocketManager(this.log);
    staging.bindAll([...changes.added, ...changes.changed].map((n) => byName.get(n)!));
    for (const name of [...changes.removed, ...changes.changed]) {
      this.entries.get(name)?.bound?.close();
      this.entries.delete(name);
    }
    for (const [name, e] of staging.entries) this.entries.set(name, e);
    return changes;
  }

  /**
   * The sockets a watcher's processes get, bound now if a close_when_unused socket was closed;
   * the watcher counts as a user until release(). so_reuseport sockets are returned unbound
   * (null): each spawn binds its own with bindForSpawn().
   */
  acquire(watcher: string, names: readonly string[]): { name: string; cfg: SocketConfig; bound: BoundSocket | null }[] {
    return names.map((name) => {
      const e = this.entries.get(name);
      if (!e) throw new SocketError(name, 'ENOENT', 'no such socket in the configuration');
      if (!e.bound && !e.cfg.so_reuseport) {
        e.bound = bindSocket(e.cfg);
        this.log.info(`socket ${name}: rebound (${describe(e.bound)})`);
      }
      e.users.add(watcher);
      return { name, cfg: e.cfg, bound: e.bound };
    });
  }

  /** The watcher no longer runs: close_when_unused sockets nobody uses any more are closed. */
  release(watcher: string): void {
    for (const [name, e] of this.entries) {
      if (!e.users.delete(watcher) || e.users.size > 0 || !e.cfg.close_when_unused || !e.bound) continue;
      e.bound.close();
      e.bound = null;
      this.log.info(`socket ${name}: closed, no running watcher uses it`);
    }
  }

  /** Closes close_when_unused sockets that nothing has acquired (after the agent's first start). */
  closeUnused(): void {
    for (const [name, e] of this.entries) {
      if (e.users.size > 0 || !e.cfg.close_when_unused || !e.bound) continue;
      e.bound.close();
      e.bound = null;
      this.log.info(`socket ${name}: closed, no running watcher uses it`);
    }
  }

  /** The descriptor one spawn receives: the shared socket (O_NONBLOCK cleared first if blocking), or its own SO_REUSEPORT one. */
  forSpawn(s: { cfg: SocketConfig; bound: BoundSocket | null }): { socket: BoundSocket; own: boolean } {
    if (s.cfg.so_reuseport) return { socket: bindReusePort(s.cfg), own: true };
    if (!s.bound) throw new SocketError(s.cfg.name, 'EBADF', 'closed');
    // A Node worker sets O_NONBLOCK on the shared open file description again: clear it before each spawn.
    if (s.cfg.blocking) setBlocking(s.bound, true);
    return { socket: s.bound, own: false };
  }

  bound(): BoundSocket[] {
    return [...this.entries.values()].flatMap((e) => (e.bound ? [e.bound] : []));
  }

  /** listsockets: bound sockets, plus so_reuseport templates (fd -1) as Circus lists them. */
  view(): ListSocketEntry[] {
    const templates = [...this.entries.values()].filter((e) => e.cfg.so_reuseport)
      .map((e) => ({ fd: -1, name: e.cfg.name, backlog: e.cfg.backlog, host: e.cfg.host, port: e.cfg.port }));
    return [...templates, ...listSocketsView(this.bound())];
  }

  stats(): SocketStats[] {
    return allSocketStats(this.bound());
  }

  closeAll(): void {
    for (const e of this.entries.values()) e.bound?.close();
    this.entries.clear();
  }
}

export function describe(s: BoundSocket): string {
  return s.path ?? `${s.host}:${s.port}`;
}
