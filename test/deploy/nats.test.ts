// deploy/nats: the configs are valid with the passwords credentials.sh writes (and only with them), the
// authorization generator matches auth.conf, a three-node cluster forms with JetStream in network namespaces from
// cluster.conf as shipped (jetstream.ts replicates the controllers' assets on it), and server-tls.conf serves TLS
// with the certificates tls-certs.sh makes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exampleAuthorization } from '../../controller/permissions.ts';
import { fleetAuthorization } from '../../deploy/nats/authorization.ts';
import type { replicateControllerAssets } from '../../deploy/nats/jetstream.ts'; // run in a lab host below; imported so tsc checks it
import { NATS_SERVER_BIN } from '../support/nats.ts';
import { createLab, netnsAvailable, type Host, type Lab } from '../support/netns.ts';
import { tmpDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

const NATS_DIR = fileURLToPath(new URL('../../deploy/nats/', import.meta.url));
const CLIENT = fileURLToPath(new URL('nats-client.ts', import.meta.url));
const JETSTREAM = fileURLToPath(new URL('../../deploy/nats/jetstream.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const lab = netnsAvailable();

/** deploy/nats copied to a scratch folder, JetStream's store and the TLS files moved into it. */
function natsCopy(name: string, authConf?: string): string {
  const dir = tmpDir(`ring-nats-${name}`);
  for (const f of readdirSync(NATS_DIR)) cpSync(join(NATS_DIR, f), join(dir, f));
  if (authConf) writeFileSync(join(dir, 'auth.conf'), authConf);
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.conf'))) {
    const text = readFileSync(join(dir, f), 'utf8');
    writeFileSync(join(dir, f), text.replaceAll('/var/lib/nats', join(dir, 'js')).replaceAll('/etc/nats/tls', join(dir, 'tls')));
  }
  return dir;
}

/** Runs credentials.sh of `dir`; the variables it writes. */
function credentials(dir: string, ...args: string[]): Record<string, string> {
  const r = spawnSync('/bin/sh', [join(dir, 'credentials.sh'), ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Object.fromEntries(r.stdout.split('\n').filter((l) => /^RING_\w+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

function tlsCerts(dir: string, ...names: string[]): void {
  const r = spawnSync('/bin/sh', [join(dir, 'tls-certs.sh'), join(dir, 'tls'), ...names], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

const check = (conf: string, env: Record<string, string>) =>
  spawnSync(NATS_SERVER_BIN, ['-c', conf, '-t'], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });

/** A fleet user's connection from inside a lab host: {server, jetstream} or {error}. */
async function client(host: Host, url: string, user: string, pass: string, tls?: { ca: string; name: string }): Promise<{ server?: string; jetstream?: boolean; error?: string }> {
  const r = await host.run(process.execPath, ['--import', TSX, CLIENT, url, user, pass, ...(tls ? [tls.ca, tls.name] : [])]);
  return JSON.parse(r.stdout.trim() || JSON.stringify({ error: r.stderr })) as { server?: string; jetstream?: boolean; error?: string };
}

/** GET http://127.0.0.1:8222<path> (the monitoring port of server.conf/cluster.conf) inside a lab host. */
async function monitor<T>(host: Host, path: string): Promise<T> {
  const r = await host.run(process.execPath, ['-e', `fetch('http://127.0.0.1:8222${path}').then((r) => r.text()).then((t) => process.stdout.write(t))`]);
  if (r.code !== 0) throw new Error(`monitor ${path} on ${host.name}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** SIGTERM, and resolves once the process has exited (the next server reuses its port). */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  return exited;
}

describe('NATS configs', () => {
  it('the example authorization is the generator\'s output for web-1, web-2, db-1; a fleet of its own is one command', () => {
    assert.equal(fleetAuthorization({ agents: ['web-1', 'web-2', 'db-1'] }), exampleAuthorization());
    const mine = fleetAuthorization({ agents: ['web-1', 'web-2', 'web-3', 'worker-1'] });
    assert.match(mine, /user: "worker-1", password: \$RING_WORKER_1_PASSWORD/);
    assert.throws(() => fleetAuthorization({ agents: ['web 1'] }), /not a valid user/);
  });

  it('every config is valid with the passwords credentials.sh writes, and refused without them', () => {
    const dir = natsCopy('check', fleetAuthorization({ agents: ['web-1', 'web-2', 'web-3', 'worker-1'] }));
    tlsCerts(dir, 'nats-1.example', '10.0.0.9');
    const env: Record<string, string> = { ...credentials(dir, '--routes', '10.0.0.9,10.0.0.10,10.0.0.11'), NATS_SERVER_NAME: 'nats-1' };
    for (const user of ['WEB_3', 'WORKER_1', 'RINGMASTER', 'OPS', 'VIEWER', 'SYS', 'ROUTE']) assert.match(env[`RING_${user}_PASSWORD`], /^pw[0-9a-f]{36}$/, user);
    assert.equal(env.RING_ROUTE_2, `nats-route://route:${env.RING_ROUTE_PASSWORD}@10.0.0.10:6222`);
    for (const conf of ['server.conf', 'cluster.conf', 'server-tls.conf', 'cluster-tls.conf']) {
      const ok = check(join(dir, conf), env);
      assert.equal(ok.status, 0, `${conf}: ${ok.stderr}`);
    }
    assert.match(check(join(dir, 'server.conf'), {}).stderr, /variable reference for 'RING_\w+' .*can not be found/);
  });
});

describe('NATS in network namespaces', { skip: lab.ok ? false : lab.reason }, () => {
  let hosts: Lab | undefined;

  before(async () => {
    hosts = await createLab(3, { prefix: 'ringdeploy' });
  });

  after(async () => {
    await hosts?.teardown();
  });

  it('cluster.conf as shipped: three nodes route to each other, agree on a JetStream leader, and serve the fleet\'s users', async () => {
    const [h1, h2, h3] = hosts!.hosts;
    const base = natsCopy('cluster-creds');
    const env = credentials(base, '--routes', hosts!.hosts.map((h) => h.addr).join(','));
    const nodes = hosts!.hosts.map((h, i) => {
      const dir = natsCopy(`cluster-n${i + 1}`); // one JetStream store per node
      return h.exec(NATS_SERVER_BIN, ['-c', join(dir, 'cluster.conf')], { env: { ...env, NATS_SERVER_NAME: `nats-${i + 1}` } });
    });
    let state = '';
    await waitFor(async () => {
      const routes = await Promise.all(hosts!.hosts.map((h) => monitor<{ num_routes: number }>(h, '/routez')));
      const leaders = await Promise.all(hosts!.hosts.map((h) => monitor<{ meta_cluster?: { leader?: string } }>(h, '/jsz')));
      state = `routes ${routes.map((r) => r.num_routes).join('/')}, leaders ${leaders.map((l) => l.meta_cluster?.leader ?? '-').join('/')}`;
      const leader = leaders[0].meta_cluster?.leader;
      return routes.every((r) => r.num_routes === 2) && !!leader && leaders.every((l) => l.meta_cluster?.leader === leader);
    }, { what: 'the cluster to form', timeoutMs: 60_000, intervalMs: 500 }).catch((err: Error) => {
      throw new Error(`${err.message}; ${state}`);
    });
    // The controller's user has JetStream on any node; the operator connects too; a wrong password does not.
    const ctl = await client(h3, `nats://${h1.addr}:4222`, 'ringmaster', env.RING_RINGMASTER_PASSWORD);
    assert.deepEqual(ctl, { server: 'nats-1', jetstream: true });
    assert.equal((await client(h1, `nats://${h2.addr}:4222`, 'ops', env.RING_OPS_PASSWORD)).server, 'nats-2');
    assert.match((await client(h1, `nats://${h3.addr}:4222`, 'ops', 'wrong')).error ?? '', /authorization/i);
    // The controllers' stream and bucket, replicated on all three; a second run changes nothing.
    const replicate = () => h2.run(process.execPath, ['--import', TSX, JETSTREAM, '--servers', `nats://${h2.addr}:4222`, '--user', 'ringmaster', '--replicas', '3'],
      { env: { NATS_PASSWORD: env.RING_RINGMASTER_PASSWORD } });
    const first = await replicate();
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(first.stdout.trim().split('\n'), ['RING_AUDIT: created with 3 replica(s)', 'KV_ring_agents: created with 3 replica(s)']);
    assert.deepEqual((await replicate()).stdout.trim().split('\n'), ['RING_AUDIT: unchanged, 3 replica(s)', 'KV_ring_agents: unchanged, 3 replica(s)']);
    await Promise.all(nodes.map(stop));
  });

  it('server-tls.conf requires TLS, with the CA and certificate tls-certs.sh makes', async () => {
    const [h1, h2] = hosts!.hosts;
    const dir = natsCopy('tls');
    tlsCerts(dir, 'nats-1.example', h1.addr);
    const env = credentials(dir);
    const server = h1.exec(NATS_SERVER_BIN, ['-c', join(dir, 'server-tls.conf')], { env });
    const ca = join(dir, 'tls', 'ca.pem');
    let log = '';
    server.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const ok = await waitFor(async () => {
      const r = await client(h2, `tls://${h1.addr}:4222`, 'viewer', env.RING_VIEWER_PASSWORD, { ca, name: 'nats-1.example' });
      if (r.error) throw new Error(`${r.error}; server log: ${log.slice(-500)}`);
      return r;
    }, { what: 'a TLS connection to server-tls.conf', timeoutMs: 30_000, intervalMs: 500 });
    assert.equal(ok.server, 'nats-1');
    const other = tmpDir('ring-nats-other-ca');
    assert.equal(spawnSync('/bin/sh', [join(dir, 'tls-certs.sh'), other, 'nats-1.example'], { encoding: 'utf8' }).status, 0);
    const untrusted = await client(h2, `tls://${h1.addr}:4222`, 'viewer', env.RING_VIEWER_PASSWORD, { ca: join(other, 'ca.pem'), name: 'nats-1.example' });
    assert.match(untrusted.error ?? '', /certificate/i, 'a client trusting another CA refuses the server');
    const plain = await client(h2, `nats://${h1.addr}:4222`, 'viewer', env.RING_VIEWER_PASSWORD);
    assert.ok(plain.error, `no connection without TLS (got ${JSON.stringify(plain)})`);
    await stop(server);
  });
});
