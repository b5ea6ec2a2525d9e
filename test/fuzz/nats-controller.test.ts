// NATS payloads on every subject ringmaster serves or consumes, fuzzed (FUZZ_SEED replays; FUZZ_CASES per subject,
// default 10,000): heartbeats and events (forged ids, boots and revisions included), stats, ring.api.<command> requests
// and ring.fleet.snapshot requests. They go over a real nats-server to two controllers at once: ringmaster's own
// Controller in this process (the daemon's code path: it receives every heartbeat and event) and a real ringmaster
// process (the queue group gives each about half of the requests), with a real ringd agent behind them. Every request
// gets a well-formed reply with a plain reason; afterwards both controllers show the real agent alive with its true
// inventory, a fleet command works, and the agent's processes were never touched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { FileAudit } from '../../controller/audit.ts';
import { Controller } from '../../controller/service.ts';
import { silentLogger } from '../../agent/log.ts';
import { COMMANDS } from '../../protocol/commands/index.ts';
import type { ApiReply, FleetSnapshot, Inventory } from '../../protocol/fleet/messages.ts';
import { subjects } from '../../protocol/fleet/subjects.ts';
import { api, fleetClient, fleetDir, startFleetAgent, startRingmaster, type Ringmaster } from '../support/fleet.ts';
import { startNats, type TestNats } from '../support/nats.ts';
import type { Ringd } from '../support/ringd.ts';
import { waitFor } from '../support/wait.ts';
import { agentToken, apiBody, commandToken, eventBody, heartbeatBody, statsBody } from './lib/nats-bodies.ts';
import { fuzzSettings, Rand, type Json } from './lib/rand.ts';
import { plainReason } from './lib/replies.ts';
import { dangerous, FUZZ_WATCHERS, PROTECTED_WATCHERS, THROWAWAY_WATCHER } from './lib/requests.ts';

const AGENT = 'a1';
/** Requests in flight at once; the per-request deadline. */
const PARALLEL = 32;
const REQUEST_TIMEOUT_MS = 30_000;
/** Shares of FUZZ_CASES: stats are consumed by nobody yet, snapshots are large. */
const STATS_SHARE = 0.2;
const SNAPSHOT_SHARE = 0.3;
const { seed, cases } = fuzzSettings();

let nats: TestNats;
let agent: Ringd;
let real: Ringmaster;
let local: Controller;
let localNc: NatsConnection;
let nc: NatsConnection;
before(async () => {
  nats = await startNats();
  const dir = fleetDir('fuzz-nats-controller');
  agent = startFleetAgent(dir, [nats.url], { id: AGENT, watchers: FUZZ_WATCHERS });
  real = startRingmaster(dir, [nats.url], { id: 'ctl-real' });
  local = new Controller({
    id: 'ctl-fuzz', log: silentLogger, requestTimeoutMs: 2000, timings: { suspectAfterMissed: 3, lostAfterMs: 10_000 },
    auditFile: new FileAudit(join(dir, 'ctl-fuzz-audit.jsonl'), silentLogger),
  });
  localNc = await connect({ servers: [nats.url], name: 'ctl-fuzz' });
  local.attach(localNc);
  nc = await fleetClient([nats.url]);
});
after(async () => {
  local?.stop();
  await localNc?.close();
  await nc?.close();
  await agent?.stop('SIGKILL');
  await real?.stop('SIGKILL');
  await nats?.stop();
});

/** The agent's processes by watcher, as it reports them itself. */
async function truePids(): Promise<Inventory> {
  const m = await nc.request(subjects.ctl(AGENT, 'inventory'), '', { timeout: 10_000 });
  return (m.json<{ inventory: Inventory }>()).inventory;
}
/** Pids of the protected watchers (the throwaway one may change). */
const pidsOf = (inv: Inventory | null | undefined) => Object.fromEntries((inv?.watchers ?? []).filter((w) => PROTECTED_WATCHERS.includes(w.name)).map((w) => [w.name, w.processes.map((p) => p.pid)]));

/** Properties for a fleet command: catalogue-shaped, mostly valid; never a change beyond the throwaway watcher. */
function apiProps(r: Rand, command: string): () => Json {
  return () => {
    const props: Record<string, Json> = r.chance(0.5) ? { name: r.pick([...PROTECTED_WATCHERS, THROWAWAY_WATCHER, 'nope', '*']) } : {};
    if (r.chance(0.3)) props[r.pick(['nb', 'waiting', 'signum', 'options', 'bogus'])] = r.json(['numprocesses']);
    if (command === 'rollout') props.name = r.chance(0.5) ? THROWAWAY_WATCHER : r.json();
    return props;
  };
}

/** A fleet request that would change the agent beyond the throwaway watcher is drawn again. */
function apiRequest(r: Rand): { subject: string; body: Buffer } {
  for (;;) {
    const command = commandToken(r);
    const body = apiBody(r, apiProps(r, command));
    let properties: unknown;
    try {
      const text = body.toString('utf8'); // an empty body is a valid request: every agent, no properties
      properties = text.trim() === '' ? undefined : (JSON.parse(text) as { properties?: unknown } | null)?.properties;
    } catch {
      return { subject: subjects.api(command), body };
    }
    const asCtl = Buffer.from(JSON.stringify({ command, ...(properties === undefined ? {} : { properties }) }));
    if (!dangerous(asCtl) && (command !== 'rollout' || (properties as { name?: unknown } | undefined)?.name !== 'sleeper')) return { subject: subjects.api(command), body };
  }
}

