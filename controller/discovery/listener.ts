/**
 * The discovery listener: keeps the table of agents and controllers heard by multicast, each
 * `alive`, `silent` (no announcement for SILENT_AFTER_INTERVALS of its own interval) or `left`
 * (said goodbye), and reports every change as an event. Multicast is a hint for finding hosts;
 * the controller's liveness verdict comes from NATS heartbeats.
 */
import { EventEmitter } from 'node:events';
import type { RemoteInfo } from 'node:dgram';
import { DISCOVERY_VERSION, type Announce, type DropReason, type Role } from '../../protocol/discovery/types.ts';
import { ANNOUNCE_JITTER, SILENT_AFTER_INTERVALS } from '../../agent/defaults.ts';
import type { DiscoverySocket, Received } from '../../agent/discovery/socket.ts';

export const PEER_STATES = ['alive', 'silent', 'left'] as const;
export type PeerState = (typeof PEER_STATES)[number];

export interface Peer {
  id: string;
  role: Role;
  boot: string;
  /** Sequence number of its last datagram (1 = the announcement sent at its start). */
  seq: number;
  state: PeerState;
  host: string;
  version: string;
  /** Source address of its last datagram. */
  address: string;
  ctl: string[];
  nats: string[];
  watchers: number;
  processes: number;
  labels: Record<string, string>;
  signed: boolean;
  announce_interval: number;
  first_seen: number;
  last_seen: number;
}

export type ListenerEvent =
  | { event: 'seen'; at: number; peer: Peer; restarted: boolean }
  | { event: 'changed'; at: number; peer: Peer }
  | { event: 'silent'; at: number; peer: Peer }
  | { event: 'left'; at: number; peer: Peer }
  | { event: 'dropped'; at: number; reason: DropReason; detail: string; from: string };

const SWEEP_MS = 200;

function fromAnnounce(msg: Announce, from: RemoteInfo, signed: boolean, firstSeen: number, now: number): Peer {
  return {
    id: msg.id, role: msg.role, boot: msg.boot, seq: msg.seq, state: 'alive', host: msg.host, version: msg.ver, address: from.address,
    ctl: msg.ctl, nats: msg.nats, watchers: msg.w, processes: msg.p, labels: msg.labels, signed,
    announce_interval: msg.ivl, first_seen: firstSeen, last_seen: now,
  };
}

const payloadOf = (p: Peer) => JSON.stringify([p.host, p.version, p.ctl, p.nats, p.watchers, p.processes, p.labels]);

export interface ListenerOptions {
  role: Exclude<Role, 'agent'>;
  id: string;
  boot: string;
  nextSeq(): number;
}

export class DiscoveryListener extends EventEmitter<{ event: [ListenerEvent] }> {
  private readonly table = new Map<string, Peer>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly socket: DiscoverySocket, private readonly opts: ListenerOptions) {
    super();
    socket.on('message', (r) => this.receive(r));
    socket.on('dropped', (reason, detail, from) =>
      this.emit('event', { event: 'dropped', at: Date.now(), reason, detail, from: `${from.address}:${from.port}` }));
    this.timer = setInterval(() => this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  /** Asks everyone (or only `want`) to announce themselves to us now. */
  query(want?: Role[]): Promise<void> {
    const head = { v: DISCOVERY_VERSION, k: 'query', role: this.opts.role, id: this.opts.id, boot: this.opts.boot, seq: this.opts.nextSeq(), ts: Date.now() } as const;
    return this.socket.sendGroup(want ? { ...head, want } : head);
  }

  peers(): Peer[] {
    return [...this.table.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  close(): void {
    clearInterval(this.timer);
  }

  private receive({ msg, from, signed }: Received): void {
    const now = Date.now();
    const known = this.table.get(msg.id);
    switch (msg.k) {
      case 'query':
        return;
      case 'goodbye':
        if (!known || known.boot !== msg.boot || known.state === 'left') return;
        known.state = 'left';
        known.last_seen = now;
        this.emit('event', { event: 'left', at: now, peer: { ...known } });
        return;
      case 'announce': {
        const sameBoot = known?.boot === msg.boot;
        if (known?.state === 'left' && sameBoot) return; // a late copy after its goodbye
        const peer = fromAnnounce(msg, from, signed, known && sameBoot ? known.first_seen : now, now);
        this.table.set(msg.id, peer);
        if (!known || !sameBoot || known.state !== 'alive') {
          this.emit('event', { event: 'seen', at: now, peer: { ...peer }, restarted: known !== undefined && !sameBoot });
        } else if (payloadOf(known) !== payloadOf(peer)) {
          this.emit('event', { event: 'changed', at: now, peer: { ...peer } });
        }
      }
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const peer of this.table.values()) {
      const deadline = peer.last_seen + SILENT_AFTER_INTERVALS * peer.announce_interval * (1 + ANNOUNCE_JITTER);
      if (peer.state === 'alive' && now > deadline) {
        peer.state = 'silent';
        this.emit('event', { event: 'silent', at: now, peer: { ...peer } });
      }
    }
  }
}
