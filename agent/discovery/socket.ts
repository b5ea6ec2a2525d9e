/**
 * The UDP endpoint of discovery, shared by agents, controllers and listeners: a socket on the
 * group port joined on one explicit interface (receives announcements, queries and probes), and
 * a socket on an ephemeral port of that interface that sends everything (so unicast answers reach
 * the asker even when several programs on its host share the group port). Every received datagram
 * is decoded and verified here; drops are counted by reason.
 */
import dgram, { type RemoteInfo } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { decodeDatagram, encodeDatagram } from '../../protocol/discovery/codec.ts';
import { ReplayGuard } from '../../protocol/discovery/replay.ts';
import { emptyDropCounts, isCircusProbe, type Datagram, type DropReason } from '../../protocol/discovery/types.ts';
import type { Interface } from './iface.ts';

export interface DiscoverySocketOptions {
  group: string;
  port: number;
  iface: Interface;
  ttl: number;
  /** Fleet key: sign what is sent, refuse what is not signed with it. */
  key?: Buffer;
  maxSkewMs: number;
  /** Datagrams from this sender (our own, looped back) are ignored. */
  self?: { id: string; boot: string };
}

export interface Received {
  msg: Datagram;
  from: RemoteInfo;
  signed: boolean;
}

export interface SocketCounters {
  received: number;
  sent: number;
  send_errors: number;
  dropped: Record<DropReason, number>;
}

interface Events {
  message: [Received];
  /** Circus's `""` probe. */
  probe: [RemoteInfo];
  dropped: [DropReason, string, RemoteInfo];
  /** A send failed (the network went away…); the socket stays usable. Not 'error': nothing here may throw. */
  problem: [Error];
}

function explain(err: NodeJS.ErrnoException, what: string, o: DiscoverySocketOptions): Error {
  const hint: Record<string, string> = {
    ENODEV: 'the interface has no multicast support or no multicast route',
    EADDRNOTAVAIL: `${o.iface.address} is not an address of this host (any more)`,
    EADDRINUSE: `port ${o.port} is held by a program that does not share it`,
    EACCES: 'permission denied',
    ENETUNREACH: 'no route to the group (add one: ip route add 224.0.0.0/4 dev IFACE)',
  };
  return new Error(`${what}: ${hint[err.code ?? ''] ?? err.message}`);
}

function bound(sock: dgram.Socket, port: number, address?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind({ port, address, exclusive: false }, () => {
      sock.off('error', reject);
      resolve();
    });
  });
}

export class DiscoverySocket extends EventEmitter<Events> {
  readonly counters: SocketCounters = { received: 0, sent: 0, send_errors: 0, dropped: emptyDropCounts() };
  private readonly replay = new ReplayGuard();
  private closed = false;

  private constructor(readonly opts: DiscoverySocketOptions, private readonly listen: dgram.Socket, private readonly out: dgram.Socket) {
    super();
    listen.on('message', (buf, from) => this.receive(buf, from));
    out.on('message', (buf, from) => this.receive(buf, from));
  }

  /** Binds and joins; rejects with a plain-English reason (missing interface, no multicast, …). */
  static async open(opts: DiscoverySocketOptions): Promise<DiscoverySocket> {
    const listen = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    const out = dgram.createSocket({ type: 'udp4' });
    const where = `${opts.group}:${opts.port} on ${opts.iface.name} (${opts.iface.address})`;
    try {
      await bound(listen, opts.port).catch((err: NodeJS.ErrnoException) => { throw explain(err, `cannot bind UDP port ${opts.port}`, opts); });
      try {
        listen.addMembership(opts.group, opts.iface.address);
      } catch (err) {
        throw explain(err as NodeJS.ErrnoException, `cannot join ${where}`, opts);
      }
      await bound(out, 0, opts.iface.address).catch((err: NodeJS.ErrnoException) => { throw explain(err, `cannot bind ${opts.iface.address}`, opts); });
      out.setMulticastInterface(opts.iface.address);
      out.setMulticastTTL(opts.ttl);
      out.setMulticastLoopback(true); // a listener on the same host hears us too
    } catch (err) {
      for (const s of [listen, out]) s.close(() => undefined);
      throw err;
    }
    const s = new DiscoverySocket(opts, listen, out);
    for (const sock of [listen, out]) sock.on('error', (err) => s.emit('problem', err));
    return s;
  }

  /** Sends to the group. */
  sendGroup(msg: Datagram): Promise<void> {
    return this.sendTo(msg, this.opts.group, this.opts.port);
  }

  /** Sends one datagram (encoded, signed when there is a key) to an address. */
  sendTo(msg: Datagram, address: string, port: number): Promise<void> {
    return this.sendRaw(encodeDatagram(msg, this.opts.key), address, port);
  }

  /** Resolves once the datagram left (or failed: counted and reported as a 'problem'); never rejects. */
  sendRaw(buf: Buffer, address: string, port: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.out.send(buf, port, address, (err) => {
        if (!err) this.counters.sent++;
        else {
          this.counters.send_errors++;
          this.emit('problem', explain(err as NodeJS.ErrnoException, `cannot send to ${address}:${port}`, this.opts));
        }
        resolve();
      });
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    const closing = (s: dgram.Socket) => new Promise<void>((resolve) => {
      try {
        s.close(() => resolve());
      } catch {
        resolve();
      }
    });
    return Promise.all([closing(this.listen), closing(this.out)]).then(() => undefined);
  }

  private receive(buf: Buffer, from: RemoteInfo): void {
    if (this.closed) return;
    if (isCircusProbe(buf)) {
      this.counters.received++;
      this.emit('probe', from);
      return;
    }
    const d = decodeDatagram(buf, { key: this.opts.key, maxSkewMs: this.opts.maxSkewMs });
    if (d.ok && this.opts.self && d.msg.id === this.opts.self.id && d.msg.boot === this.opts.self.boot) return;
    this.counters.received++;
    if (!d.ok) return this.drop(d.reason, d.detail, from);
    if (this.opts.key && !this.replay.accept(d.msg.id, d.msg.boot, d.msg.seq)) {
      return this.drop('replayed', `${d.msg.k} ${d.msg.id} seq ${d.msg.seq} seen before`, from);
    }
    this.emit('message', { msg: d.msg, from, signed: d.signed });
  }

  private drop(reason: DropReason, detail: string, from: RemoteInfo): void {
    this.counters.dropped[reason]++;
    this.emit('dropped', reason, detail, from);
  }
}
