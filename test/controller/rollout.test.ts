// Rolling reload/restart across three real agents: batch by batch, stopping at the first failing batch.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import type { RolloutProgress } from '../../protocol/fleet/commands.ts';
import { subjects } from '../../protocol/fleet/subjects.ts';
import { api, fleetClient, fleetDir, startFleetAgent, startRingmaster, waitFleet, type Ringmaster } from '../support/fleet.ts';
import { startNats, type TestNats } from '../support/nats.ts';
import type { Ringd } from '../support/ringd.ts';
import { waitFor } from '../support/wait.ts';

const HOSTS = ['a1', 'a2', 'a3'];

describe('rollout across hosts', () => {
  let nats: TestNats;
  let dir: string;
  let nc: NatsConnection;
  let ctl: Ringmaster;
  const agents: Ringd[] = [];
  const readyFile = (h: string) => join(dir, `ready-${h}`);
  const pids = async (): Promise<Record<string, number[]>> => {
    const r = await api(nc, 'list', { properties: { name: 'web' } });
    return Object.fromEntries(r.results.map((x) => [x.host, (x.reply?.pids as number[]).slice().sort()]));
  };
  const progress = (id: string, events: RolloutProgress[]) => events.filter((e) => e.rollout === id).map((e) => [e.event, e.batch ?? null, e.host ?? null, e.status ?? null]);

  before(async () => {
    nats = await startNats();
    dir = fleetDir('ring-rollout');
    ctl = startRingmaster(dir, [nats.url], { id: 'ctl-1' });
    for (const h of HOSTS) {
      writeFileSync(readyFile(h), '');
      agents.push(startFleetAgent(dir, [nats.url], {
        id: h, labels: { role: 'web' },
        watchers: `[watchers.web]\ncmd = "sleep 600"\nnumprocesses = 2\nready_check = "test -f ${readyFile(h)}"\nready_timeout = "3s"\n`,
      }));
    }
    nc = await fleetClient([nats.url]);
    await waitFleet(nc, (s) => HOSTS.every((h) => s.agents.some((a) => a.id === h && a.state === 'alive' && a.inventory)), 'three agents');
  });

  after(async () => {
    await nc?.close();
    for (const a of agents) await a.stop('SIGKILL');
    await ctl?.stop('SIGKILL');
    await nats?.stop();
  });

  it('a reload whose new processes never become ready on one host stops there; the hosts after it are untouched', async () => {
    const events: RolloutProgress[] = [];
    const sub = nc.subscribe(subjects.fleetRollout('*'), { callback: (_e, m) => { events.push(m.json<RolloutProgress>()); } });
    await nc.flush();
    const before = await pids();
    rmSync(readyFile('a2'));
    const r = await api(nc, 'rollout', { target: { labels: ['role=web'] }, properties: { name: 'web', action: 'reload', max_parallel: 1 } }, 120_000);
    assert.equal(r.status, 'partial');
    assert.deepEqual(r.rollout?.batches, [['a1'], ['a2'], ['a3']]);
    assert.equal(r.rollout?.stopped_at, 2);
    assert.deepEqual(r.results.map((x) => [x.host, x.status]), [['a1', 'ok'], ['a2', 'error'], ['a3', 'skipped']]);
    assert.match(r.results[1].reason ?? '', /reload of web stopped: new process \d+ \(wid 1\).*; 2 old process\(es\) keep running/);
    assert.match(r.reason ?? '', /^stopped at batch 2 of 3: a2: .*; 1 host\(s\) left untouched$/);
    const after = await pids();
    assert.ok(after.a1.every((p) => !before.a1.includes(p)), 'a1 has new processes');
    assert.deepEqual(after.a2, before.a2, 'a2 kept its old processes');
    assert.deepEqual(after.a3, before.a3, 'a3 was never touched');
    await waitFor(() => progress(r.rollout!.id, events).some(([e]) => e === 'stopped') || undefined, { timeoutMs: 10_000, what: 'the stopped event' });
    assert.deepEqual(progress(r.rollout!.id, events), [
      ['started', null, null, null], ['batch', 1, null, null], ['host', 1, 'a1', 'ok'], ['batch', 2, null, null], ['host', 2, 'a2', 'error'], ['stopped', 2, null, null],
    ]);
    sub.unsubscribe();
    const trail = join(dir, 'ctl-1-audit.jsonl');
    await waitFor(() => existsSync(trail) && readFileSync(trail, 'utf8').includes('"command":"rollout"') || undefined, { timeoutMs: 10_000, what: 'the rollout audited' });
  });

  it('a restart rollout in batches of two waits for each batch to settle and replaces every process', async () => {
    writeFileSync(readyFile('a2'), '');
    const before = await pids();
    const r = await api(nc, 'rollout', { properties: { name: 'web', action: 'restart', max_parallel: 2, settle_ms: 500 } }, 120_000);
    assert.equal(r.status, 'ok', JSON.stringify(r));
    assert.deepEqual(r.rollout, { id: r.rollout!.id, batches: [['a1', 'a2'], ['a3']], stopped_at: null });
    const after = await pids();
    for (const h of HOSTS) assert.ok(after[h].every((p) => !before[h].includes(p)), `${h} has new processes`);
  });

  it('a rollout that cannot work is refused before anything happens', async () => {
    const before = await pids();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ properties: { action: 'reload' } }, /'name' is missing/],
      [{ properties: { name: 'web', action: 'bounce' } }, /property 'action' must be one of reload, restart/],
      [{ properties: { name: 'web', max_parallel: 0 } }, /property 'max_parallel' must be an integer ≥ 1/],
      [{ properties: { name: 'nope' } }, /not starting: no watcher nope on a1, a2, a3/],
      [{ target: { hosts: ['zz*'] }, properties: { name: 'web' } }, /no agent matches hosts zz\*/],
    ];
    for (const [body, reason] of cases) {
      const r = await api(nc, 'rollout', body);
      assert.equal(r.status, 'error', JSON.stringify(body));
      assert.match(r.reason ?? '', reason);
    }
    assert.deepEqual(await pids(), before);
  });
});
