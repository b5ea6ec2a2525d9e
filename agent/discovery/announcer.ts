/**
 * Announces one agent or controller on an open DiscoverySocket: an announcement at start and every
 * interval (with jitter), unicast answers to queries and to Circus's `""` probe (rate-limited), a
 * goodbye when stopped. Learns NATS URLs from controllers' announcements (bootstrap).
 */
import { EventEmitter } from 'node:events';
import type { RemoteInfo } from 'node:dgram';
import type { LearnedNats } from '../../protocol/agent-api.ts';
import { DISCOVERY_VERSION, type Announce, type Datagram, type Header, type Role } from '../../protocol/discovery/types.ts';
import { pyJson } from '../../protocol/replies.ts';
import { ANNOUNCE_JITTER, MAX_ANSWERS_PER_SECOND } from '../defaults.ts';
import type { DiscoverySocket, Received } from './socket.ts';

/** What changes between announcements. */
export interface AnnouncePayload {
  ctl: string[];
  nats: string[];
  w: number;
  p: number;
  labels: Record<string, string>;
}

export interface AnnouncerOptions {
  role: Exclude<Role, 'client'>;
  id: string;
  boot: string;
  host: string;
  version: string;
  intervalMs: number;
  payload(): AnnouncePayload;
  /** Reply to Circus's probe; undefined = do not answer it. */
  circusEndpoint?: () => string;
  /** Ask controllers for their NATS URLs at start (an agent without configured NATS servers). */
  bootstrap: boolean;
}

export interface AnnouncerCounters {
  announced: number;
  answered: number;
  /** Queries and probes left unanswered because of the rate limit. */
  limited: number;
}

/** Delay before the next announcement: interval × a random factor in [1 - jitter, 1 + jitter]. */
export function jittered(intervalMs: number, jitter = ANNOUNCE_JITTER, random = Math.random): number {
  return Math.round(intervalMs * (1 - jitter + 2 * jitter * random()));
}

/** Token bucket: `rate` per second, bursts up to `rate`. */
class RateLimit {
  private tokens: number;
  private last = Date.now();
  constructor(private readonly rate: number) {
    this.tokens = rate;
  }
  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class Announcer extends EventEmitter<{ nats: [LearnedNats] }> {
  readonly counters: AnnouncerCounters = { announced: 0, answered: 0, limited: 0 };
  learned: LearnedNats | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly limit = new RateLimit(MAX_ANSWERS_PER_SECOND);
  private stopped = false;
  private readonly onMessage = (r: Received) => this.handle(r);
  private readonly onProbe = (from: RemoteInfo) => this.answerProbe(from);

  /** `nextSeq` is shared by every socket of one boot, so sequence numbers never repeat. */
  constructor(private readonly socket: DiscoverySocket, private readonly opts: AnnouncerOptions, private readonly nextSeq: () => number) {
    super();
    socket.on('message', this.onMessage);
    socket.on('probe', this.onProbe);
  }

  start(): void {
    this.announce();
    if (this.opts.bootstrap) void this.socket.sendGroup({ ...this.header('query'), want: ['controller'] } as Datagram);
  }

  /** Sends an announcement now (and re-arms the periodic one), e.g. after a change worth telling. */
  announce(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    void this.socket.sendGroup(this.announcement());
    this.counters.announced++;
    this.timer = setTimeout(() => this.announce(), jittered(this.opts.intervalMs));
    this.timer.unref();
  }

  /** Stops announcing; sends a goodbye unless told not to (a reconfiguration is not a departure). Resolves once sent. */
  async stop(goodbye = true): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket.off('message', this.onMessage);
    this.socket.off('probe', this.onProbe);
    if (goodbye) await this.socket.sendGroup(this.header('goodbye') as Datagram);
  }

  private header<K extends Datagram['k']>(k: K): Header & { k: K } {
    return { v: DISCOVERY_VERSION, k, role: this.opts.role, id: this.opts.id, boot: this.opts.boot, seq: this.nextSeq(), ts: Date.now() };
  }

  private announcement(): Announce {
    return { ...this.header('announce'), host: this.opts.host, ver: this.opts.version, ivl: this.opts.intervalMs, ...this.opts.payload() };
  }

  private handle({ msg, from }: Received): void {
    switch (msg.k) {
      case 'query':
        if (msg.want && !msg.want.includes(this.opts.role)) return;
        if (!this.limit.take()) {
          this.counters.limited++;
          return;
        }
        void this.socket.sendTo(this.announcement(), from.address, from.port);
        this.counters.answered++;
        return;
      case 'announce':
        if (msg.role === 'controller' && msg.nats.length > 0 && this.opts.role === 'agent') this.learn(msg, from);
        return;
      case 'goodbye':
        return;
    }
  }

  private learn(msg: Announce, from: RemoteInfo): void {
    const same = this.learned && this.learned.from === msg.id && this.learned.urls.join(' ') === msg.nats.join(' ');
    this.learned = { urls: msg.nats, from: msg.id, address: from.address, at: Date.now() };
    if (!same) this.emit('nats', this.learned);
  }

  private answerProbe(from: RemoteInfo): void {
    if (!this.opts.circusEndpoint) return;
    if (!this.limit.take()) {
      this.counters.limited++;
      return;
    }
    void this.socket.sendRaw(Buffer.from(pyJson({ endpoint: this.opts.circusEndpoint() })), from.address, from.port);
    this.counters.answered++;
  }
}
