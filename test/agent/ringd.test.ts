// The ringd binary end to end: signals, SIGKILL safety, leftovers of a crashed run, reload, --check-config.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync, renameSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixture } from '../support/fixtures.ts';
import { pidAlive, waitGone, killQuietly, procStat } from '../support/proc.ts';
import { agentSection, startRingd, type Ringd } from '../support/ringd.ts';
import { tmpDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { ControlClient } from '../support/zmq.ts';

const RINGD = fileURLToPath(new URL('../../bin/ringd.js', import.meta.url));
const running: Ringd[] = [];
const strays: number[] = [];
after(async () => {
  await Promise.all(running.map((r) => r.stop('SIGKILL')));
  strays.forEach((p) => killQuietly(p));
});

function forkerConfig(dir: string, extra = ''): string {
  const file = join(dir, 'ringd.toml');
  writeFileSync(file, `
${agentSection(dir)}
[watchers.forker]
cmd = ${JSON.stringify(`${process.execPath} ${fixture('forker.mjs')}`)}
graceful_timeout = "3s"
[watchers.forker.env]
FORKER_PIDS_FILE = "${dir}/pids.json"
${extra}`);
  return file;
}

async function forkerTree(dir: string, previous?: number[]): Promise<number[]> {
  return waitFor(() => {
    const p = JSON.parse(readFileSync(join(dir, 'pids.json'), 'utf8')) as { children: number[]; orphan: number; escapee: number };
    const all = [...p.children, p.orphan, p.escapee];
    return (!previous || all[0] !== previous[0]) && all.every(pidAlive) && all;
  }, { what: 'forker tree running', timeoutMs: 20_000 });
}

function spawnedPid(out: string, watcher: string): number {
  const m = [...out.matchAll(new RegExp(`${watcher}\\.\\d+: spawned pid (\\d+)`, 'g'))].pop();
  assert.ok(m, `no spawn line for ${watcher} in:\n${out}`);
  return Number(m[1]);
}

test('SIGKILL of ringd leaves nothing: children by pdeathsig, grandchildren and escapees by the guardian', async () => {
  const dir = tmpDir('ringd-kill9');
  const r = startRingd(forkerConfig(dir));
  running.push(r);
  await r.waitForOutput(/ringd ready/, 30_000);
  const main = spawnedPid(r.output(), 'forker');
  const tree = await forkerTree(dir);
  strays.push(main, ...tree);
  const killedAt = Date.now();
  await r.stop('SIGKILL');
  await waitGone([main, ...tree], 20_000);
  process.stdout.write(`# whole tree gone ${Date.now() - killedAt} ms after kill -9 of ringd\n`);
});

test('a new ringd kills what a crashed run left (pid + start time verified), and never an unrelated process', async () => {
  const dir = tmpDir('ringd-leftovers');
  const cfg = forkerConfig(dir);
  const r1 = startRingd(cfg);
  running.push(r1);
  await r1.waitForOutput(/ringd ready/, 30_000);
  const main = spawnedPid(r1.output(), 'forker');
  const tree = await forkerTree(dir);
  strays.push(main, ...tree);
  // Simulate a crash in which the guardian died too: stop it first, then SIGKILL ringd.
  const guardian = Number(spawnSync('pgrep', ['-f', `ringd-guardian.*${dir}`], { encoding: 'utf8' }).stdout.trim().split('\n')[0]);
  assert.ok(guardian > 0, 'the guardian runs');
  process.kill(guardian, 'SIGKILL');
  await r1.stop('SIGKILL'); // the main process dies of pdeathsig; its tree is what is left
  const stateDir = join(dir, 'state');
  const stateFile = join(stateDir, readdirSync(stateDir).find((f) => f.endsWith('.json'))!);
  const leftovers = tree.filter(pidAlive);
  assert.ok(leftovers.length > 0, 'something was left behind for the next run to clean up');
  // An unrelated process recorded with the wrong start time must survive.
  const bystander = spawn('sleep', ['600'], { stdio: 'ignore', detached: true });
  strays.push(bystander.pid!);
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { children: { pid: number; starttime: number; watcher: string; marker: string }[] };
  state.children.push({ pid: bystander.pid!, starttime: 1, watcher: 'forker', marker: 'unrelated' });
  writeFileSync(stateFile, JSON.stringify(state));

  const r2 = startRingd(cfg);
  running.push(r2);
  await r2.waitForOutput(/killed \d+ leftover process\(es\) of a previous run/, 30_000);
  await waitGone(leftovers, 10_000);
  assert.ok(pidAlive(bystander.pid!), 'a pid whose start time differs is left alone');
  await r2.waitForOutput(new RegExp(`left pid ${bystander.pid} alone: pid reused`), 30_000);
  await r2.waitForOutput(/ringd ready/, 30_000);
  assert.equal(await r2.stop('SIGTERM'), 0);
});

test('SIGTERM stops every watcher in dependency order and exits 0 with nothing left', async () => {
  const dir = tmpDir('ringd-term');
  const file = join(dir, 'ringd.toml');
  const sleeper = `${process.execPath} ${fixture('sleeper.mjs')}`;
  writeFileSync(file, `
${agentSection(dir)}
[watchers.db]
cmd = ${JSON.stringify(sleeper)}
[watchers.web]
cmd = ${JSON.stringify(sleeper)}
depends_on = ["db"]
numprocesses = 2
[watchers.web.env]
TERM_DELAY_MS = "300"
`);
  const r = startRingd(file);
  running.push(r);
  await r.waitForOutput(/ringd ready/, 30_000);
  const out = r.output();
  assert.ok(out.indexOf('db.1: spawned') < out.indexOf('web.1: spawned'), 'db starts before web');
  const pids = [spawnedPid(out, 'db'), spawnedPid(out, 'web')];
  assert.equal(await r.stop('SIGTERM'), 0);
  const end = r.output();
  assert.ok(end.indexOf('web: stopping → stopped') < end.indexOf('db: active → stopping'), `web stops before db starts stopping:\n${end}`);
  assert.deepEqual(pids.filter(pidAlive), []);
  assert.match(end, /ringd stopped/);
});

test('SIGHUP reloads: an invalid file is reported and the running config kept; a valid one is applied', async () => {
  const dir = tmpDir('ringd-hup');
  const file = join(dir, 'ringd.toml');
  const base = (n: number | string) => `
${agentSection(dir)}
[watchers.w]
cmd = "sleep 600"
numprocesses = ${n}
`;
  writeFileSync(file, base(1));
  const r = startRingd(file);
  running.push(r);
  await r.waitForOutput(/ringd ready/, 30_000);
  const first = spawnedPid(r.output(), 'w');
  writeFileSync(file, base('"three"'));
  r.child.kill('SIGHUP');
  await r.waitForOutput(/reload refused, keeping the running configuration:\n.*watchers\.w\.numprocesses: expected an integer/);
  assert.ok(pidAlive(first), 'nothing restarted by a bad reload');
  writeFileSync(file, base(3));
  r.child.kill('SIGHUP');
  await r.waitForOutput(/resized \[w\]/);
  await r.waitForOutput(/w\.3: spawned pid/);
  assert.ok(pidAlive(first), 'a resize restarts nothing');
  assert.equal(await r.stop('SIGTERM'), 0);
});

test('--check-config exits 0 for a valid file and 1 with file, key and expectation otherwise', () => {
  const dir = tmpDir('ringd-check');
  const good = join(dir, 'good.toml');
  writeFileSync(good, '[watchers.a]\ncmd = "sleep 1"\n');
  const ok = spawnSync(process.execPath, [RINGD, '--check-config', good], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /good\.toml: ok \(1 watcher/);
  const bad = join(dir, 'bad.toml');
  writeFileSync(bad, '[watchers.a]\ncmd = "sleep 1"\nnumprocess = 2\n');
  const ko = spawnSync(process.execPath, [RINGD, '--check-config', bad], { encoding: 'utf8' });
  assert.equal(ko.status, 1);
  assert.match(ko.stderr, /bad\.toml: watchers\.a\.numprocess: unknown option; did you mean "numprocesses"\?/);
  const usage = spawnSync(process.execPath, [RINGD, '--frobnicate'], { encoding: 'utf8' });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /Unknown option '--frobnicate'/);
});

test('SIGUSR1 reopens log files moved away by an external rotation', async () => {
  const dir = tmpDir('ringd-usr1');
  const file = join(dir, 'ringd.toml');
  writeFileSync(file, `
${agentSection(dir)}
[watchers.talk]
cmd = ${JSON.stringify(`${process.execPath} ${fixture('noisy-output.mjs')} --stay --every 20 --lines 1`)}
[watchers.talk.stdout_stream]
filename = "${dir}/talk.log"
`);
  const r = startRingd(file);
  running.push(r);
  await r.waitForOutput(/ringd ready/, 30_000);
  const log = join(dir, 'talk.log');
  await waitFor(() => readFileSync(log, 'utf8').includes('line 000003'), { what: 'lines in talk.log' });
  renameSync(log, `${log}.old`);
  r.child.kill('SIGUSR1');
  await r.waitForOutput(/log files reopened/);
  await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('line '), { what: 'new talk.log written' });
  assert.equal(await r.stop('SIGTERM'), 0);
  const numbers = (f: string) => readFileSync(f, 'utf8').split('\n').filter((l) => l.startsWith('line ')).map((l) => Number(l.slice(5, 11)));
  const all = [...numbers(`${log}.old`), ...numbers(log)];
  assert.deepEqual(all, all.map((_, i) => i + 1), 'no line lost or repeated across the reopen');
});

test('quit over the control endpoint stops everything in order, replies, and ringd exits 0', async () => {
  const dir = tmpDir('ringd-quit');
  const file = join(dir, 'ringd.toml');
  writeFileSync(file, `
${agentSection(dir)}
[watchers.db]
cmd = "sleep 600"
[watchers.web]
cmd = "sleep 601"
depends_on = ["db"]
`);
  const r = startRingd(file);
  running.push(r);
  await r.waitForOutput(/ringd ready/, 30_000);
  const endpoint = /control (tcp:\/\/127\.0\.0\.1:\d+)/.exec(r.output())![1];
  const pids = [spawnedPid(r.output(), 'db'), spawnedPid(r.output(), 'web')];
  const client = new ControlClient(endpoint);
  try {
    const reply = await client.call('quit', { waiting: true }, { timeoutMs: 30_000 });
    assert.equal(reply.status, 'ok');
    assert.deepEqual(pids.filter(pidAlive), [], 'everything stopped before the reply');
  } finally {
    client.close();
  }
  assert.equal(await r.stop('SIGTERM', 30_000), 0);
  const out = r.output();
  assert.ok(out.indexOf('web: stopping → stopped') < out.indexOf('db: active → stopping'), 'dependents first');
});
