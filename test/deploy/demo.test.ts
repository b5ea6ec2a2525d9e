// deploy/demo/fleet.sh: `up` builds three hosts in network namespaces with NATS and a controller; the fleet is
// checked through `ringctl --json` (hosts alive, watchers running, rollouts, permissions); `down` leaves no
// namespace, process or file, also after an `up` that failed half-way.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listNetns, netnsAvailable } from '../support/netns.ts';
import { freePort } from '../support/ports.ts';
import { pidAlive } from '../support/proc.ts';
import { ringctl } from '../support/ringctl.ts';
import { tmpDir } from '../support/tmp.ts';

const FLEET_SH = fileURLToPath(new URL('../../deploy/demo/fleet.sh', import.meta.url));
const HOSTS = ['db-1', 'web-1', 'web-2'];
const lab = netnsAvailable();

interface Demo {
  name: string;
  dir: string;
  env: Record<string, string>;
}

async function demo(suffix: string, env: Record<string, string> = {}): Promise<Demo> {
  const name = `ringdemo-t${process.pid}${suffix}`;
  const dir = join(tmpdir(), name);
  return { name, dir, env: { RINGDEMO_NAME: name, RINGDEMO_DIR: dir, RINGDEMO_PORT: String(await freePort()), ...env } };
}

/** Runs fleet.sh with `action`; killed (with its process group) after timeoutMs. */
function fleetSh(d: Demo, action: string, timeoutMs = 240_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [FLEET_SH, action], { env: { ...process.env, ...d.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const namespacesOf = (d: Demo) => listNetns().filter((n) => n.startsWith(`${d.name}-`));

/** Every process in the demo's namespaces, and the relay on 127.0.0.1. */
function demoPids(d: Demo): number[] {
  const inside = namespacesOf(d).flatMap((n) => spawnSync('ip', ['netns', 'pids', n], { encoding: 'utf8' }).stdout.split(/\s+/).filter(Boolean).map(Number));
  const relay = Number(readFileSync(join(d.dir, 'run', 'relay.pid'), 'utf8'));
  return [...inside, relay];
}

/** Processes whose command line names the demo's folder (none must survive `down`). */
function processesNaming(dir: string): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir) && pidAlive(Number(p));
    } catch {
      return false;
    }
  }).map(Number);
}

function assertGone(d: Demo, pids: number[] = []): void {
  assert.deepEqual(namespacesOf(d), [], 'no namespace left');
  assert.equal(existsSync(d.dir), false, `${d.dir} removed`);
  assert.deepEqual(pids.filter(pidAlive), [], 'every process of the demo is gone');
  assert.deepEqual(processesNaming(d.dir), [], 'no process names the demo folder');
}

