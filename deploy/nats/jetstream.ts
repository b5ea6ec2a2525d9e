/**
 * Makes the controllers' JetStream assets replicated on a NATS cluster: the audit stream RING_AUDIT
 * and the KV bucket ring_agents, created with --replicas N or scaled up to it when a controller
 * already made them (controllers create them with one replica and use whatever exists).
 *   cd /usr/local/lib/node_modules/ringmaster && NATS_PASSWORD=… node --import tsx deploy/nats/jetstream.ts \
 *     --servers nats://10.0.0.9:4222,nats://10.0.0.10:4222 --user ringmaster --replicas 3
 * Prints one line per asset with its replica count; running it again changes nothing.
 */
import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { AGENTS_BUCKET, AUDIT_STREAM } from '../../controller/defaults.ts';

/** Creates the stream with `replicas`, or raises an existing one to it; the line to print. */
async function ensure(jsm: JetStreamManager, name: string, create: () => Promise<unknown>, replicas: number): Promise<string> {
  const info = await jsm.streams.info(name).catch(() => undefined);
  if (!info) {
    await create();
    return `${name}: created with ${(await jsm.streams.info(name)).config.num_replicas} replica(s)`;
  }
  if (info.config.num_replicas === replicas) return `${name}: unchanged, ${replicas} replica(s)`;
  const updated = await jsm.streams.update(name, { ...info.config, num_replicas: replicas });
  return `${name}: ${info.config.num_replicas} → ${updated.config.num_replicas} replica(s)`;
}

export async function replicateControllerAssets(opts: { servers: string[]; user?: string; pass?: string; replicas: number }): Promise<string[]> {
  const nc = await connect({ servers: opts.servers, user: opts.user, pass: opts.pass, timeout: 10_000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 10_000 });
    return [
      await ensure(jsm, AUDIT_STREAM, () => jsm.streams.add({ name: AUDIT_STREAM, subjects: ['ring.audit.>'], num_replicas: opts.replicas }), opts.replicas),
      await ensure(jsm, `KV_${AGENTS_BUCKET}`, () => new Kvm(jetstream(nc, { timeout: 10_000 })).create(AGENTS_BUCKET, { history: 1, allow_direct: false, replicas: opts.replicas }), opts.replicas),
    ];
  } finally {
    await nc.close();
  }
}

if (process.argv[1] && import.meta.url === new URL(process.argv[1], 'file://').href) {
  try {
    const { values } = parseArgs({ options: { servers: { type: 'string' }, user: { type: 'string' }, replicas: { type: 'string', default: '3' } } });
    const servers = values.servers?.split(',').filter(Boolean) ?? [];
    const replicas = Number(values.replicas);
    if (!servers.length) throw new Error('--servers URL,URL,… is required');
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) throw new Error(`--replicas: expected 1 to 5, got ${values.replicas}`);
    for (const line of await replicateControllerAssets({ servers, user: values.user, pass: process.env.NATS_PASSWORD, replicas })) process.stdout.write(`${line}\n`);
  } catch (err) {
    process.stderr.write(`jetstream: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
