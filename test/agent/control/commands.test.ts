// Every command of the catalogue against a real in-process arbiter: Circus's reply shapes, errors and errno values.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { startControl, type TestControl } from '../../support/control.ts';
import { pidAlive } from '../../support/proc.ts';
import { waitFor } from '../../support/wait.ts';

let c: TestControl;
before(async () => {
  c = await startControl(`
[watchers.sleeper]
cmd = "sleep 600"
numprocesses = 2
[watchers.web]
cmd = "sleep 601"
numprocesses = 2
graceful_timeout = "5s"
[watchers.ticker]
cmd = "sh -c 'while true; do echo tick $(circus.wid); sleep 0.05; done'"
`);
});
after(async () => { await c.close(); });

const ok = (r: Record<string, unknown>) => { assert.equal(r.status, 'ok', JSON.stringify(r)); return r; };
const err = (r: Record<string, unknown>, errno: number, reason: RegExp) => {
  assert.equal(r.status, 'error', JSON.stringify(r));
  assert.equal(r.errno, errno, JSON.stringify(r));
  assert.match(String(r.reason), reason);
  assert.equal(r.tb, null);
  return r;
};

test('read-only commands answer with Circus keys', async () => {
  const list = ok(await c.call('list'));
  assert.deepEqual(list.watchers, ['sleeper', 'ticker', 'web']);
  assert.equal(typeof list.time, 'number');
  assert.match(String(list.id), /^t-\d+$/);
  assert.deepEqual(Object.keys(list), ['status', 'time', 'watchers', 'id'], 'key order status, time, payload, id');
  assert.deepEqual(ok(await c.call('list', { name: 'web' })).pids, c.pids('web'));
  assert.deepEqual(ok(await c.call('status')).statuses, { sleeper: 'active', web: 'active', ticker: 'active' });
  assert.equal((await c.call('status', { name: 'sleeper' })).status, 'active', 'the state is the status, as in Circus');
  const n = ok(await c.call('numprocesses', { name: 'web' }));
  assert.deepEqual([n.numprocesses, n.watcher_name], [2, 'web']);
  assert.equal(ok(await c.call('numprocesses')).numprocesses, 5);
  assert.equal(ok(await c.call('numwatchers')).numwatchers, 3);
  assert.deepEqual(ok(await c.call('listsockets')).sockets, []);
  const g = ok(await c.call('globaloptions')).options as Record<string, unknown>;
  assert.equal(g.endpoint, 'tcp://127.0.0.1:5555');
  assert.equal(g.check_delay, 1);
  assert.deepEqual(ok(await c.call('globaloptions', { option: 'check_delay' })).options, { check_delay: 1 });
  const opts = ok(await c.call('options', { name: 'web' })).options as Record<string, unknown>;
  assert.equal(opts.graceful_timeout, 5, 'durations in seconds');
  assert.equal(opts.numprocesses, 2);
  assert.equal(opts.stop_signal, 15);
  assert.deepEqual(ok(await c.call('get', { name: 'web', keys: ['numprocesses', 'graceful_timeout'] })).options,
    { numprocesses: 2, graceful_timeout: 5 });
});

test('stats and dstats report Circus process-info objects from /proc', async () => {
  const [pid] = c.pids('sleeper');
  const one = ok(await c.call('stats', { name: 'sleeper' }));
  assert.equal(one.name, 'sleeper');
  const info = (one.info as Record<string, Record<string, unknown>>)[String(pid)];
  assert.equal(info.pid, pid);
  assert.equal(info.cmdline, 'sleep');
  assert.equal(info.wid, 1);
  assert.match(String(info.mem_info1), /^\d+(\.\d\d)?[BKMGT]$/);
  assert.match(String(info.ctime), /^\d+:\d\d\.\d\d$/);
  const all = ok(await c.call('stats')).infos as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(all).sort(), ['sleeper', 'ticker', 'web']);
  assert.equal((ok(await c.call('stats', { name: 'sleeper', process: pid })).info as Record<string, unknown>).pid, pid);
  err(await c.call('stats', { name: 'web', process: 1 }), 3, /^process 1 not found in 'web'$/);
  const d = ok(await c.call('dstats')).info as Record<string, unknown>;
  assert.equal(d.pid, process.pid);
});

