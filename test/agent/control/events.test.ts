// The event stream of a real ringd (PUB, topics watcher.<name>.<event>): the orderings circusd publishes for each
// command (circus-reference §4 and §14.2), Circus's payload shapes, and one `reap` for every process that ends, whatever
// ended it. Orderings are compared on Circus's topics only: Ringmaster's extra topics (.state, .status, .backoff,
// .fatal, .flapping, .command_failure) are left out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as zmq from 'zeromq';
import { fixture } from '../../support/fixtures.ts';
import { pidAlive, waitGone } from '../../support/proc.ts';
import { startRingdControl, stopAllRingd, waitPids, type RingdControl } from '../../support/ringd-control.ts';
import { waitFor } from '../../support/wait.ts';
import type { EventCollector, EventMessage } from '../../support/zmq.ts';

let r: RingdControl;
let ev: EventCollector;
let probes = 0;
const probe = () => r.control.call('set', { name: 'probe', options: { graceful_timeout: 1 + (++probes % 100) } }, { timeoutMs: 30_000 });

before(async () => {
  r = await startRingdControl(`
[watchers.sleeper]
cmd = "sleep 600"
numprocesses = 2

# never runs: \`set\` on it emits watcher.probe.updated, to get past the slow joiner and as a barrier
[watchers.probe]
cmd = "sleep 602"
numprocesses = 0
`, { prefix: 'ringd-events' });
  ev = await r.events([''], { probe });
});
after(async () => {
  await stopAllRingd();
});

const EXTRA = new Set(['state', 'status', 'backoff', 'fatal', 'flapping', 'command_failure']);
const eventOf = (m: EventMessage): string => m.topic.slice(m.topic.lastIndexOf('.') + 1);

/** Circus-topic events of `watcher` received since message index `mark`. */
function since(mark: number, watcher: string, opts: { extra?: boolean } = {}): EventMessage[] {
  return ev.messages.slice(mark).filter((m) => m.topic.startsWith(`watcher.${watcher}.`) && (opts.extra || !EXTRA.has(eventOf(m))));
}

/** Waits until `count` `event`s of `watcher` arrived since `mark`; returns them. */
function until(mark: number, watcher: string, event: string, count = 1): Promise<EventMessage[]> {
  return waitFor(() => {
    const found = since(mark, watcher, { extra: true }).filter((m) => eventOf(m) === event);
    return found.length >= count && found;
  }, { what: `${count} watcher.${watcher}.${event} event(s); got ${since(mark, watcher).map(eventOf).join(',')}`, timeoutMs: 30_000 });
}

/** Everything published before now has been received (PUB → one SUB keeps order): a probe's event came back. */
async function barrier(): Promise<void> {
  const mark = ev.messages.length;
  await probe();
  await until(mark, 'probe', 'updated');
}

const pidOf = (m: EventMessage) => m.payload.process_pid as number;

/** Circus's payload shapes; time in float epoch seconds. */
function checkPayload(m: EventMessage): void {
  const p = m.payload;
  const where = `${m.topic} ${JSON.stringify(p)}`;
  assert.equal(typeof p.time, 'number', where);
  assert.ok(Math.abs((p.time as number) - Date.now() / 1000) < 600, `time in epoch seconds: ${where}`);
  switch (eventOf(m)) {
    case 'spawn':
      assert.deepEqual(Object.keys(p), ['process_pid', 'time', 'wid'], where);
      break;
    case 'reap':
      assert.deepEqual(Object.keys(p), ['process_pid', 'time', 'exit_code', 'wid', 'reason'], where);
      assert.ok(Number.isInteger(p.exit_code), where);
      assert.equal(typeof p.reason, 'string', where);
      break;
    case 'kill':
      assert.deepEqual(Object.keys(p).slice(0, 2), ['process_pid', 'time'], `Circus's keys first: ${where}`);
      break;
    case 'start': case 'stop': case 'reload': case 'add': case 'remove': case 'updated':
      assert.deepEqual(Object.keys(p), ['time'], where);
      break;
  }
  if ('process_pid' in p) assert.ok(Number.isInteger(p.process_pid) && (p.process_pid as number) > 0, where);
  if ('wid' in p) assert.ok(Number.isInteger(p.wid) && (p.wid as number) >= 1, where);
}

