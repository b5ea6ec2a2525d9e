// Output end to end through the supervisor: line-exact capture, nothing lost at stop, none across rotation.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { startArbiter, q, type TestArbiter } from '../../support/arbiter.ts';
import { fixture } from '../../support/fixtures.ts';
import { waitFor } from '../../support/wait.ts';

const open: TestArbiter[] = [];
after(async () => { await Promise.all(open.map((t) => t.close())); });
const noisy = `${process.execPath} ${fixture('noisy-output.mjs')}`;

test('partial lines are joined, never split or merged with another process; the ring keeps recent lines', async () => {
  const t = await startArbiter(`
[watchers.noisy]
cmd = ${q(`${noisy} --lines 20 --partials 3 --pairs 2`)}
numprocesses = 2
respawn = false
output_lines = 5
[watchers.noisy.stdout_stream]
filename = "{dir}/out.log"
[watchers.noisy.stderr_stream]
filename = "{dir}/err.log"
`);
  open.push(t);
  const w = t.arbiter.get('noisy');
  await waitFor(() => w.state === 'stopped', { what: 'both processes finished' });
  await t.arbiter.get('noisy').stop();
  const out = readFileSync(join(t.dir, 'out.log'), 'latin1').split('\n');
  for (let i = 1; i <= 3; i++) assert.equal(out.filter((l) => l === `partial ${i}: alpha beta gamma`).length, 2, `partial ${i} whole, twice`);
  for (let n = 1; n <= 20; n++) {
    assert.equal(out.filter((l) => l === `line ${String(n).padStart(6, '0')} lorem ipsum dolor sit amet`).length, 2);
  }
  assert.equal(out.filter((l) => l.startsWith('noise ')).length, 4, 'binary noise frames kept as lines');
  assert.deepEqual(readFileSync(join(t.dir, 'err.log'), 'utf8').trim().split('\n').sort(), ['err 1', 'err 1', 'err 2', 'err 2']);
  const ring = w.slot(1)!.ring.lines();
  assert.equal(ring.length, 5);
  const lastOut = ring.filter((l) => l.stream === 'stdout').at(-1);
  assert.equal(lastOut?.line, 'line 000020 lorem ipsum dolor sit amet');
});

test('stopping drains the pipe to EOF: the last partial line written at SIGTERM is kept', async () => {
  const t = await startArbiter(`
[watchers.stay]
cmd = ${q(`${noisy} --stay --every 5 --lines 1`)}
[watchers.stay.stdout_stream]
filename = "{dir}/out.log"
`);
  open.push(t);
  await waitFor(() => t.arbiter.get('stay').slot(1)!.ring.lines().some((l) => l.line.startsWith('line 000005')), { what: 'a few lines' });
  await t.arbiter.stopWatcher('stay');
  const lines = readFileSync(join(t.dir, 'out.log'), 'latin1').split('\n').filter(Boolean);
  assert.equal(lines.at(-1), 'last-partial');
  const numbered = lines.filter((l) => l.startsWith('line ')).map((l) => Number(l.slice(5, 11)));
  assert.deepEqual(numbered, numbered.map((_, i) => i + 1), 'every numbered line, in order');
});

test('no line is lost or duplicated across size rotations and an external rotation while writing', async () => {
  const t = await startArbiter(`
[watchers.busy]
cmd = ${q(`${noisy} --stay --every 1 --lines 1 --partials 0 --noise 0 --pairs 0 --width 100`)}
[watchers.busy.stdout_stream]
filename = "{dir}/logs/out.log"
max_bytes = 20000
backup_count = 1000
`);
  open.push(t);
  const logs = join(t.dir, 'logs');
  const ring = () => t.arbiter.get('busy').slot(1)!.ring.lines();
  await waitFor(() => ring().some((l) => l.line.startsWith('line 000400')), { what: '400 lines written', timeoutMs: 30_000 });
  // logrotate "create" style: move the live file away; the sink must notice and reopen.
  renameSync(join(logs, 'out.log'), join(logs, 'moved.log'));
  await waitFor(() => ring().some((l) => l.line.startsWith('line 000900')), { what: '900 lines written', timeoutMs: 30_000 });
  await t.arbiter.stopWatcher('busy');
  const all = collectInOrder(logs);
  const numbered = all.split('\n').filter((l) => l.startsWith('line ')).map((l) => Number(l.slice(5, 11)));
  assert.ok(numbered.length >= 900);
  assert.deepEqual(numbered, numbered.map((_, i) => i + 1), 'every line exactly once, in order');
  const backups = readdirSync(logs).filter((f) => /^out\.log\.\d+$/.test(f));
  assert.ok(backups.length >= 3, `several size rotations happened: ${readdirSync(logs)}`);
  assert.ok(all.endsWith('last-partial\n'));
});

/**
 * The files in write order. Before the move: backups and the live file that became moved.log;
 * after it: new backups and the new live file. Backups are numbered newest-first, so sort every
 * file by its first line number instead of trusting names.
 */
function collectInOrder(dir: string): string {
  const files = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'latin1')).filter(Boolean);
  const first = (s: string) => Number(/line (\d{6})/.exec(s)?.[1] ?? Infinity);
  return files.sort((a, b) => first(a) - first(b)).join('');
}
