// NATS authorization generated from the catalogue, on a real nats-server: agents, a controller, an operator and a viewer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { authorizationBlock, readOnlyCommands, type FleetUser } from '../../controller/permissions.ts';
import { subjects } from '../../protocol/fleet/subjects.ts';
import { api, fleetDir, startFleetAgent, startRingmaster, waitFleet, type Ringmaster } from '../support/fleet.ts';
import { NATS_SERVER_BIN, startNats, type TestNats } from '../support/nats.ts';
import type { Ringd } from '../support/ringd.ts';
import { waitFor } from '../support/wait.ts';

const USERS: FleetUser[] = [
  { user: 'web-1', password: '"agent-pw"', role: 'agent' },
  { user: 'ctl', password: '"ctl-pw"', role: 'controller' },
  { user: 'alice', password: '"op-pw"', role: 'operator' },
  { user: 'bob', password: '"view-pw"', role: 'viewer' },
];

describe('fleet permissions', () => {
  let nats: TestNats;
  let ringd: Ringd;
  let ctl: Ringmaster;
  const clients: NatsConnection[] = [];
  const as = async (user: string, pass: string) => {
    const nc = await connect({ servers: nats.url, user, pass, name: user });
    clients.push(nc);
    return nc;
  };

  before(async () => {
    nats = await startNats({ extraConfig: authorizationBlock(USERS) });
    const dir = fleetDir('ring-fleet-perms');
    ringd = startFleetAgent(dir, [nats.url], { id: 'web-1', nats: 'user = "web-1"\npassword = "agent-pw"' });
    ctl = startRingmaster(dir, [nats.url], { id: 'ctl-1', nats: 'user = "ctl"\npassword = "ctl-pw"' });
  });

  after(async () => {
    for (const c of clients) await c.close();
    await ringd?.stop('SIGKILL');
    await ctl?.stop('SIGKILL');
    await nats?.stop();
  });

  it('the generated block gives viewers exactly the read-only commands', () => {
    const block = authorizationBlock(USERS);
    for (const c of readOnlyCommands()) assert.ok(block.includes(`"ring.api.${c}"`), c);
    assert.ok(readOnlyCommands().includes('status') && readOnlyCommands().includes('hosts'));
    assert.ok(!readOnlyCommands().includes('incr') && !readOnlyCommands().includes('quit'));
  });

  it('deploy/nats/auth.conf is accepted by nats-server once the password variables are set', () => {
    const dir = fleetDir('ring-auth-conf');
    copyFileSync(fileURLToPath(new URL('../../deploy/nats/auth.conf', import.meta.url)), join(dir, 'auth.conf'));
    writeFileSync(join(dir, 'server.conf'), 'listen: 127.0.0.1:-1\ninclude ./auth.conf\n');
    const vars = Object.fromEntries(['WEB_1', 'WEB_2', 'DB_1', 'RINGMASTER', 'OPS', 'VIEWER'].map((u) => [`RING_${u}_PASSWORD`, 'pw']));
    const ok = spawnSync(NATS_SERVER_BIN, ['-c', join(dir, 'server.conf'), '-t'], { encoding: 'utf8', env: { ...process.env, ...vars } });
    assert.equal(ok.status, 0, ok.stderr);
    const missing = spawnSync(NATS_SERVER_BIN, ['-c', join(dir, 'server.conf'), '-t'], { encoding: 'utf8' });
    assert.match(missing.stderr, /variable reference for 'RING_WEB_1_PASSWORD'/);
  });

  it('an operator runs any command; a viewer reads but a mutating command is refused', async () => {
    const alice = await as('alice', 'op-pw');
    await waitFleet(alice, (s) => s.agents.some((a) => a.id === 'web-1' && a.state === 'alive' && a.inventory !== null), 'web-1 alive');
    assert.equal((await api(alice, 'incr', { properties: { name: 'idle', waiting: true } })).status, 'ok');
    const bob = await as('bob', 'view-pw');
    const status = await api(bob, 'status');
    assert.equal(status.status, 'ok');
    await assert.rejects(api(bob, 'incr', { properties: { name: 'idle' } }, 5000), /permission|timeout/i);
    await assert.rejects(api(bob, 'quit', {}, 5000), /permission|timeout/i);
    const n = await api(alice, 'numprocesses', { properties: { name: 'idle' } });
    assert.equal(n.results[0].reply?.numprocesses, 3, 'only the operator\'s incr happened');
  });

  it('an agent may publish only under its own subjects', async () => {
    const agent = await as('web-1', 'agent-pw');
    const errors: string[] = [];
    void (async () => {
      for await (const s of agent.status()) if (s.type === 'error') errors.push(String((s as { error?: Error }).error?.message ?? JSON.stringify(s)));
    })();
    agent.publish(subjects.heartbeat('web-2'), '{}');
    agent.publish(subjects.api('quit'), '{}');
    await agent.flush().catch(() => undefined);
    await waitFor(() => errors.filter((e) => /Permissions Violation for Publish/i.test(e)).length >= 2 || undefined,
      { timeoutMs: 10_000, what: `two publish violations (got ${JSON.stringify(errors)})` });
  });
});
