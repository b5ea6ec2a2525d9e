/** Keeps one NATS connection in the background: connects, reconnects forever, logs each transition once, never throws. */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection, Status } from '@nats-io/transport-node';
import type { NatsConfig } from '../config/nats.ts';
import type { Logger } from '../log.ts';
import { connectNats, explainNatsError, needsOperator, wantsTls } from './connect.ts';

export interface NatsLinkEvents {
  /** Connected (again: false for a new connection, true after a reconnect of the same one). */
  up: [nc: NatsConnection, again: boolean];
  /** The connection dropped (it reconnects by itself) or closed (a new one is being made). */
  down: [];
}

export class NatsLink extends EventEmitter<NatsLinkEvents> {
  private nc: NatsConnection | null = null;
  private connected = false;
  private closing = false;
  private lastProblem = '';
  private readonly abort = new AbortController();
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly cfg: NatsConfig,
    private readonly name: string,
    readonly servers: string[],
    private readonly log: Logger,
  ) {
    super();
  }

  /** Starts connecting in the background; returns at once. */
  start(): void {
    this.running = this.run().catch((err: Error) => this.log.error(`NATS: link stopped by an internal error: ${err.stack ?? err.message}`));
  }

  /** The connection while it is up, else null. */
  get connection(): NatsConnection | null {
    return this.connected ? this.nc : null;
  }

  /** URL of the server the link is connected to, or null. */
  get url(): string | null {
    const nc = this.connection;
    if (!nc) return null;
    return `${wantsTls(this.cfg, this.servers) ? 'tls' : 'nats'}://${nc.getServer()}`;
  }

  /** Stops reconnecting; waits (at most flushMs) for what was published to reach the server, then closes. */
  async close(flushMs: number): Promise<void> {
    this.closing = true;
    this.abort.abort();
    const nc = this.nc;
    if (nc && !nc.isClosed()) {
      if (this.connected) await withDeadline(nc.flush(), flushMs);
      await withDeadline(nc.close(), flushMs);
    }
    await withDeadline(this.running, flushMs);
  }

  private async run(): Promise<void> {
    while (!this.closing) {
      let nc: NatsConnection;
      try {
        nc = await connectNats(this.cfg, this.name, this.servers);
      } catch (err) {
        this.problem(`NATS: cannot connect to ${this.servers.join(', ')}: ${explainNatsError(err, this.cfg)}; ` +
          `retrying every ${this.cfg.reconnect_wait / 1000}s (supervision is not affected)`, needsOperator(err) ? 'error' : 'warning');
        if (!(await this.pause())) return;
        continue;
      }
      if (this.closing) {
        await nc.close().catch(() => undefined);
        return;
      }
      this.nc = nc;
      await this.follow(nc);
      this.nc = null;
      if (!(await this.pause())) return;
    }
  }

  /** Tracks one connection's status until it closes. */
  private async follow(nc: NatsConnection): Promise<void> {
    const statuses = nc.status();
    this.lastProblem = '';
    this.connected = true;
    this.log.info(`NATS: connected to ${this.url} as "${this.cfg.name ?? this.name}"`);
    this.emit('up', nc, false);
    void (async () => {
      for await (const s of statuses) this.onStatus(nc, s);
    })();
    const err = await nc.closed();
    this.setDown();
    if (!this.closing) {
      this.log.warning(`NATS: connection closed${err ? `: ${explainNatsError(err, this.cfg)}` : ''}; connecting again`);
    }
  }

  private onStatus(nc: NatsConnection, s: Status): void {
    switch (s.type) {
      case 'disconnect':
        if (this.connected && !this.closing) {
          this.log.warning(`NATS: disconnected from ${s.server}; reconnecting in the background (supervision is not affected)`);
        }
        this.setDown();
        return;
      case 'reconnect':
        this.connected = true;
        this.lastProblem = '';
        this.log.info(`NATS: reconnected to ${this.url}`);
        this.emit('up', nc, true);
        return;
      case 'error':
        this.problem(`NATS: ${explainNatsError(s.error, this.cfg)}`, needsOperator(s.error) ? 'error' : 'warning');
        return;
      default:
        this.log.debug(`NATS: status ${s.type}`);
    }
  }

  private setDown(): void {
    if (!this.connected) return;
    this.connected = false;
    this.emit('down');
  }

  /** Waits reconnect_wait plus jitter; false when closing. */
  private async pause(): Promise<boolean> {
    if (this.closing) return false;
    const ms = this.cfg.reconnect_wait + Math.random() * this.cfg.reconnect_jitter;
    try {
      await sleep(ms, undefined, { signal: this.abort.signal });
    } catch {
      return false;
    }
    return !this.closing;
  }

  /** Logged once per distinct problem; repeats go to the debug log. */
  private problem(message: string, level: 'warning' | 'error'): void {
    if (message === this.lastProblem) return this.log.debug(message);
    this.lastProblem = message;
    this.log[level](message);
  }
}

/** Resolves when p settles or after ms, whichever comes first; never rejects. */
async function withDeadline(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.then(() => undefined, () => undefined),
    new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); }),
  ]);
  clearTimeout(timer);
}