function summary(list: EventMessage[]): string {
  return list.map((m) => `${eventOf(m)}(${m.payload.process_pid ?? ''})`).join(' ');
}

test('restart: kill…, reap…, stop, spawn…, start', async () => {
  const old = await waitPids(r, 'sleeper', 2);
  const mark = ev.messages.length;
  const info = (await r.ok('restart', { name: 'sleeper', waiting: true })).info as { started: number[] };
  await until(mark, 'sleeper', 'start');
  const got = since(mark, 'sleeper');
  got.forEach(checkPayload);
  assert.deepEqual(got.map(eventOf), ['kill', 'kill', 'reap', 'reap', 'stop', 'spawn', 'spawn', 'start'], summary(got));
  assert.deepEqual(got.slice(0, 2).map(pidOf).sort(), [...old].sort(), 'the old processes were killed');
  assert.deepEqual(got.slice(2, 4).map(pidOf).sort(), [...old].sort(), 'and reaped');
  assert.deepEqual(got.slice(2, 4).map((m) => m.payload.exit_code), [-15, -15], 'killed by SIGTERM: -15');
  assert.deepEqual(got.slice(5, 7).map(pidOf), info.started, 'the new ones spawned');
  assert.deepEqual(got.slice(5, 7).map((m) => m.payload.wid), [1, 2]);
});

test('reload --sequential: per process spawn (new), kill and reap (old), then reload', async () => {
  // Circus stops each old process before starting its replacement (kill, reap, spawn); Ringmaster starts the new one
  // first, so the watcher never runs short: spawn, kill, reap per wid.
  const old = await waitPids(r, 'sleeper', 2);
  const mark = ev.messages.length;
  const info = (await r.ok('reload', { name: 'sleeper', sequential: true, waiting: true })).info as { started: number[]; stopped: number[] };
  await until(mark, 'sleeper', 'reload');
  const got = since(mark, 'sleeper');
  got.forEach(checkPayload);
  assert.deepEqual(got.map(eventOf), ['spawn', 'kill', 'reap', 'spawn', 'kill', 'reap', 'reload'], summary(got));
  for (const [i, wid] of [[0, 1], [3, 2]]) {
    const [spawn, kill, reap] = got.slice(i, i + 3);
    assert.equal(spawn.payload.wid, wid);
    assert.equal(pidOf(spawn), info.started[wid - 1], 'the new process of this wid');
    assert.equal(pidOf(kill), old[wid - 1], 'then the old one of the same wid is killed');
    assert.equal(pidOf(reap), old[wid - 1], 'and reaped');
    assert.equal(reap.payload.wid, wid);
  }
  assert.deepEqual(info.stopped, old);
  assert.ok(old.every((p) => !pidAlive(p)));
});

test('incr: spawn × n; decr: kill × n and reap × n (circusd publishes no reap there)', async () => {
  const base = await waitPids(r, 'sleeper', 2);
  let mark = ev.messages.length;
  await r.ok('incr', { name: 'sleeper', nb: 2, waiting: true });
  await until(mark, 'sleeper', 'spawn', 2);
  await barrier();
  let got = since(mark, 'sleeper');
  got.forEach(checkPayload);
  assert.deepEqual(got.map(eventOf), ['spawn', 'spawn'], summary(got));
  assert.deepEqual(got.map((m) => m.payload.wid), [3, 4]);
  const added = got.map(pidOf);
  assert.deepEqual(await r.pids('sleeper'), [...base, ...added]);

  mark = ev.messages.length;
  await r.ok('decr', { name: 'sleeper', nb: 2, waiting: true });
  await until(mark, 'sleeper', 'reap', 2);
  await barrier();
  got = since(mark, 'sleeper');
  got.forEach(checkPayload);
  assert.deepEqual(got.map(eventOf), ['kill', 'kill', 'reap', 'reap'], summary(got));
  assert.deepEqual(got.slice(0, 2).map(pidOf).sort(), [...added].sort(), 'the highest wids are stopped');
  assert.deepEqual(got.slice(2).map(pidOf).sort(), [...added].sort());
  assert.deepEqual(got.slice(2).map((m) => m.payload.exit_code), [-15, -15]);
  assert.deepEqual(await r.pids('sleeper'), base);
});

