// Payloads for the NATS fuzz suites: subject tokens, follow requests, fleet API requests, heartbeats, events and stats
// (valid ones with one field broken, and junk), each drawn from the seeded Rand.
import { COMMANDS } from '../../../protocol/commands/index.ts';
import { corrupt, deepJson, type Json, type Rand } from './rand.ts';
import { PROTECTED_WATCHERS, THROWAWAY_WATCHER } from './requests.ts';

/** A command token for a ctl.<command> or api.<command> subject: a catalogue name (any case) or junk. */
export function commandToken(r: Rand): string {
  if (r.chance(0.8)) {
    const name = r.pick(COMMANDS).name;
    return r.chance(0.1) ? name.toUpperCase() : name;
  }
  return r.pick(['nosuch', 'hosts', 'rollout', '_', '-', 'x'.repeat(200), `c${r.int(1e6)}`, 'ipython']);
}

/** A body for ring.agent.<id>.follow. */
export function followBody(r: Rand): Buffer {
  const watcher = r.pick<Json>([...PROTECTED_WATCHERS, THROWAWAY_WATCHER, 'nope', '', 'SLEEPER', 5, null, [], r.str()]);
  const lease = r.pick<Json>([undefined as unknown as Json, 1, 500, 10_000, 600_000, 0, -1, 1.5, '10', 2 ** 53, 1e308, null]);
  return r.pick<() => Buffer>([
    () => Buffer.from(JSON.stringify({ watcher, ...(lease === undefined ? {} : { lease_ms: lease }) })),
    () => Buffer.from(JSON.stringify({ watcher, extra: r.json() })),
    () => Buffer.from(JSON.stringify(r.json(['watcher', 'lease_ms']))),
    () => corrupt(r, Buffer.from(JSON.stringify({ watcher: 'sleeper', lease_ms: 1000 }))),
    () => r.bytes(r.int(300)),
    () => Buffer.from(deepJson(r)),
    () => Buffer.alloc(0),
  ])();
}

/** A target selector: valid, odd or broken. */
function target(r: Rand): Json {
  return r.pick<() => Json>([
    () => ({ all: true }), () => ({ hosts: [r.pick(['a1', 'a*', '*', 'nope', '', '[', 'A1'])] }), () => ({ labels: [r.pick(['role=web', 'role', '=', 'a=b=c', ''])] }),
    () => ({ hosts: 'a1' }), () => ({ all: 'yes' }), () => ({ bogus: 1 }), () => [], () => 'a1', () => r.json(['hosts', 'labels', 'all']), () => null,
  ])();
}

/** A body for ring.api.<command>: {target, properties, timeout_ms} with any of them broken. */
export function apiBody(r: Rand, props: () => Json): Buffer {
  const body: Record<string, Json> = {};
  if (r.chance(0.7)) body.target = target(r);
  if (r.chance(0.8)) body.properties = r.chance(0.7) ? props() : r.json(['name', 'nb']);
  if (r.chance(0.5)) body.timeout_ms = r.pick<Json>([100, 2000, 0, -5, 1.5, '100', 10 * 60_000 + 1, null]);
  if (r.chance(0.1)) body[r.pick(['extra', 'Target', r.str(4)])] = r.json();
  return r.pick<() => Buffer>([
    () => Buffer.from(JSON.stringify(body)), () => Buffer.from(JSON.stringify(body)), () => Buffer.from(JSON.stringify(body)),
    () => corrupt(r, Buffer.from(JSON.stringify(body))), () => r.bytes(r.int(400)), () => Buffer.alloc(0), () => Buffer.from(deepJson(r)),
  ])();
}

/** A heartbeat for agent `id`: valid, or with fields missing, mistyped or out of range. */
export function heartbeatBody(r: Rand, id: string): Buffer {
  const hb: Record<string, Json> = {
    v: 1, id, boot: `b${r.int(4)}`, seq: r.int(1000), ts: Date.now(), host: 'h', version: '0.1.0', interval_ms: 1000, uptime_s: 1,
    labels: {}, watchers: 1, processes: 1, states: { running: 1 }, rev: r.int(50), load: [0, 0, 0], mem: { total: 1, free: 1 }, dropped_events: 0,
  };
  for (let n = r.int(4); n > 0; n--) {
    const key = r.pick([...Object.keys(hb), 'extra']);
    if (r.chance(0.3)) delete hb[key];
    else hb[key] = r.json(['running', 'role']);
  }
  return r.chance(0.85) ? Buffer.from(JSON.stringify(hb)) : r.pick([corrupt(r, Buffer.from(JSON.stringify(hb))), r.bytes(r.int(300)), Buffer.from(deepJson(r))]);
}

/** An event for agent `id`: valid shapes of every kind, or broken. */
export function eventBody(r: Rand, id: string): Buffer {
  const ev: Record<string, Json> = {
    agent: id, boot: `b${r.int(4)}`, rev: r.int(60), event: r.pick(['spawn', 'reap', 'state', 'watcher_state', 'add', 'remove', 'goodbye', 'bogus']),
    watcher: r.pick(['sleeper', 'nope', '_agent', '']), wid: r.int(4), pid: r.pick<Json>([r.int(1e6), null, -1, 'x']), to: r.pick(['running', 'stopped', 'zzz']), time: Date.now(),
  };
  for (let n = r.int(3); n > 0; n--) ev[r.pick(Object.keys(ev))] = r.json();
  return r.chance(0.85) ? Buffer.from(JSON.stringify(ev)) : r.pick([corrupt(r, Buffer.from(JSON.stringify(ev))), r.bytes(r.int(300)), Buffer.from(deepJson(r))]);
}

/** Stats for agent `id`, mostly junk-shaped. */
export function statsBody(r: Rand, id: string): Buffer {
  return Buffer.from(JSON.stringify(r.chance(0.5) ? { v: 1, agent: id, boot: 'b', ts: Date.now(), watchers: r.json(['name', 'processes']), sockets: r.json(), self: r.json() } : r.json()));
}

/** An agent id for a subject token: the real one, a forged one, or odd ones. */
export function agentToken(r: Rand, real: string): string {
  return r.pick([real, real, 'a2', 'ghost', `g${r.int(50)}`, 'A1', '_', 'x'.repeat(100)]);
}
