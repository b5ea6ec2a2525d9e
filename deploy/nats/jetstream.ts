/**
 * Sets how many replicas the controllers' JetStream assets keep on a NATS cluster: the audit stream
 * RING_AUDIT and the KV bucket ring_agents are created with --replicas N, or changed to exactly N when
 * they exist. (Controllers do this themselves with `[controller] jetstream_replicas`, but only ever
 * raise the count; this tool also lowers it, e.g. before shrinking the cluster.)
 *   cd /usr/local/lib/node_modules/ringmaster && NATS_PASSWORD=… node --import tsx deploy/nats/jetstream.ts \
 *     --servers nats://10.0.0.9:4222,nats://10.0.0.10:4222 --user ringmaster --replicas 3
 * Prints one line per asset with its replica count; running it again changes nothing.
 */
import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { MAX_JETSTREAM_REPLICAS } from '../../controller/defaults.ts';
import { controllerAssets, ensureReplicas } from '../../controller/replicas.ts';

const TIMEOUT_MS = 10_000;

/** Sets the replicas of the controllers' stream and bucket to exactly `replicas`; one line per asset. */
export async function replicateControllerAssets(opts: { servers: string[]; user?: string; pass?: string; replicas: number }): Promise<string[]> {
  const nc = await connect({ servers: opts.servers, user: opts.user, pass: opts.pass, timeout: TIMEOUT_MS });
  try {
    const jsm = await jetstreamManager(nc, { timeout: TIMEOUT_MS });
    const lines: string[] = [];
    for (const asset of controllerAssets(nc, jsm, TIMEOUT_MS)) {
      const r = await ensureReplicas(jsm, asset, opts.replicas, 'exact').catch((err: Error) => {
        throw new Error(`${asset.stream}: ${err.message}`);
      });
      lines.push(r.done);
    }
    return lines;
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
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_JETSTREAM_REPLICAS) throw new Error(`--replicas: expected 1 to ${MAX_JETSTREAM_REPLICAS}, got ${values.replicas}`);
    for (const line of await replicateControllerAssets({ servers, user: values.user, pass: process.env.NATS_PASSWORD, replicas })) process.stdout.write(`${line}\n`);
  } catch (err) {
    process.stderr.write(`jetstream: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