test('add --start: add, spawn, start; rm: remove, kill, reap, stop', async () => {
  let mark = ev.messages.length;
  await r.ok('add', { name: 'tmp', cmd: 'sleep 77', start: true, waiting: true });
  await until(mark, 'tmp', 'start');
  let got = since(mark, 'tmp');
  got.forEach(checkPayload);
  assert.deepEqual(got.map(eventOf), ['add', 'spawn', 'start'], summary(got));
  const [pid] = await r.pids('tmp');
  assert.equal(pidOf(got[1]), pid);

  // Same order as circusd: the watcher is removed first, then stopped.
  mark = ev.messages.length;
  await r.ok('rm', { name: 'tmp', waiting: true });
  await until(mark, 'tmp', 'stop');
  await barrier();
  got = since(mark, 'tmp');
  got.forEach(checkPayload);
  assert.deepEqual(got.map(eventOf), ['remove', 'kill', 'reap', 'stop'], summary(got));
  assert.deepEqual([pidOf(got[1]), pidOf(got[2]), got[2].payload.exit_code], [pid, pid, -15]);
  assert.equal(pidAlive(pid), false);
});

test('kill -9 from outside: reap with exit_code -9, then spawn of the same wid', async () => {
  const [victim, other] = await waitPids(r, 'sleeper', 2);
  const mark = ev.messages.length;
  process.kill(victim, 'SIGKILL');
  await until(mark, 'sleeper', 'spawn');
  await barrier();
  const got = since(mark, 'sleeper');
  got.forEach(checkPayload);
  assert.deepEqual(got.map(eventOf), ['reap', 'spawn'], summary(got));
  assert.deepEqual([pidOf(got[0]), got[0].payload.exit_code, got[0].payload.wid, got[0].payload.reason], [victim, -9, 1, 'killed by SIGKILL']);
  assert.equal(got[1].payload.wid, 1, 'the same slot respawns');
  assert.deepEqual(await r.pids('sleeper'), [pidOf(got[1]), other]);
});

