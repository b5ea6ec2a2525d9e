/**
 * The controllers' JetStream assets — the audit stream RING_AUDIT and the KV bucket ring_agents —
 * and how many replicas they keep. A controller creates them with `[controller] jetstream_replicas`
 * and raises an existing one to it, never lowers it (another controller or the operator may have
 * asked for more); deploy/nats/jetstream.ts sets an exact count.
 */
import { jetstream, JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { AGENTS_BUCKET, AUDIT_STREAM } from './defaults.ts';

/** `raise`: a controller at start-up (more replicas than asked are kept); `exact`: the operator's tool. */
export type ReplicaPolicy = 'raise' | 'exact';

export interface Asset {
  /** The stream's name (a KV bucket is the stream KV_<bucket>). */
  stream: string;
  create(replicas: number): Promise<unknown>;
}

export function controllerAssets(nc: NatsConnection, jsm: JetStreamManager, timeoutMs: number): Asset[] {
  return [
    { stream: AUDIT_STREAM, create: (r) => jsm.streams.add({ name: AUDIT_STREAM, subjects: ['ring.audit.>'], num_replicas: r }) },
    {
      stream: `KV_${AGENTS_BUCKET}`,
      create: (r) => new Kvm(jetstream(nc, { timeout: timeoutMs })).create(AGENTS_BUCKET, { history: 1, allow_direct: false, replicas: r }),
    },
  ];
}

export interface Replicated {
  stream: string;
  replicas: number;
  /** Whether it was created or its replicas changed. */
  changed: boolean;
  /** What was done, in words: "RING_AUDIT: 1 → 3 replica(s)". */
  done: string;
}

/** Creates `asset` with `replicas`, or brings an existing one to it as `policy` says. */
export async function ensureReplicas(jsm: JetStreamManager, asset: Asset, replicas: number, policy: ReplicaPolicy): Promise<Replicated> {
  const { stream } = asset;
  const info = await jsm.streams.info(stream).catch((err: Error) => {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return undefined;
    throw err;
  });
  if (!info) {
    await asset.create(replicas);
    const made = (await jsm.streams.info(stream)).config.num_replicas;
    return { stream, replicas: made, changed: true, done: `${stream}: created with ${made} replica(s)` };
  }
  const have = info.config.num_replicas;
  if (have === replicas || (policy === 'raise' && have > replicas)) return { stream, replicas: have, changed: false, done: `${stream}: unchanged, ${have} replica(s)` };
  // A standalone server refuses to create a stream with more than one replica but accepts the update, keeping one copy.
  if (replicas > 1 && !info.cluster) throw new Error('the server is not part of a cluster');
  const now = (await jsm.streams.update(stream, { ...info.config, num_replicas: replicas })).config.num_replicas;
  return { stream, replicas: now, changed: true, done: `${stream}: ${have} → ${now} replica(s)` };
}
