/**
 * `ringctl discover`: lists the agents and controllers announcing on the LAN (asks them with a
 * query, then listens), or with --watch prints every change as it happens. Settings come from a
 * ringd config's [discovery] (--config) and flags.
 */
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError, type Command } from 'commander';
import { parseDuration } from '../agent/config/duration.ts';
import * as D from '../agent/defaults.ts';
import { resolveInterface } from '../agent/discovery/iface.ts';
import { loadFleetKey } from '../agent/discovery/key.ts';
import { DiscoverySocket } from '../agent/discovery/socket.ts';
import { DiscoveryListener, type ListenerEvent, type Peer } from '../controller/discovery/listener.ts';

interface Options {
  config?: string;
  group?: string;
  port?: number;
  interface?: string;
  keyFile?: string;
  timeout: number;
  watch?: boolean;
  json?: boolean;
}

const duration = (v: string): number => {
  const ms = parseDuration(v);
  if (ms === undefined) throw new InvalidArgumentError('expected a duration such as 2, "500ms" or "5s"');
  return ms;
};

const port = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('expected a port from 1 to 65535');
  return n;
};

async function settings(o: Options) {
  const { loadConfig } = await import('../agent/config/index.ts');
  const d = o.config ? (await loadConfig(o.config)).discovery : undefined;
  const keyFile = o.keyFile ?? d?.key_file;
  const iface = resolveInterface(o.interface ?? d?.interface);
  if ('error' in iface) throw new Error(iface.error);
  return {
    group: o.group ?? d?.group ?? D.DEFAULT_DISCOVERY_GROUP,
    port: o.port ?? d?.port ?? D.DEFAULT_DISCOVERY_PORT,
    iface,
    ttl: d?.ttl ?? D.DEFAULT_DISCOVERY_TTL,
    key: keyFile ? loadFleetKey(keyFile).key : undefined,
    maxSkewMs: d?.max_clock_skew ?? D.DEFAULT_MAX_CLOCK_SKEW_MS,
  };
}

const labelText = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') || '-';

function table(peers: Peer[]): string {
  const rows = [['ID', 'ROLE', 'STATE', 'ADDRESS', 'CONTROL', 'NATS', 'WATCHERS', 'PROCS', 'LABELS', 'SIGNED']];
  for (const p of peers) {
    rows.push([p.id, p.role, p.state, p.address, p.ctl.join(',') || '-', p.nats.join(',') || '-', String(p.watchers),
      String(p.processes), labelText(p.labels), p.signed ? 'yes' : 'no']);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

function eventLine(e: ListenerEvent): string {
  const time = new Date(e.at).toISOString();
  switch (e.event) {
    case 'dropped': return `${time} dropped a datagram from ${e.from}: ${e.reason} (${e.detail})`;
    case 'seen': return `${time} ${e.peer.id} ${e.restarted ? 'restarted' : 'seen'}: ${e.peer.role} at ${e.peer.address}, labels ${labelText(e.peer.labels)}`;
    case 'changed': return `${time} ${e.peer.id} changed: ${e.peer.watchers} watcher(s), ${e.peer.processes} process(es)`;
    case 'silent': return `${time} ${e.peer.id} silent: nothing heard for ${Math.round((e.at - e.peer.last_seen) / 1000)}s`;
    case 'left': return `${time} ${e.peer.id} left (goodbye)`;
  }
}

async function run(o: Options): Promise<void> {
  const s = await settings(o);
  const boot = randomBytes(6).toString('hex');
  let seq = 0;
  const socket = await DiscoverySocket.open({ ...s, self: undefined });
  socket.on('problem', (err) => process.stderr.write(`ringctl: ${err.message}\n`));
  const listener = new DiscoveryListener(socket, { role: 'client', id: `ringctl-${process.pid}`, boot, nextSeq: () => ++seq });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (o.watch) {
    listener.on('event', (e) => out(o.json ? JSON.stringify(e) : eventLine(e)));
    out(o.json ? JSON.stringify({ event: 'listening', at: Date.now(), group: s.group, port: s.port, interface: s.iface.name, address: s.iface.address, signed: s.key !== undefined })
      : `listening on ${s.group}:${s.port} via ${s.iface.name} (${s.iface.address})${s.key ? ', signed' : ''}; Ctrl-C to stop`);
    await listener.query();
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  } else {
    await listener.query();
    await new Promise((resolve) => setTimeout(resolve, o.timeout));
    const peers = listener.peers();
    if (o.json) out(JSON.stringify({ peers, dropped: socket.counters.dropped }));
    else out(peers.length ? table(peers) : `nothing heard on ${s.group}:${s.port} via ${s.iface.name} within ${o.timeout / 1000}s`);
  }
  listener.close();
  await socket.close();
}

export function addDiscover(program: Command): void {
  program
    .command('discover')
    .description('list the agents and controllers announcing by multicast on this network')
    .option('-c, --config <file>', 'take [discovery] settings (group, port, interface, key_file) from this ringd config')
    .option('--group <address>', `multicast group (default ${D.DEFAULT_DISCOVERY_GROUP})`)
    .option('--port <port>', `UDP port (default ${D.DEFAULT_DISCOVERY_PORT})`, port)
    .option('--interface <name|address>', 'interface to listen on (default: the first non-loopback IPv4 one)')
    .option('--key-file <file>', 'fleet key: only signed datagrams are accepted')
    .option('--timeout <duration>', 'how long to listen after asking', duration, D.DEFAULT_ANNOUNCE_INTERVAL_MS)
    .option('-w, --watch', 'keep listening and print every change (seen, changed, silent, left, dropped)')
    .option('--json', 'JSON output (with --watch: one JSON object per line)')
    .action((o: Options) => run(o));
}
