// The weather pipeline's long drain: a before_stop hook sets a Redis flag, the worker drains for a
// long time, and meanwhile every other command is served at once; commands on the draining
// watcher queue in order behind the stop instead of being rejected.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startArbiter, q, type TestArbiter } from '../../support/arbiter.ts';
import { fixture } from '../../support/fixtures.ts';
import { startRedis, type TestRedis } from '../../support/redis.ts';
import { waitFor } from '../../support/wait.ts';

const DRAIN_MS = 4000;
let redis: TestRedis;
let t: TestArbiter | undefined;
before(async () => { redis = await startRedis(); });
after(async () => { await t?.close(); await redis.stop(); });

test('a long Redis-flag drain never blocks other watchers or read commands, and queues same-watcher commands', async () => {
  t = await startArbiter(`
[watchers.ingest]
cmd = ${q(`${process.execPath} ${fixture('redis-drain.mjs')}`)}
graceful_timeout = "10m"
stop_signal = "none"
[watchers.ingest.env]
REDIS_PORT = "${redis.port}"
STOP_KEY = "stop:ingest"
DRAIN_MS = "${DRAIN_MS}"
[watchers.ingest.hooks]
before_stop = "redis-cli -p ${redis.port} set stop:ingest 1"
after_start = "redis-cli -p ${redis.port} del stop:ingest"

[watchers.web]
cmd = "sleep 600"
numprocesses = 2
`);
  const ingest = t.arbiter.get('ingest');
  await waitFor(() => ingest.slot(1)!.ring.lines().some((l) => l.line.startsWith('ready')), { what: 'ingest ready' });
  const drainingPid = ingest.slot(1)!.pid!;
  const order: string[] = [];
  const began = Date.now();
  const stop = t.arbiter.stopWatcher('ingest').then(() => order.push('ingest stopped'));
  const restartAfter = ingest.start().then(() => order.push('ingest started again'));
  await waitFor(() => ingest.slot(1)!.ring.lines().some((l) => l.line === 'draining'), { what: 'ingest draining' });
  assert.equal(ingest.status().state, 'stopping');

  // While it drains: read commands answer at once, and another watcher restarts completely.
  const webPids = t.pids('web');
  const t0 = Date.now();
  const status = t.arbiter.status();
  assert.ok(Date.now() - t0 < 50, 'status answers synchronously');
  assert.deepEqual(status.map((s) => [s.name, s.state]), [['ingest', 'stopping'], ['web', 'active']]);
  assert.equal(status[0].pending, 2, 'the stop and the start are queued on ingest');
  await t.arbiter.get('web').restart();
  const restartedWebAt = Date.now();
  assert.notDeepEqual(t.pids('web'), webPids);
  assert.equal(ingest.status().state, 'stopping', 'still draining after web restarted');
  order.push('web restarted');

  await Promise.all([stop, restartAfter]);
  assert.deepEqual(order, ['web restarted', 'ingest stopped', 'ingest started again']);
  assert.ok(Date.now() - began >= DRAIN_MS, 'the stop lasted the whole drain');
  const reap = t.events.find((e) => e.event === 'reap' && e.pid === drainingPid);
  assert.equal(reap?.event === 'reap' && reap.reason, 'exited 0', 'drained by itself, no SIGKILL');
  assert.ok(!t.events.some((e) => e.event === 'kill' && e.pid === drainingPid), 'stop_signal = "none": no signal at all');
  assert.ok(t.events.some((e) => e.event === 'hook_success' && e.watcher === 'ingest' && e.hook === 'before_stop'));
  process.stdout.write(`# web restarted ${restartedWebAt - began} ms into a ${DRAIN_MS} ms drain\n`);
});