function checkApiReply(text: string, where: string): void {
  const reply = JSON.parse(text) as ApiReply & { agents?: unknown };
  assert.ok(['ok', 'partial', 'error'].includes(reply.status), `${where}: status ${reply.status}`);
  assert.ok(Array.isArray(reply.results), `${where}: results`);
  if (reply.status === 'error' && reply.results.length === 0) plainReason(String(reply.reason), where);
  for (const h of reply.results) if (h.status !== 'ok') plainReason(String(h.reason), `${where}: host ${h.host}`);
}

async function requests(n: number, draw: (r: Rand) => { subject: string; body: Buffer }, check: (text: string, where: string) => void, r: Rand): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const { subject, body } = draw(r);
      try {
        check((await nc.request(subject, body, { timeout: REQUEST_TIMEOUT_MS })).string(), `case ${i} on ${subject}`);
      } catch (err) {
        failures.push(`${(err as Error).message} (seed ${seed}): ${body.toString('utf8').slice(0, 200)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return failures;
}

test(`fuzzed heartbeats, events, stats, fleet API and snapshot requests (seed ${seed}) leave both controllers serving the true fleet`, { timeout: 600_000 }, async (tc) => {
  tc.diagnostic(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed}), ${cases} per subject`);
  await waitFor(() => local.model.view(AGENT)?.inventory?.watchers.length === 3, { what: 'the in-process controller to know a1', timeoutMs: 60_000 });
  await waitFor(async () => (await api(nc, 'status', { target: { hosts: [AGENT] } })).controller === 'ctl-real', { what: 'ctl-real to answer', timeoutMs: 60_000, intervalMs: 100 });
  const before = await truePids();
  const realBoot = local.model.view(AGENT)!.boot;
  const r = new Rand(seed);
  const started = Date.now();
  for (let i = 0; i < cases; i++) {
    const id = agentToken(r, AGENT);
    nc.publish(subjects.heartbeat(id), heartbeatBody(r, r.chance(0.9) ? id : agentToken(r, AGENT)));
    nc.publish(`${subjects.agent(id).slice(0, -1)}evt.${r.pick(['sleeper', '_agent', 'x'])}.${r.pick(['spawn', 'reap', 'goodbye', 'state'])}`, eventBody(r, id));
    if (i < cases * STATS_SHARE) nc.publish(subjects.stats(id), statsBody(r, id));
    if (i % 500 === 0) await nc.flush();
  }
  await nc.flush();
  const failures = await requests(cases, apiRequest, checkApiReply, r);
  const snapshotFailures = await requests(Math.round(cases * SNAPSHOT_SHARE), (rr) => ({
    subject: subjects.fleetSnapshot, body: rr.pick([Buffer.alloc(0), Buffer.from('{"inventory":false}'), rr.bytes(rr.int(100)), Buffer.from(JSON.stringify(rr.json(['inventory'])))]),
  }), (text, where) => assert.ok(Array.isArray((JSON.parse(text) as FleetSnapshot).agents), where), r);
  tc.diagnostic(`published ${cases} heartbeats and events, sent ${cases} API and ${Math.round(cases * SNAPSHOT_SHARE)} snapshot requests in ${Date.now() - started} ms; ` +
    `the in-process controller counted ${local.counters.malformed} malformed messages`);
  assert.deepEqual([...failures, ...snapshotFailures].slice(0, 5), []);
  assert.ok(local.counters.malformed > 0, 'malformed payloads were seen and refused');

  // Both controllers come back to the truth: the real agent, its real boot, its real processes.
  assert.equal(real.child.exitCode, null, `ringmaster is still running\n${real.output().slice(-2000)}`);
  assert.equal(agent.child.exitCode, null, `ringd is still running\n${agent.output().slice(-3000)}`);
  assert.deepEqual(pidsOf(await truePids()), pidsOf(before), 'the agent\'s processes were not touched');
  await waitFor(() => {
    const v = local.model.view(AGENT);
    return v?.state === 'alive' && v.boot === realBoot && JSON.stringify(pidsOf(v.inventory)) === JSON.stringify(pidsOf(before));
  }, { what: 'the in-process controller to show a1 as it really is', timeoutMs: 60_000 });
  await waitFor(async () => {
    const s = (await nc.request(subjects.fleetSnapshot, '', { timeout: 10_000 })).json<FleetSnapshot>();
    const v = s.agents.find((a) => a.id === AGENT);
    return s.controller === 'ctl-real' && v?.state === 'alive' && v.boot === realBoot && JSON.stringify(pidsOf(v.inventory)) === JSON.stringify(pidsOf(before));
  }, { what: 'ringmaster to show a1 as it really is', timeoutMs: 60_000, intervalMs: 100 });
  const status = await api(nc, 'status', { target: { hosts: [AGENT] }, properties: { name: 'sleeper' } });
  assert.equal(status.results[0]?.reply?.status, 'active', JSON.stringify(status));
  assert.doesNotMatch(real.output(), /uncaught|unhandled|TypeError/i);
  assert.ok(COMMANDS.length > 0);
});
