// ringctl against the fleet (real nats-server, ringd agents, ringmaster): selectors, host-grouped output, exit codes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fleetClient, fleetDir, startFleetAgent, startRingmaster, waitFleet, type Ringmaster } from '../support/fleet.ts';
import { startNats, type TestNats } from '../support/nats.ts';
import type { Ringd } from '../support/ringd.ts';
import { ringctl } from '../support/ringctl.ts';


describe('ringctl, fleet mode', () => {
  let nats: TestNats;
  let dir: string;
  let ctl: Ringmaster;
  const agents: Record<string, Ringd> = {};
  let n: string[];

  before(async () => {
    nats = await startNats();
    dir = fleetDir('ring-ctl-fleet');
    ctl = startRingmaster(dir, [nats.url], { id: 'ctl-1' });
    for (const [id, role] of [['web-1', 'web'], ['web-2', 'web'], ['db-1', 'db']]) agents[id] = startFleetAgent(dir, [nats.url], { id, labels: { role } });
    const nc = await fleetClient([nats.url]);
    await waitFleet(nc, (s) => s.agents.filter((a) => a.state === 'alive' && a.inventory).length === 3, 'three agents');
    await nc.close();
    n = ['--nats', nats.url];
  });
  after(async () => {
    for (const a of Object.values(agents)) await a.stop('SIGKILL');
    await ctl?.stop('SIGKILL');
    await nats?.stop();
  });

  it('status of the fleet is one table grouped by host; hosts lists the members', async () => {
    const r = await ringctl([...n, 'status']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'HOST   WATCHER  STATE\ndb-1   idle     active\nweb-1  idle     active\nweb-2  idle     active\n');
    const hosts = await ringctl([...n, 'hosts', '--label', 'role=web']);
    assert.match(hosts.stdout, /^HOST\s+STATE\s+LABELS\s+WATCHERS\s+PROCESSES\s+HEARTBEAT\s+REASON\nweb-1\s+alive\s+role=web\s+1\s+2\s+\d+s ago\nweb-2\s+alive/);
  });

  it('selectors reach only their hosts; the output is grouped by host; --json is the controller reply', async () => {
    const r = await ringctl([...n, 'incr', 'idle', '--label', 'role=web', '--wait']);
    assert.deepEqual([r.code, r.stdout], [0, 'web-1: 3\nweb-2: 3\n']);
    const j = await ringctl([...n, '--json', 'numprocesses', 'idle', '--host', 'db-*,web-1']);
    const doc = JSON.parse(j.stdout) as { status: string; mode: string; results: { host: string; reply: { numprocesses: number } }[] };
    assert.deepEqual([doc.status, doc.mode], ['ok', 'fleet']);
    assert.deepEqual(doc.results.map((x) => [x.host, x.reply.numprocesses]), [['db-1', 2], ['web-1', 3]]);
  });

  it('a hung host makes it partial (exit 3) with the others answered; a bad target is an error (exit 1)', async () => {
    agents['db-1'].child.kill('SIGSTOP');
    try {
      const r = await ringctl([...n, '--timeout', '1.5', 'status']);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stdout, /^db-1\s+-\s+(timeout: no reply within 1\.5s|unreachable: (suspect|lost).*)$/m);
      assert.match(r.stdout, /^web-1\s+idle\s+active$/m);
    } finally {
      agents['db-1'].child.kill('SIGCONT');
    }
    const bad = await ringctl([...n, 'status', '--host', 'nope']);
    assert.deepEqual([bad.code, bad.stdout], [1, '']);
    assert.match(bad.stderr, /^ringctl: no agent matches hosts nope \(known agents: db-1, web-1, web-2\)$/m);
  });

  it('a context file gives the NATS servers; no controller or no NATS is exit 5 with what to do', async () => {
    const context = join(dir, 'ctl.toml');
    writeFileSync(context, `[nats]\nservers = ["${nats.url}"]\n`);
    assert.equal((await ringctl(['--context', context, 'numwatchers', '--host', 'web-1'])).stdout, 'web-1: 1\n');
    assert.equal((await ringctl(['numwatchers', '--host', 'web-2'], { RING_NATS: nats.url })).stdout, 'web-2: 1\n');
    const home = join(dir, 'home');
    mkdirSync(join(home, '.config', 'ringmaster'), { recursive: true });
    writeFileSync(join(home, '.config', 'ringmaster', 'ctl.toml'), `[nats]\nservers = ["${nats.url}"]\n`);
    assert.equal((await ringctl(['numwatchers', '--host', 'db-1'], { HOME: home })).stdout, 'db-1: 1\n');
    const lonely = await startNats();
    try {
      const r = await ringctl(['--nats', lonely.url, 'status']);
      assert.equal(r.code, 5);
      assert.match(r.stderr, /no controller answers on NATS: start one with `ringmaster --config controller.toml`/);
    } finally {
      await lonely.stop();
    }
    const gone = await ringctl(['--nats', 'nats://127.0.0.1:1', 'status']);
    assert.equal(gone.code, 5);
    assert.match(gone.stderr, /cannot reach NATS at nats:\/\/127\.0\.0\.1:1/);
  });

  it('start and stop on the fleet say per host whether anything changed', async () => {
    const stop = async () => JSON.parse((await ringctl([...n, '--json', 'stop', 'idle', '--host', 'web-2', '--wait'])).stdout) as { results: { host: string; changed: boolean }[] };
    assert.deepEqual((await stop()).results.map((r) => [r.host, r.changed]), [['web-2', true]]);
    assert.deepEqual((await stop()).results.map((r) => [r.host, r.changed]), [['web-2', false]]);
    const start = JSON.parse((await ringctl([...n, '--json', 'start', 'idle', '--label', 'role=web', '--wait'])).stdout) as { results: { host: string; changed: boolean }[] };
    assert.deepEqual(start.results.map((r) => [r.host, r.changed]), [['web-1', false], ['web-2', true]]);
  });

  it('rollout from the command line', async () => {
    const r = await ringctl([...n, 'rollout', 'restart', 'idle', '--label', 'role=db', '--settle_ms', '300']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^db-1:\n  stopped: \[\d+,\d+\]\n  started: \[\d+,\d+\]/);
    const refused = await ringctl(['--endpoint', 'tcp://127.0.0.1:1', 'rollout', 'idle']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /rollout needs the fleet/);
  });
});