test('errors: unknown command, invalid JSON, missing and unknown properties, unknown watcher, bad match', async () => {
  err(await c.call('nosuchcmd'), 2, /^unknown command: 'nosuchcmd'$/);
  const bad = err((await c.raw('this is not json'))!, 1, /^json invalid$/);
  assert.equal(bad.id, null);
  err((await c.raw('   '))!, 1, /^empty request$/);
  err((await c.raw(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])))!, 1, /not valid UTF-8/);
  err((await c.raw('[1,2]'))!, 1, /expected an object/);
  err(await c.call('get', { name: 'web' }), 3, /^message invalid 'keys' is missing$/);
  err(await c.call('status', { name: 'nope' }), 3, /^program nope not found$/);
  err(await c.call('list', { bogus: 1 }), 3, /^unknown property 'bogus' for command 'list'/);
  err(await c.call('start', { name: 'x*', match: 'bogus' }), 3, /'match' must be one of glob, simple, regex/);
  err(await c.call('signal', { name: 'web', signum: 'NOSIG' }), 3, /'signum' must be a signal name or number, got "NOSIG"/);
  err(await c.call('set', { name: 'web', options: { numprocesses: 'three' } }), 3, /numprocesses: expected an integer ≥ 0, got "three"/);
  err(await c.call('set', { name: 'web', options: { bogus: 1 } }), 3, /bogus: unknown option/);
  err(await c.call('get', { name: 'web', keys: ['nope'] }), 3, /^unknown key 'nope'$/);
  err(await c.call('add', { name: 'sleeper', cmd: 'sleep 1' }), 5, /^'sleeper' already exist$/);
  err(await c.call('listen'), 3, /use a pub\/sub socket/);
  err((await c.raw(JSON.stringify({ id: 'x', command: 'list', extra: 1 })))!, 3, /unknown key 'extra' in request/);
  assert.equal(c.pids('web').length, 2, 'nothing changed');
});

test('a cast gets no reply; command names are case-insensitive', async () => {
  assert.equal(await c.raw(JSON.stringify({ id: 'c', command: 'list', msg_type: 'cast', properties: {} })), null);
  assert.deepEqual(ok(await c.call('LIST')).watchers, ['sleeper', 'ticker', 'web']);
});

test('incr/decr with and without waiting; decr stops the highest wids', async () => {
  const quick = ok(await c.call('incr', { name: 'sleeper' }));
  assert.deepEqual(Object.keys(quick), ['status', 'time', 'id'], 'no waiting: an immediate plain ok');
  await waitFor(() => c.pids('sleeper').length === 3, { what: 'third sleeper' });
  assert.equal(ok(await c.call('incr', { name: 'sleeper', nb: 2, waiting: true })).numprocesses, 5);
  assert.equal(c.pids('sleeper').length, 5);
  const before = c.pids('sleeper');
  assert.equal(ok(await c.call('decr', { name: 'sleeper', nb: 3, waiting: true })).numprocesses, 2);
  assert.deepEqual(c.pids('sleeper'), before.slice(0, 2));
  assert.ok(before.slice(2).every((p) => !pidAlive(p)));
});

test('restart, reload (graceful and sequential), stop and start report stopped/started/kept pids', async () => {
  const old = c.pids('sleeper');
  const r = ok(await c.call('restart', { name: 'sleeper', waiting: true })).info as Record<string, number[]>;
  assert.deepEqual(r.stopped, old);
  assert.deepEqual(r.started, c.pids('sleeper'));
  assert.deepEqual(r.kept, []);
  const before = c.pids('sleeper');
  const rl = ok(await c.call('reload', { name: 'sleeper', graceful: true, sequential: false, waiting: true })).info as Record<string, number[]>;
  assert.deepEqual(rl.stopped, before);
  assert.deepEqual(rl.started, c.pids('sleeper'));
  const seq = ok(await c.call('reload', { name: 'sleeper', sequential: true, waiting: true })).info as Record<string, number[]>;
  assert.deepEqual(seq.started, c.pids('sleeper'));
  assert.deepEqual(ok(await c.call('stop', { name: 'sleeper', waiting: true })).info, null);
  assert.equal((await c.call('status', { name: 'sleeper' })).status, 'stopped');
  const st = ok(await c.call('start', { name: 'sleeper', waiting: true })).info as Record<string, number[]>;
  assert.deepEqual(st.started, c.pids('sleeper'));
  assert.deepEqual(ok(await c.call('start', { name: 's*', match: 'glob', waiting: true })).info, { started: [], kept: c.pids('sleeper') });
  const g = ok(await c.call('restart', { name: 's*', match: 'glob', waiting: true })).info as Record<string, number[]>;
  assert.equal(g.started.length, 2);
});

