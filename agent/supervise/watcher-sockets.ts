/** The sockets of one watcher: acquired while it runs, handed to each spawn at fixed fds, released when it stops. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { WatcherConfig } from '../config/types.ts';
import { watcherSockets } from '../config/sockets.ts';
import type { SocketManager } from '../sockets/manager.ts';
import type { BoundSocket, SocketConfig } from '../sockets/types.ts';
import { NotifySocket } from './notify.ts';
import type { SpawnResources } from './process.ts';

type Acquired = { name: string; cfg: SocketConfig; bound: BoundSocket | null };

export class WatcherSockets {
  private acquired: Acquired[] = [];

  constructor(private readonly name: () => string, private readonly manager: SocketManager, private readonly notifyDir: string) {}

  /** Takes the watcher's sockets (rebinding closed ones); throws a SocketError when one cannot be bound. */
  acquire(cfg: WatcherConfig): void {
    const names = this.passed(cfg);
    if (cfg.stdin_socket && !names.includes(cfg.stdin_socket)) names.push(cfg.stdin_socket);
    this.acquired = this.manager.acquire(this.name(), names);
  }

  release(): void {
    this.manager.release(this.name());
    this.acquired = [];
  }

  /** Names of the sockets on waiting on demand. */
  names(): string[] {
    return this.acquired.map((a) => a.name);
  }

  fds(): number[] {
    return this.acquired.flatMap((a) => (a.bound ? [a.bound.fd] : []));
  }

  resources(cfg: WatcherConfig, marker: string): SpawnResources {
    const own: BoundSocket[] = [];
    const take = (a: Acquired): BoundSocket => {
      const { socket, own: isOwn } = this.manager.forSpawn(a);
      if (isOwn) own.push(socket);
      return socket;
    };
    try {
      const passed = this.passed(cfg);
      const sockets = passed.map((n) => take(this.find(n)));
      const stdinSocket = cfg.stdin_socket ? take(this.find(cfg.stdin_socket)) : undefined;
      let notify: NotifySocket | undefined;
      if (cfg.ready_notify === 'systemd') {
        mkdirSync(this.notifyDir, { recursive: true, mode: 0o700 });
        notify = NotifySocket.open(join(this.notifyDir, `${marker}.sock`));
      }
      const fdOf = Object.fromEntries(passed.map((n, i) => [n, 3 + i]));
      return { sockets, stdinSocket, fdOf, notify, release: () => own.forEach((s) => s.close()) };
    } catch (err) {
      own.forEach((s) => s.close());
      throw err;
    }
  }

  private passed(cfg: WatcherConfig): string[] {
    return watcherSockets(cfg, this.manager.names());
  }

  private find(name: string): Acquired {
    const a = this.acquired.find((x) => x.name === name);
    if (!a) throw new Error(`socket "${name}" was not acquired (watcher not started?)`);
    return a;
  }
}
