// Replies never exceed the server's max_payload: a too-large snapshot drops its inventories (and says so).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NatsConnection } from '@nats-io/transport-node';
import type { FleetSnapshot } from '../../protocol/fleet/messages.ts';
import { subjects } from '../../protocol/fleet/subjects.ts';
import { api, fleetClient, fleetDir, startFleetAgent, startRingmaster, waitFleet, type Ringmaster } from '../support/fleet.ts';
import { startNats, type TestNats } from '../support/nats.ts';
import type { Ringd } from '../support/ringd.ts';

describe('replies under max_payload', () => {
  let nats: TestNats;
  let nc: NatsConnection;
  let ctl: Ringmaster;
  const agents: Ringd[] = [];
  before(async () => {
    nats = await startNats({ extraConfig: 'max_payload: 3000' });
    const dir = fleetDir('ring-limits');
    ctl = startRingmaster(dir, [nats.url], { id: 'ctl-1' });
    for (const id of ['a1', 'a2', 'a3', 'a4', 'a5']) agents.push(startFleetAgent(dir, [nats.url], { id }));
    nc = await fleetClient([nats.url]);
  });
  after(async () => {
    await nc?.close();
    for (const a of agents) await a.stop('SIGKILL');
    await ctl?.stop('SIGKILL');
    await nats?.stop();
  });

  it('a snapshot over max_payload comes without inventories and a note; a smaller one asked for without them fits', async () => {
    const s = await waitFleet(nc, (x) => x.agents.filter((a) => a.state === 'alive').length === 5 && x.note !== undefined, 'five agents, snapshot too big');
    assert.match(s.note ?? '', /^inventories left out: the snapshot is \d+ bytes, over the server's max_payload 3000/);
    assert.ok(s.agents.every((a) => a.inventory === null));
    const small = (await nc.request(subjects.fleetSnapshot, JSON.stringify({ inventory: false }), { timeout: 5000 })).json<FleetSnapshot>();
    assert.equal(small.note, undefined);
    assert.equal(small.agents.length, 5);
    const status = await api(nc, 'status', { target: { hosts: ['a1'] } });
    assert.equal(status.status, 'ok', 'small replies are unaffected');
  });
});
