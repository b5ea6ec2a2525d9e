// A long stop blocks nothing else: while a watcher drains (a worker that ignores SIGTERM and leaves only when a private
// Redis tells it to), every other command — read-only ones and a full restart of another watcher — is answered; the
// drain ends only when the test says so, so "still stopping" is a fact, not a timing guess. And mutating commands on
// the same watcher run in the order they were sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fixture } from '../../support/fixtures.ts';
import { pidAlive } from '../../support/proc.ts';
import { startRedis, type TestRedis } from '../../support/redis.ts';
import { startRingdControl, stopAllRingd, waitPids, type RingdControl } from '../../support/ringd-control.ts';
import { waitFor } from '../../support/wait.ts';
import type { Reply } from '../../support/zmq.ts';

let redis: TestRedis;
let r: RingdControl;

before(async () => {
  redis = await startRedis();
  // Each ingest process polls its own key stop:<pid> (sh execs node, keeping its pid) and exits 0 once it is "1".
  const cmd = `sh -c 'STOP_KEY=stop:$$ exec ${process.execPath} ${fixture('redis-drain.mjs')}'`;
  r = await startRingdControl(`
[watchers.ingest]
cmd = ${JSON.stringify(cmd)}
graceful_timeout = "120s"
[watchers.ingest.env]
REDIS_PORT = "${redis.port}"
DRAIN_MS = "300"

[watchers.other]
cmd = "sleep 600"
numprocesses = 2
`, { prefix: 'ringd-concurrency' });
});

after(async () => {
  // Let every ingest process drain, so ringd's own stop is quick.
  if (r?.control) {
    const pids = ((await r.control.call('list', { name: 'ingest' }, { timeoutMs: 5000 }).catch(() => ({ pids: [] }))).pids ?? []) as number[];
    await Promise.all(pids.map((p) => redis.cli('SET', `stop:${p}`, '1').catch(() => undefined)));
  }
  await stopAllRingd();
  await redis?.stop();
});

/** The ingest process ready (SIGTERM handler installed) — from its output ring. */
async function ingestReady(pid: number): Promise<void> {
  await waitFor(async () => {
    const lines = (await r.ok('tail', { name: 'ingest', pid })).lines as { line: string }[];
    return lines.some((l) => l.line === `ready pid=${pid}`);
  }, { what: `ingest pid ${pid} ready`, timeoutMs: 30_000, intervalMs: 50 });
}

/** The stop reached the process: it printed "ignoring SIGTERM". */
async function sigtermIgnored(pid: number): Promise<void> {
  await waitFor(async () => {
    const lines = (await r.ok('tail', { name: 'ingest', pid })).lines as { line: string }[];
    return lines.some((l) => l.line === 'ignoring SIGTERM');
  }, { what: `ingest pid ${pid} to get SIGTERM`, timeoutMs: 30_000, intervalMs: 50 });
}

const state = async (name: string) => (await r.control.call('status', { name }, { timeoutMs: 30_000 })).status;

test('while one watcher drains through a long stop, status, list, stats, dstats, health and a restart of another are answered', async () => {
  const [pid] = await waitPids(r, 'ingest', 1);
  await ingestReady(pid);
  let stopReply: Reply | undefined;
  const stopping = r.control.call('stop', { name: 'ingest', waiting: true }, { timeoutMs: 90_000 }).then((rep) => (stopReply = rep));
  await waitFor(async () => (await state('ingest')) === 'stopping', { what: 'ingest stopping', timeoutMs: 30_000 });
  await sigtermIgnored(pid);

  const stillDraining = async (after: string): Promise<void> => {
    assert.equal(stopReply, undefined, `the stop is still running after ${after}`);
    assert.equal(await state('ingest'), 'stopping', `ingest still stopping after ${after}`);
    assert.ok(pidAlive(pid), `pid ${pid} still draining after ${after}`);
  };

  const statuses = (await r.ok('status')).statuses as Record<string, string>;
  assert.deepEqual(statuses, { ingest: 'stopping', other: 'active' });
  await stillDraining('status');

  assert.deepEqual((await r.ok('list')).watchers, ['ingest', 'other']);
  assert.deepEqual(await r.pids('ingest'), [pid], 'the draining process is still listed');
  await stillDraining('list');

  const stats = (await r.ok('stats')).infos as Record<string, Record<string, { pid: number }>>;
  assert.equal(stats.ingest[String(pid)].pid, pid);
  assert.equal(Object.keys(stats.other).length, 2);
  await stillDraining('stats');

  assert.equal(((await r.ok('dstats')).info as { pid: number }).pid, r.pid);
  await stillDraining('dstats');

  const health = (await r.ok('health')).health as { watchers: Record<string, number>; pending_commands: number };
  assert.deepEqual([health.watchers.stopping, health.watchers.active], [1, 1]);
  assert.equal(health.pending_commands, 1, 'the stop is the one command in progress');
  await stillDraining('health');

  const old = await r.pids('other');
  const info = (await r.ok('restart', { name: 'other', waiting: true })).info as { stopped: number[]; started: number[] };
  assert.deepEqual(info.stopped, old);
  assert.deepEqual(info.started, await r.pids('other'));
  assert.ok(old.every((p) => !pidAlive(p)) && info.started.every(pidAlive), 'other was fully restarted');
  assert.equal(await state('other'), 'active');
  await stillDraining('restart other --waiting');

  // Now let it go: the stop completes with Circus's reply.
  await redis.cli('SET', `stop:${pid}`, '1');
  const rep = await stopping;
  assert.deepEqual([rep.status, rep.info], ['ok', null]);
  assert.equal(pidAlive(pid), false);
  assert.equal(await state('ingest'), 'stopped');
});