test('every process that ends gets exactly one reap, whatever ended it', async () => {
  const mark = ev.messages.length;
  const node = process.execPath;
  // Watchers added now, so every spawn of theirs is seen here.
  await r.ok('add', { name: 'victims', cmd: 'sleep 604', options: { numprocesses: 4 }, start: true, waiting: true });
  await r.ok('add', { name: 'aged', cmd: 'sleep 605', options: { max_age: '1s', max_age_variance: '0s' }, start: true, waiting: true });
  await r.ok('add', {
    name: 'crasher', cmd: `${node} ${fixture('crash-loop.mjs')}`,
    options: { max_retry: 2, backoff_base: '50ms', env: { CRASH_CODE: '7' } }, start: true, waiting: true,
  });
  const victims = await waitPids(r, 'victims', 4);
  const why = new Map<number, string>(); // pid → what ended it
  // decr: the highest wid
  await r.ok('decr', { name: 'victims', waiting: true });
  why.set(victims[3], 'decr');
  // the kill command, on one pid
  await r.ok('kill', { name: 'victims', pid: victims[2], waiting: true });
  why.set(victims[2], 'kill command');
  // a signal that ends the process (the signal command itself publishes no kill event, as in Circus)
  await r.ok('signal', { name: 'victims', pid: victims[1], signum: 'USR1' });
  why.set(victims[1], 'signal USR1');
  // kill -9 from outside
  process.kill(victims[0], 'SIGKILL');
  why.set(victims[0], 'kill -9 from outside');
  await waitPids(r, 'victims', 3, victims);
  // max_age: two generations replaced
  await until(mark, 'aged', 'reap', 2);
  // crashes until fatal
  await until(mark, 'crasher', 'fatal');
  // stop and rm end the rest
  await r.ok('stop', { name: 'victims', waiting: true });
  await r.ok('rm', { name: 'aged', waiting: true });
  await r.ok('rm', { name: 'crasher', waiting: true });
  await barrier();

  const got = ['victims', 'aged', 'crasher'].flatMap((w) => since(mark, w));
  got.forEach(checkPayload);
  const spawned = got.filter((m) => eventOf(m) === 'spawn').map(pidOf);
  const reaps = got.filter((m) => eventOf(m) === 'reap');
  const reapCount = new Map<number, number>();
  for (const m of reaps) reapCount.set(pidOf(m), (reapCount.get(pidOf(m)) ?? 0) + 1);
  const wrong = spawned.filter((p) => reapCount.get(p) !== 1).map((p) => `${p}: ${reapCount.get(p) ?? 0} reaps`);
  assert.deepEqual(wrong, [], `every spawned process reaped exactly once\n${got.map((m) => `${m.topic} ${JSON.stringify(m.payload)}`).join('\n')}`);
  assert.deepEqual(reaps.map(pidOf).filter((p) => !spawned.includes(p)), [], 'no reap for a process never spawned');
  await waitGone(spawned, 10_000);

  const exitOf = (pid: number) => reaps.find((m) => pidOf(m) === pid)?.payload.exit_code;
  assert.deepEqual(victims.map((p) => [why.get(p), exitOf(p)]), [
    ['kill -9 from outside', -9], ['signal USR1', -10], ['kill command', -15], ['decr', -15],
  ]);
  const crashes = reaps.filter((m) => m.topic === 'watcher.crasher.reap');
  assert.ok(crashes.length >= 3, `max_retry 2: three crashes before fatal, got ${crashes.length}`);
  assert.ok(crashes.every((m) => m.payload.exit_code === 7), 'a crash reports its exit code');
  const aged = reaps.filter((m) => m.topic === 'watcher.aged.reap');
  assert.ok(aged.length >= 3, 'two max_age replacements and the rm');
  assert.ok(aged.every((m) => m.payload.exit_code === -15));
  const stopped = reaps.filter((m) => m.topic === 'watcher.victims.reap' && !victims.includes(pidOf(m)));
  assert.equal(stopped.length, 3, 'stop reaped the three processes left (the replacements)');
});

test('event payloads are written as circusd writes them: json.dumps separators ", " / ": " and a float time', async () => {
  // circusd publishes json.dumps() text (see §14.2: {"process_pid": 8193, "time": 1795810285.9452858}); `circusctl listen`
  // prints those bytes as they are. ringd's control replies follow that format; its events must too.
  const sub = new zmq.Subscriber({ linger: 0, receiveTimeout: 300 });
  const raw: { topic: string; text: string }[] = [];
  try {
    sub.subscribe('watcher.');
    sub.connect(r.endpoints.events);
    const deadline = Date.now() + 30_000;
    const receive = async (): Promise<boolean> => {
      try {
        const [topic, payload] = await sub.receive();
        raw.push({ topic: topic.toString(), text: payload.toString() });
        return true;
      } catch (err) {
        if ((err as { code?: string }).code !== 'EAGAIN' || Date.now() > deadline) throw err;
        return false;
      }
    };
    while (!(await probe().then(receive))); // past the slow joiner
    await r.ok('incr', { name: 'sleeper', waiting: true });
    await r.ok('decr', { name: 'sleeper', waiting: true });
    while (!raw.some((m) => m.topic === 'watcher.sleeper.reap')) await receive();
  } finally {
    sub.close();
  }
  const py = (v: unknown, key = ''): string => {
    if (Array.isArray(v)) return `[${v.map((x) => py(x)).join(', ')}]`;
    if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${py(x, k)}`).join(', ')}}`;
    if (key === 'time' && Number.isInteger(v)) return `${String(v)}.0`;
    return JSON.stringify(v);
  };
  const wrong = raw.filter((m) => m.text !== py(JSON.parse(m.text)) || !/"time": \d+\.\d+/.test(m.text)).map((m) => `${m.topic} ${m.text}`);
  assert.deepEqual(wrong, [], 'every payload as json.dumps would write it');
});
