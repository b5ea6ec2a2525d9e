// ringctl wait --ready, logs [-f] (one agent and the fleet) and check (Nagios exit codes), against real processes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fleetClient, fleetDir, startFleetAgent, startRingmaster, waitFleet, type Ringmaster } from '../support/fleet.ts';
import { startNats, type TestNats } from '../support/nats.ts';
import type { Ringd } from '../support/ringd.ts';
import { startRingdControl, type RingdControl } from '../support/ringd-control.ts';
import { ringctl, startRingctl as start } from '../support/ringctl.ts';
import { waitFor } from '../support/wait.ts';

const TICKER = 'cmd = "sh -c \'i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done\'"';


describe('ringctl wait, logs and check on one agent', () => {
  let r: RingdControl;
  let e: string[];
  before(async () => {
    r = await startRingdControl(`[watchers.web]\ncmd = "sleep 600"\nnumprocesses = 2\n\n[watchers.ticker]\n${TICKER}\n`);
    e = ['--endpoint', r.endpoints.control];
  });
  after(async () => {
    await r?.stop();
  });

  it('wait --ready returns once every process runs; exit 4 with the reason when it never does', async () => {
    await r.ok('incr', { name: 'web', nb: 2 });
    const ok = await ringctl([...e, 'wait', '--ready', 'web']);
    assert.deepEqual([ok.code, ok.stdout], [0, 'web: ready\n']);
    assert.equal((await r.pids('web')).length, 4, 'it waited for the two new processes');
    const never = await ringctl([...e, '--timeout', '1', 'wait', '--ready', 'nope']);
    assert.deepEqual([never.code, never.stderr], [4, 'ringctl: nope not ready within 1s (no watcher nope)\n']);
  });

  it('logs prints recent lines with the pid; -f follows new ones until Ctrl-C, then exits 0', async () => {
    const [pid] = await r.pids('ticker');
    await waitFor(async () => ((await r.ok('tail', { name: 'ticker', lines: 5 })).lines as unknown[]).length >= 3 || undefined, { timeoutMs: 20_000, what: 'ticker output' });
    const recent = await ringctl([...e, 'logs', 'ticker', '-n', '3']);
    assert.equal(recent.code, 0);
    assert.match(recent.stdout, new RegExp(`^(\\[${pid}\\] tick \\d+\\n){3}$`));
    const f = start([...e, 'logs', '-f', 'ticker', '-n', '1']);
    const last = () => Math.max(...[...f.out().matchAll(/tick (\d+)/g)].map((m) => Number(m[1])));
    const first = await waitFor(() => (f.out().includes('tick') ? last() : undefined), { timeoutMs: 20_000, what: 'the first line' });
    await waitFor(() => last() >= first + 3 || undefined, { timeoutMs: 20_000, what: 'three new lines while following' });
    f.child.kill('SIGINT');
    assert.equal((await f.done).code, 0);
  });

  it('listen prints the event stream as topic payload lines until Ctrl-C', async () => {
    const l = start([...e, 'listen', 'watcher.web.']);
    // The subscription joins asynchronously (ZeroMQ slow joiner): keep making events until one is printed.
    await waitFor(async () => {
      if (/^watcher\.web\.reap \{.*"process_pid": \d+/m.test(l.out())) return true;
      await r.ok('kill', { name: 'web', waiting: true });
      return undefined;
    }, { timeoutMs: 30_000, what: `a web event (got ${l.out()})` });
    assert.ok(!/^watcher\.ticker\./m.test(l.out()), 'topics filter by prefix');
    l.child.kill('SIGINT');
    assert.equal((await l.done).code, 0);
  });

  it('check: OK with perfdata; CRITICAL when a watcher is stopped; UNKNOWN when the agent is unreachable', async () => {
    const ok = await ringctl([...e, 'check']);
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /^RINGMASTER OK - 2 watcher\(s\), 5\/5 processes running \| watchers=2 processes=5 running=5 backoff=0 fatal=0\n$/);
    await r.ok('stop', { name: 'web', waiting: true });
    const crit = await ringctl([...e, 'check']);
    assert.equal(crit.code, 2);
    assert.match(crit.stdout, /^RINGMASTER CRITICAL - web stopped; 1\/5 running \|/);
    assert.equal((await ringctl([...e, 'check', 'ticker'])).code, 0, 'one watcher can be checked alone');
    const unknown = await ringctl(['--endpoint', 'ipc:///nonexistent/ctl.sock', 'check']);
    assert.deepEqual([unknown.code, unknown.stdout.startsWith('RINGMASTER UNKNOWN - no control socket at /nonexistent/ctl.sock')], [3, true]);
  });
});

describe('ringctl logs -f across the fleet', () => {
  let nats: TestNats;
  let ctl: Ringmaster;
  const agents: Ringd[] = [];
  before(async () => {
    nats = await startNats();
    const dir = fleetDir('ring-ctl-logs');
    ctl = startRingmaster(dir, [nats.url], { id: 'ctl-1' });
    for (const id of ['t-1', 't-2']) agents.push(startFleetAgent(dir, [nats.url], { id, watchers: `[watchers.ticker]\n${TICKER}\n` }));
    const nc = await fleetClient([nats.url]);
    await waitFleet(nc, (s) => s.agents.filter((a) => a.state === 'alive').length === 2, 'two agents');
    await nc.close();
  });
  after(async () => {
    for (const a of agents) await a.stop('SIGKILL');
    await ctl?.stop('SIGKILL');
    await nats?.stop();
  });

  it('prefixes every line with host and pid, follows both hosts, and ends cleanly on Ctrl-C', async () => {
    const f = start(['--nats', nats.url, 'logs', '-f', 'ticker', '-n', '1']);
    const hostsSeen = () => new Set([...f.out().matchAll(/^(t-\d) \[\d+\] tick \d+$/gm)].map((m) => m[1]));
    const count = () => f.out().split('\n').filter(Boolean).length;
    await waitFor(() => hostsSeen().size === 2 || undefined, { timeoutMs: 30_000, what: `lines from both hosts (got ${f.out()})` });
    const before = count();
    await waitFor(() => count() >= before + 6 || undefined, { timeoutMs: 30_000, what: 'followed lines' });
    assert.ok(f.out().split('\n').filter(Boolean).every((l) => /^t-\d \[\d+\] tick \d+$/.test(l)), f.out());
    f.child.kill('SIGINT');
    assert.equal((await f.done).code, 0);
  });
});
