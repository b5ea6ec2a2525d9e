// Fork failure: ringd runs as an unprivileged uid (RLIMIT_NPROC is not enforced for root) and its process limit is set
// to the number of tasks that uid has, minus the worker about to be killed: the respawn fails with EAGAIN. It must
// back off with a plain-English reason (log and `backoff` event), not loop, keep answering `status`, and recover by
// itself once another process of that uid exits and frees a slot.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pidAlive, procStat, killQuietly } from '../support/proc.ts';
import { parseEndpoints } from '../support/ringd-control.ts';
import { tmpDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { ControlClient, EventCollector } from '../support/zmq.ts';

const UID = 47_000 + (process.pid % 1000); // a uid of its own: nobody else's processes count against the limit
const SLEEP = '6301';
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const RINGD = fileURLToPath(new URL('../../agent/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const isRoot = process.getuid?.() === 0;
const asUser = ['--reuid', String(UID), '--regid', String(UID), '--clear-groups'];
/** Whether that uid can run ringd from this checkout (a clone inside a private folder, e.g. mktemp -d, it cannot). */
const readable = isRoot && spawnSync('setpriv', [...asUser, 'test', '-r', RINGD, '-a', '-r', fileURLToPath(TSX)]).status === 0;
const skip = !isRoot ? 'needs root (to switch uid and set limits)'
  : !readable ? `an unprivileged uid cannot read ${REPO} (a parent folder is private): ringd cannot run as one` : false;

let dir: string;
let ringd: ChildProcess;
let out = '';
let blocker: ChildProcess | undefined;
let control: ControlClient;
let events: EventCollector;

/** Tasks (threads included: they count against RLIMIT_NPROC) whose real uid is UID. */
function tasksOfUid(): number {
  let n = 0;
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const st = readFileSync(`/proc/${e}/status`, 'utf8');
      if (Number(/^Uid:\s+(\d+)/m.exec(st)?.[1]) !== UID) continue;
      n += Number(/^Threads:\s+(\d+)/m.exec(st)?.[1] ?? 1);
    } catch {
      // gone
    }
  }
  return n;
}
function workers(): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'latin1') === `sleep\0${SLEEP}\0` && procStat(p)?.ppid === ringd.pid && pidAlive(p);
    } catch {
      return false;
    }
  });
}
const attempts = () => (out.match(/w\.\d+: cannot start sleep: .* restarting in \d+ms/g) ?? []).length;

before(async () => {
  if (skip) return;
  dir = tmpDir('fault-nproc');
  chmodSync(dir, 0o777);
  const file = join(dir, 'ringd.toml');
  writeFileSync(file, `discovery = { enabled = false }

[agent]
state_dir = "${dir}/state"
endpoint = "tcp://127.0.0.1:0"
pubsub_endpoint = "tcp://127.0.0.1:0"
stats_endpoint = "tcp://127.0.0.1:0"

[watchers.w]
cmd = "sleep ${SLEEP}"
numprocesses = 2
max_retry = -1
backoff_base = "1s"
backoff_max = "2s"
backoff_jitter = 0
`);
  chmodSync(file, 0o644);
  ringd = spawn('setpriv', [...asUser, process.execPath, '--import', TSX, RINGD, '--config', file], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: dir } });
  ringd.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  ringd.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => /ringd ready/.test(out) || ringd.exitCode !== null, { what: 'ringd ready', timeoutMs: 60_000, intervalMs: 100 });
  assert.match(out, /ringd ready/, out);
  const ep = parseEndpoints(out)!;
  control = new ControlClient(ep.control);
  events = await EventCollector.subscribe(ep.events, ['watcher.w.']);
});
after(async () => {
  control?.close();
  events?.close();
  killQuietly(blocker?.pid);
  if (ringd && ringd.exitCode === null) {
    ringd.kill('SIGTERM');
    await waitFor(() => ringd.exitCode !== null || ringd.signalCode !== null, { what: 'ringd exit', timeoutMs: 20_000 }).catch(() => ringd.kill('SIGKILL'));
  }
});

test('a respawn refused by RLIMIT_NPROC backs off with a plain reason, ringd keeps serving, and it recovers', { skip, timeout: 120_000 }, async () => {
  await waitFor(() => workers().length === 2, { what: 'two workers', timeoutMs: 30_000 });
  assert.equal((await control.call('status', {}, { timeoutMs: 10_000 })).status, 'ok');
  // A process of the same uid holds a slot; the limit leaves no room once the victim is gone.
  blocker = spawn('setpriv', [...asUser, 'sleep', '6399'], { stdio: 'ignore' });
  await waitFor(() => blocker!.pid && readFileSync(`/proc/${blocker!.pid}/cmdline`, 'latin1').startsWith('sleep\0'), { what: 'the blocker', timeoutMs: 10_000 });
  const limit = tasksOfUid() - 1;
  execFileSync('setpriv', [...asUser, 'prlimit', '--pid', String(ringd.pid), `--nproc=${limit}:${limit}`]);
  const [victim, survivor] = workers();
  process.kill(victim, 'SIGKILL');

  // Refused: a backoff event and a log line saying why in plain words.
  const backoff = (await events.waitFor((m) => m.topic === 'watcher.w.backoff', 'a backoff event', 30_000)).payload as unknown as { reason: string; delay: number };
  assert.match(backoff.reason, /cannot start sleep: .*process limit \(RLIMIT_NPROC/, JSON.stringify(backoff));
  await waitFor(() => attempts() >= 2, { what: 'a second refused attempt', timeoutMs: 30_000, intervalMs: 100 });
  assert.match(out, /w\.\d+: cannot start sleep: the system refused a new process: .*RLIMIT_NPROC.*restarting in \d+ms/);

  // No tight loop: over 6 s, with backoff 1s → 2s, at most a handful of attempts; status answers all along.
  const from = attempts();
  const windowEnd = Date.now() + 6000;
  await waitFor(async () => {
    const r = await control.call('status', {}, { timeoutMs: 10_000 });
    assert.equal(r.status, 'ok', JSON.stringify(r));
    return Date.now() >= windowEnd;
  }, { what: 'the observation window', timeoutMs: 30_000, intervalMs: 500 });
  const during = attempts() - from;
  assert.ok(during >= 1 && during <= 5, `${during} spawn attempts in 6 s`);
  assert.ok(ringd.exitCode === null && ringd.signalCode === null, `ringd is still running:\n${out}`);
  assert.deepEqual(workers(), [survivor], 'the other worker was left alone');
  const st = await control.call('status', { name: 'w' }, { timeoutMs: 10_000 });
  assert.equal(st.status, 'active', JSON.stringify(st));

  // A slot frees up: the next attempt succeeds.
  killQuietly(blocker.pid);
  await waitFor(() => workers().length === 2, { what: 'the respawn once a slot is free', timeoutMs: 30_000, intervalMs: 100 });
  await events.waitFor((m) => m.topic === 'watcher.w.spawn', 'a spawn event', 10_000);
});
