// `ringctl tui` end to end in a real terminal (tmux, live rendering on: CI=0) against a real nats-server, ringmaster
// and two ringd agents, keys sent one at a time: hosts, a restart changing the pid on screen, live output, completion,
// the controller and NATS going away and coming back, and q restoring the terminal. Then one agent over ZeroMQ.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { quoteWord } from '../../agent/config/shlex.ts';
import { api, fleetClient, fleetDir, startFleetAgent, startRingmaster, waitFleet, type Ringmaster } from '../support/fleet.ts';
import { startNats, type TestNats } from '../support/nats.ts';
import type { Ringd } from '../support/ringd.ts';
import { startRingdControl, type RingdControl } from '../support/ringd-control.ts';
import { RINGCTL } from '../support/ringctl.ts';
import { tmpDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { openSource } from '../../tui/main.tsx';
import { FIXTURES, Terminal } from './support.ts';

const WATCHERS = `[watchers.ticker]
cmd = "node ${FIXTURES}/noisy-output.mjs --stay --every 300 --lines 3"

[watchers.web]
cmd = "node ${FIXTURES}/sleeper.mjs"
numprocesses = 2
`;

/** The shell command running `ringctl ARGS tui` with live rendering, in a private home. */
function tuiCommand(...args: string[]): string {
  const home = tmpDir('tui-home');
  const env = ['CI=0', 'CONTINUOUS_INTEGRATION=0', `HOME=${home}`, `XDG_STATE_HOME=${join(home, 'state')}`, `XDG_CACHE_HOME=${join(home, 'cache')}`, 'RING_NATS=', 'CIRCUSCTL_ENDPOINT='];
  return ['env', ...env, process.execPath, RINGCTL, ...args, 'tui'].map(quoteWord).join(' ');
}

const highestLine = (screen: string): number => Math.max(0, ...[...screen.matchAll(/\] line (\d{6}) /g)].map((m) => Number(m[1])));