test('restart without a name restarts every running watcher, in order', async () => {
  const before = [...c.pids('sleeper'), ...c.pids('web'), ...c.pids('ticker')];
  const info = ok(await c.call('restart', { waiting: true })).info as Record<string, number[]>;
  assert.deepEqual([...info.stopped].sort(), [...before].sort());
  const after = [...c.pids('sleeper'), ...c.pids('web'), ...c.pids('ticker')];
  assert.deepEqual([...info.started].sort(), [...after].sort());
  assert.ok(after.every((p) => !before.includes(p)));
});

test('add, set, options, signal, kill and rm', async () => {
  ok(await c.call('add', { name: 'Extra2', cmd: 'sleep 99', args: [], options: { numprocesses: 2, graceful_timeout: 1.5 }, start: true, waiting: true }));
  assert.equal(c.pids('Extra2').length, 2);
  ok(await c.call('set', { name: 'extra2', options: { numprocesses: 1 }, waiting: true }));
  const opts = ok(await c.call('options', { name: 'extra2' })).options as Record<string, unknown>;
  assert.equal(opts.numprocesses, 1);
  assert.equal(opts.graceful_timeout, 1.5);
  assert.equal(opts.cmd, 'sleep 99');
  const [pid] = c.pids('Extra2');
  ok(await c.call('set', { name: 'extra2', options: { graceful_timeout: 3 }, waiting: true }));
  assert.deepEqual(c.pids('Extra2'), [pid], 'a live option restarts nothing');
  ok(await c.call('signal', { name: 'extra2', signum: 'USR1' }));
  await waitFor(() => c.pids('Extra2')[0] !== pid && c.pids('Extra2').length === 1, { what: 'sleep died of USR1 and was replaced' });
  const [pid2] = c.pids('Extra2');
  ok(await c.call('kill', { name: 'extra2', signum: 'TERM', graceful_timeout: 2, waiting: true }));
  assert.equal(pidAlive(pid2), false);
  assert.equal(c.pids('Extra2').length, 1, 'replaced');
  ok(await c.call('rm', { name: 'extra2', waiting: true }));
  err(await c.call('status', { name: 'extra2' }), 3, /not found/);
});

test('extensions: tail, plan, reopen, health', async () => {
  const lines = await waitFor(async () => {
    const r = ok(await c.call('tail', { name: 'ticker', lines: 3 }));
    return (r.lines as { line: string }[]).length === 3 && (r.lines as { line: string; wid: number; stream: string }[]);
  }, { what: 'three ticks' });
  assert.ok(lines.every((l) => l.line === 'tick 1' && l.wid === 1 && l.stream === 'stdout'));
  ok(await c.call('incr', { name: 'web', waiting: true }));
  ok(await c.call('set', { name: 'ticker', options: { graceful_timeout: 7 }, waiting: true }));
  assert.deepEqual(ok(await c.call('plan')).plan,
    { add: [], remove: [], restart: [], update: ['ticker'], resize: ['web'], unchanged: ['sleeper'], sockets: { added: [], removed: [], changed: [] } });
  writeFileSync(c.arbiter.config.file, '[watchers.broken]\ncmd = 3\n');
  err(await c.call('plan'), 3, /watchers\.broken\.cmd: expected a non-empty string, got 3/);
  err(await c.call('reloadconfig', { waiting: true }), 3, /watchers\.broken\.cmd/);
  assert.equal(c.arbiter.names().length, 3, 'a bad config changes nothing');
  ok(await c.call('reopen'));
  const h = ok(await c.call('health')).health as Record<string, unknown>;
  assert.equal(h.pid, process.pid);
  assert.deepEqual(h.watchers, { stopped: 0, starting: 0, active: 3, stopping: 0, fatal: 0 });
});

test('quit runs the agent\'s quit', async () => {
  ok(await c.call('quit', { waiting: true }));
  assert.equal(c.quits, 1);
});