describe('deploy/demo/fleet.sh', { skip: lab.ok ? false : lab.reason }, () => {
  it('an up that fails half-way (nats-server cannot start) removes everything it created', async () => {
    const bin = tmpDir('ringdemo-fake-bin');
    writeFileSync(join(bin, 'nats-server'), '#!/bin/sh\necho "nats-server: cannot start (test)" >&2\nexit 1\n');
    chmodSync(join(bin, 'nats-server'), 0o755);
    const d = await demo('f', { PATH: `${bin}:${process.env.PATH}` });
    try {
      const up = await fleetSh(d, 'up', 60_000);
      assert.notEqual(up.code, 0);
      assert.match(up.out, /nats exited while waiting for nats-server/);
      assert.match(up.out, /nats-server: cannot start \(test\)/, 'the failing log is shown');
      assertGone(d);
    } finally {
      await fleetSh(d, 'down', 60_000);
    }
  });

  describe('up, a fleet of three hosts', () => {
    let d: Demo;
    let up: { code: number | null; out: string };
    const ctl = async (who: 'ops' | 'viewer', ...args: string[]) => {
      const r = await ringctl(['--context', join(d.dir, `${who}.toml`), '--json', '--timeout', '30', ...args]);
      return { code: r.code, json: JSON.parse(r.stdout) as Record<string, any> }; // the fleet replies of docs/ctl.md
    };

    before(async () => {
      d = await demo('u');
      up = await fleetSh(d, 'up');
    });

    after(async () => {
      await fleetSh(d, 'down', 120_000); // idempotent: cleans up whatever a failed test left
    });

    it('prints how to watch it in the TUI', () => {
      assert.equal(up.code, 0, up.out);
      assert.ok(up.out.includes(`ringctl.js --context ${d.dir}/ops.toml tui`), up.out);
      assert.deepEqual(namespacesOf(d).sort(), [`${d.name}-br`, `${d.name}-db-1`, `${d.name}-nats`, `${d.name}-web-1`, `${d.name}-web-2`]);
    });

    it('the controller sees three hosts alive with their watchers running', async () => {
      const hosts = await ctl('ops', 'hosts');
      assert.equal(hosts.code, 0);
      assert.deepEqual(hosts.json.hosts.map((h: { id: string; state: string; labels: Record<string, string> }) => [h.id, h.state, h.labels.role]),
        [['db-1', 'alive', 'db'], ['web-1', 'alive', 'web'], ['web-2', 'alive', 'web']]);
      const status = await ctl('ops', 'status', '--all');
      assert.equal(status.json.status, 'ok');
      const statuses = Object.fromEntries(status.json.results.map((r: { host: string; reply: { statuses: Record<string, string> } }) => [r.host, r.reply.statuses]));
      assert.deepEqual(statuses, {
        'db-1': { ingest: 'active', worker: 'active' },
        'web-1': { web: 'active', worker: 'active' },
        'web-2': { web: 'active', worker: 'active' },
      });
    });

    it('a rollout across the three hosts replaces every worker, batch by batch', async () => {
      const rollout = await ctl('ops', 'rollout', 'reload', 'worker', '--all');
      assert.equal(rollout.code, 0, JSON.stringify(rollout.json));
      assert.deepEqual(rollout.json.rollout.batches, [['db-1'], ['web-1'], ['web-2']]);
      for (const r of rollout.json.results) {
        assert.equal(r.status, 'ok', r.host);
        assert.equal(r.reply.info.started.length, 2, `${r.host}: two new workers`);
      }
      const web = await ctl('ops', 'rollout', 'reload', 'web', '--label', 'role=web', '--max_parallel', '2');
      assert.equal(web.json.status, 'ok', JSON.stringify(web.json));
      assert.deepEqual(web.json.rollout.batches, [['web-1', 'web-2']]);
    });

    it('NATS enforces the generated permissions: a viewer reads, but cannot change anything', async () => {
      assert.equal((await ctl('viewer', 'status', '--host', 'web-1')).json.status, 'ok');
      const incr = await ctl('viewer', 'incr', 'worker', '--host', 'web-1');
      assert.notEqual(incr.code, 0);
      assert.match(JSON.stringify(incr.json), /Permissions Violation/);
    });

    it('status shows every process running; down stops them and leaves no namespace, process or file', async () => {
      const status = await fleetSh(d, 'status', 60_000);
      assert.equal(status.code, 0, status.out);
      for (const h of [...HOSTS, 'nats', 'ringmaster', 'relay']) assert.match(status.out, new RegExp(`^${h}: running`, 'm'));
      const pids = demoPids(d);
      assert.ok(pids.length > 20, `ringd, workers, nats-server, ringmaster, relays: ${pids.length} processes`);
      const down = await fleetSh(d, 'down', 120_000);
      assert.equal(down.code, 0, down.out);
      assert.match(down.out, /removed 5 namespace\(s\)/);
      assertGone(d, pids);
      mkdirSync(d.dir, { recursive: true }); // a folder without the marker is never removed by down…
      const again = await fleetSh(d, 'down', 60_000);
      assert.equal(again.code, 0);
      assert.ok(existsSync(d.dir), '…so down only removes what up made');
      rmSync(d.dir, { recursive: true });
    });
  });
});