describe('ringctl tui in a terminal, on a fleet', () => {
  let nats: TestNats;
  let dir: string;
  let ctl: Ringmaster;
  let nc: NatsConnection;
  const agents: Ringd[] = [];
  const term = new Terminal(`tui-fleet-${process.pid}`, 100, 30);
  const pids = async (host: string, watcher: string): Promise<number[]> =>
    (await api(nc, 'list', { target: { hosts: [host] }, properties: { name: watcher } })).results[0].reply!.pids as number[];

  before(async () => {
    nats = await startNats();
    dir = fleetDir('tui-tmux');
    ctl = startRingmaster(dir, [nats.url], { id: 'ctl-1' });
    for (const id of ['web-1', 'web-2']) agents.push(startFleetAgent(dir, [nats.url], { id, labels: { role: 'web' }, nats: 'stats_interval = "1s"', watchers: WATCHERS }));
    nc = await fleetClient([nats.url]);
    await waitFleet(nc, (s) => s.agents.filter((a) => a.state === 'alive' && a.inventory?.watchers.every((w) => w.processes.every((p) => p.state === 'running'))).length === 2, 'two agents running');
    await term.start(tuiCommand('--nats', nats.url));
  });
  after(async () => {
    await term.stop();
    await nc?.close();
    for (const a of agents) await a.stop('SIGKILL');
    await ctl?.stop('SIGKILL');
    await nats?.stop();
  });

  it('shows the hosts with their state, labels and processes', async () => {
    const screen = await term.until(/^web-1\s+alive\s+\d+\.\d\d\s+\S+\s+2\s+3\/3\s+-\s+\S+\s+\S+\s+role=web$/m, 'web-1 alive, its load from the heartbeats');
    assert.match(screen, /^web-2\s+alive\s/m);
    assert.match(screen, /● connected to .* controller ctl-1/);
  });

  it('a restart, confirmed, changes the pid on screen', async () => {
    await term.keys('Enter');
    await term.until(/fleet › hosts › web-1\s/, 'the host web-1');
    await term.keys('j', 'Enter');
    const old = await pids('web-1', 'web');
    await term.until(new RegExp(`^\\s+1\\s+${old[0]}\\s+running`, 'm'), `pid ${old[0]} of web`);
    await term.keys('r');
    await term.until(/Restart web on web-1\? \[y\/N\]/, 'the confirmation');
    await term.keys('y');
    await term.until(/restart web on web-1: done/, 'the result');
    const now = await pids('web-1', 'web');
    assert.ok(!now.includes(old[0]));
    await term.until(new RegExp(`^\\s+1\\s+${now.find((p) => !old.includes(p))}\\s+running\\s`, 'm'), 'the new pid of wid 1');
  });

  it('the log pane shows lines a process prints while it is open', async () => {
    await term.keys('Escape');
    await term.until(/^ticker\s+active/m, 'the watchers');
    await term.keys('k', 'l');
    const first = highestLine(await term.until(/\[\d+\] line \d{6} lorem ipsum/, 'output of ticker'));
    await term.until(new RegExp(`\\] line 0*${first + 1} lorem ipsum`), 'a line printed after the pane opened');
    await term.keys('Escape');
    await term.until(/^ticker\s+active/m, 'the watchers again');
  });

  it(': completes a watcher name from the live fleet', async () => {
    await term.keys(':');
    await term.type('restart ti');
    await term.keys('Tab');
    await term.until(/^:restart ticker\s*$/m, 'the watcher name completed');
    await term.keys('Escape');
    await term.until(/^\? help/m, 'the command line closed');
  });

  it('keeps the last data when the controller goes, says so, and recovers when one comes back', async () => {
    await ctl.stop('SIGKILL');
    await term.until(/no controller — retrying · host states as of \d\d:\d\d:\d\d/, 'no controller');
    assert.match(await term.screen(), /^ticker\s+active/m, 'the last data is still shown');
    ctl = startRingmaster(dir, [nats.url], { id: 'ctl-2' });
    await term.until(/● connected to .* controller ctl-2/, 'the new controller');
  });

  it('keeps the last data when NATS goes, says so, and recovers when it is back', async () => {
    await nats.stop();
    await term.until(/✕ disconnected — retrying · stale since/, 'disconnected');
    assert.match(await term.screen(), /^web\s+active\s+2\/2/m);
    await nats.restart();
    await term.until(/● connected to .* controller ctl-2/, 'connected again', 120_000);
  });

  it('--host and --label choose the hosts shown', async () => {
    const { source, store } = await openSource({ nats: nats.url, host: ['web-2'], timeout: 5 });
    source.start(store);
    try {
      await waitFor(() => store.getState().conn.state === 'connected' && store.getState().hosts.size > 0, { what: 'the fleet through the selectors', timeoutMs: 60_000 });
      assert.deepEqual([...store.getState().hosts.keys()], ['web-2']);
    } finally {
      store.close();
      await source.close();
    }
    await assert.rejects(openSource({ endpoint: 'tcp://127.0.0.1:9', label: ['role=web'], timeout: 5 }), /--host, --label and --all need the fleet/);
  });

  it('q exits 0 and gives the terminal back as it was', async () => {
    await term.keys('q');
    const { code, screen } = await term.exitStatus();
    assert.equal(code, 0);
    assert.doesNotMatch(screen, /Ringmaster|WATCHER/);
    assert.match(await term.everything(), /^before-the-tui\n\[exited 0\]$/m, 'what was on the terminal before, and nothing of the TUI');
  });
});

describe('ringctl tui in a terminal, on one agent over ZeroMQ', () => {
  let r: RingdControl;
  const term = new Terminal(`tui-local-${process.pid}`, 80, 24);

  before(async () => {
    r = await startRingdControl(WATCHERS);
  });
  after(async () => {
    await term.stop();
    await r?.stop();
  });

  it('shows the agent, its watchers and processes at 80×24; q exits 0', async () => {
    await term.start(tuiCommand('--endpoint', r.endpoints.control));
    await term.until(/^\S+\s+alive\s+/m, 'the agent');
    await term.keys('Enter');
    await term.until(/^web\s+active\s+2\/2/m, 'its watchers');
    await term.keys('j', 'Enter');
    const [pid] = await r.pids('web');
    const screen = await term.until(new RegExp(`^\\s+1\\s+${pid}\\s+running`, 'm'), 'the processes');
    assert.ok(screen.split('\n').every((l) => [...l].length <= 80));
    await term.keys('q');
    assert.equal((await term.exitStatus()).code, 0);
  });
});