test('stop --waiting, start --waiting and incr --waiting on the same watcher, sent back to back, complete in that order', async () => {
  await r.ok('start', { name: 'ingest', waiting: true });
  const [pid] = await waitPids(r, 'ingest', 1);
  await ingestReady(pid);
  // Past the slow joiner: `set` of a live option publishes watcher.ingest.updated (queued before the sequence below).
  let n = 0;
  const ev = await r.events(['watcher.ingest.'], {
    probe: () => r.control.call('set', { name: 'ingest', options: { graceful_timeout: 120 + (++n % 2) } }, { timeoutMs: 30_000 }),
  });

  const order: string[] = [];
  const send = (command: string, props: Record<string, unknown>) =>
    r.control.call(command, { name: 'ingest', waiting: true, ...props }, { timeoutMs: 90_000 }).then((rep) => {
      order.push(command);
      return rep;
    });
  const stop = send('stop', {});
  const start = send('start', {});
  const incr = send('incr', {});

  await waitFor(async () => (await state('ingest')) === 'stopping', { what: 'ingest stopping', timeoutMs: 30_000 });
  await sigtermIgnored(pid);
  const health = await waitFor(async () => {
    const h = (await r.ok('health')).health as { pending_commands: number };
    return h.pending_commands === 3 && h;
  }, { what: 'three commands queued on ingest', timeoutMs: 30_000 });
  assert.equal(health.pending_commands, 3);
  assert.deepEqual(order, [], 'start and incr wait for the stop in progress (later requests were answered meanwhile)');
  assert.equal((await r.ok('numprocesses', { name: 'ingest' })).numprocesses, 1, 'the incr has not run yet');

  await redis.cli('SET', `stop:${pid}`, '1');
  const [stopRep, startRep, incrRep] = await Promise.all([stop, start, incr]);
  assert.deepEqual(order, ['stop', 'start', 'incr'], 'replies in the order the commands were sent');
  assert.deepEqual([stopRep.status, stopRep.info], ['ok', null]);
  const started = (startRep.info as { started: number[] }).started;
  assert.equal(started.length, 1, 'start ran after the stop finished: it started a fresh process');
  assert.notEqual(started[0], pid);
  assert.equal(incrRep.numprocesses, 2);

  // The events tell the same story: the old process killed and reaped, stop, the new one spawned, start, then wid 2.
  await ev.waitFor((m) => m.topic === 'watcher.ingest.spawn' && m.payload.wid === 2, 'spawn of wid 2', 30_000);
  const core = ev.messages
    .filter((m) => ['kill', 'reap', 'stop', 'spawn', 'start'].includes(m.topic.split('.')[2]))
    .map((m) => `${m.topic.split('.')[2]}${m.payload.wid !== undefined ? `:${String(m.payload.wid)}` : ''}`);
  assert.deepEqual(core, ['kill:1', 'reap:1', 'stop', 'spawn:1', 'start', 'spawn:2']);
  const pids = await waitPids(r, 'ingest', 2);
  assert.equal(pids[0], started[0]);
  await Promise.all(pids.map(ingestReady));
  await Promise.all(pids.map((p) => redis.cli('SET', `stop:${p}`, '1')));
  await r.ok('stop', { name: 'ingest', waiting: true }, 60_000);
});

test('kill sent right after restart or incr on the same watcher acts on the processes that exist when it runs', async () => {
  // Circus runs a watcher's commands one at a time; so does ringd (later ones queue). A `kill` queued behind a
  // `restart` must therefore kill what the restart started, and one queued behind an `incr` the new process too.
  const old = await waitPids(r, 'other', 2);
  const restart = r.control.call('restart', { name: 'other', waiting: true }, { timeoutMs: 60_000 });
  const kill = r.control.call('kill', { name: 'other', waiting: true }, { timeoutMs: 60_000 });
  const [restarted, killed] = await Promise.all([restart, kill]);
  assert.equal(killed.status, 'ok', JSON.stringify(killed));
  const started = (restarted.info as { started: number[] }).started;
  const afterKill = await waitPids(r, 'other', 2, old);
  const survivors = started.filter((p) => afterKill.includes(p));
  assert.deepEqual(survivors, [], `the kill (queued behind the restart) killed the restart's processes: started ${started}, now ${afterKill}`);

  let n = 0;
  const ev = await r.events(['watcher.other.'], {
    probe: () => r.control.call('set', { name: 'other', options: { graceful_timeout: 10 + (++n % 2) } }, { timeoutMs: 30_000 }),
  });
  const incr = r.control.call('incr', { name: 'other', waiting: true }, { timeoutMs: 60_000 });
  const kill2 = r.control.call('kill', { name: 'other', waiting: true }, { timeoutMs: 60_000 });
  const [incremented, killed2] = await Promise.all([incr, kill2]);
  assert.deepEqual([incremented.numprocesses, killed2.status], [3, 'ok']);
  const spawned3 = await ev.waitFor((m) => m.topic === 'watcher.other.spawn' && m.payload.wid === 3, 'spawn of wid 3', 30_000);
  const wid3 = spawned3.payload.process_pid as number;
  const now = await waitPids(r, 'other', 3);
  assert.ok(!now.includes(wid3) && !pidAlive(wid3), `the kill (queued behind the incr) also killed wid 3 (pid ${wid3}); now ${now}`);
  await r.ok('decr', { name: 'other', waiting: true });
});
