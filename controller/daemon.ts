/**
 * The running ringmaster: a NATS link that reconnects forever, the controller serving on it,
 * discovery (listening for agents, answering their queries with the NATS URLs to use), the audit
 * trail, and signals (TERM/INT: goodbye, close, exit 0).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from '../agent/log.ts';
import { NatsLink } from '../agent/fleet/connection.ts';
import { Announcer } from '../agent/discovery/announcer.ts';
import { resolveInterface } from '../agent/discovery/iface.ts';
import { loadFleetKey } from '../agent/discovery/key.ts';
import { DiscoverySocket } from '../agent/discovery/socket.ts';
import { VERSION } from '../agent/version.ts';
import { FileAudit } from './audit.ts';
import type { ControllerConfig } from './config.ts';
import { DiscoveryListener } from './discovery/listener.ts';
import { Controller } from './service.ts';

export class Ringmaster {
  readonly controller: Controller;
  private readonly link: NatsLink;
  private readonly boot = randomBytes(6).toString('hex');
  private seq = 0;
  private discovery: { socket: DiscoverySocket; announcer: Announcer; listener: DiscoveryListener } | null = null;
  private stopping: Promise<void> | null = null;

  constructor(private readonly cfg: ControllerConfig, private readonly log: Logger) {
    const c = cfg.controller;
    this.controller = new Controller({
      id: c.id, log, requestTimeoutMs: c.request_timeout,
      timings: { suspectAfterMissed: c.suspect_after, lostAfterMs: c.lost_after },
      auditFile: new FileAudit(c.audit_file, log), jetstreamReplicas: c.jetstream_replicas,
    });
    this.link = new NatsLink(cfg.nats, cfg.nats.name ?? c.id, cfg.nats.servers, log);
    this.link.on('up', (nc, again) => {
      if (!again) this.controller.attach(nc);
    });
  }

  async run(): Promise<void> {
    this.log.info(`ringmaster ${this.cfg.controller.id} starting (NATS ${this.cfg.nats.servers.join(', ')}; audit ${this.cfg.controller.audit_file})`);
    this.link.start();
    await this.startDiscovery();
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      process.on(sig, () => void this.stop(sig).then(() => process.exit(0)));
    }
  }

  /** Multicast is only a hint for the controller: when it cannot start, say why and carry on without it. */
  private async startDiscovery(): Promise<void> {
    const d = this.cfg.discovery;
    if (!d.enabled) return;
    const iface = resolveInterface(d.interface);
    try {
      if ('error' in iface) throw new Error(iface.error);
      const key = d.key_file ? loadFleetKey(d.key_file).key : undefined;
      if (!key) this.log.warning('discovery is not signed: anyone on the network can announce or answer; set [discovery] key_file');
      const id = this.cfg.controller.id;
      const socket = await DiscoverySocket.open({ group: d.group, port: d.port, iface, ttl: d.ttl, key, maxSkewMs: d.max_clock_skew, self: { id, boot: this.boot } });
      socket.on('problem', (err) => this.log.warning(`discovery: ${err.message}`));
      const nats = this.cfg.controller.announce_nats.length ? this.cfg.controller.announce_nats : this.cfg.nats.servers;
      const nextSeq = () => ++this.seq;
      const announcer = new Announcer(socket, {
        role: 'controller', id, boot: this.boot, host: os.hostname(), version: VERSION, intervalMs: d.announce_interval, bootstrap: false,
        payload: () => ({ ctl: [], nats, w: 0, p: 0, labels: {} }),
      }, nextSeq);
      const listener = new DiscoveryListener(socket, { role: 'controller', id, boot: this.boot, nextSeq });
      listener.on('event', (e) => this.controller.discovery(e));
      announcer.start();
      await listener.query(['agent']);
      this.discovery = { socket, announcer, listener };
      this.log.info(`discovery: listening on ${d.group}:${d.port} via ${iface.name} (${iface.address}), telling agents to use ${nats.join(', ')}`);
    } catch (err) {
      this.log.warning(`discovery off: ${(err as Error).message} (agents configured with NATS servers are not affected)`);
    }
  }

  stop(reason: string): Promise<void> {
    this.stopping ??= (async () => {
      this.log.info(`${reason}: stopping`);
      if (this.discovery) {
        await this.discovery.announcer.stop();
        this.discovery.listener.close();
        await this.discovery.socket.close();
      }
      this.controller.stop();
      await this.link.close(2000);
      this.log.info('ringmaster stopped');
    })();
    return this.stopping;
  }
}
