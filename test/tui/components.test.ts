// The TUI's components with ink-testing-library: the fleet table and drill-down on a fleet recorded from real agents,
// at 80×24 and on a wide screen; confirmations, the log pane and command-line completion against a real ringd.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { makeActions } from '../../tui/actions.ts';
import { LocalSource } from '../../tui/data/local.ts';
import { FleetStore } from '../../tui/data/store.ts';
import { KEYMAP } from '../../tui/ui/keymap.ts';
import { startRingdControl, waitPids, type RingdControl } from '../support/ringd-control.ts';
import { tmpDir } from '../support/tmp.ts';
import { FIXTURES, KEYS, loadRecorded, recordedStore, renderApp, type RenderedApp } from './support.ts';

const SMALL = { columns: 80, rows: 24 };
const WIDE = { columns: 160, rows: 40 };

/** Every line of a frame fits the width, and there are exactly `rows` of them. */
function assertFits(frame: string, size: { columns: number; rows: number }): void {
  const lines = frame.split('\n');
  assert.equal(lines.length, size.rows, frame);
  for (const l of lines) assert.ok([...l].length <= size.columns, `too wide (${[...l].length}): ${l}`);
}

describe('tui components on a recorded fleet', () => {
  const open = (size: { columns: number; rows: number }): RenderedApp => {
    const store = recordedStore();
    const readOnly = { follow: () => () => undefined };
    return renderApp({ store, source: readOnly, actions: makeActions({ timeout: 5 }, store.getState, null), size });
  };

  it('80×24: the fleet table shows every host with its state, load, version, watchers and processes by state', async () => {
    const app = open(SMALL);
    const frame = await app.until(/web-2/, 'the hosts');
    assertFits(frame, SMALL);
    assert.match(frame, /^HOST\s+STATE\s+LOAD\s+VERSION\s+W\s+PROCS\s+PROBLEMS\s+LABELS$/m);
    assert.match(frame, /^db-1\s+alive\s+\d+\.\d\d\s+0\.1\.0\s+3\s+3\/4\s+1 fatal\s+role=db,dc=par1$/m);
    assert.match(frame, /^web-1\s+alive\s+\d+\.\d\d\s+0\.1\.0\s+2\s+3\/3\s+-\s+role=web,dc=par1$/m);
    assert.match(frame, /● recorded from controller ctl-1/);
    app.unmount();
  });

  it('an agent that is not alive says why, in the table and in the events', async () => {
    const rec = loadRecorded();
    const store = recordedStore(rec);
    const app = renderApp({ store, source: { follow: () => () => undefined }, actions: makeActions({ timeout: 5 }, store.getState, null), size: SMALL });
    await app.until(/^db-1\s+alive/m, 'db-1 alive');
    store.agent({ ...rec.snapshot.agents.find((a) => a.id === 'db-1')!, state: 'lost', reason: 'no heartbeat for 10.2s' });
    const frame = await app.until(/^db-1\s+lost\s+.*\s+no heartbeat f…\s+role=db/m, 'db-1 lost, and why (cut to its column)');
    assert.match(frame, /^\d\d:\d\d:\d\d db-1 alive → lost \(no heartbeat for 10\.2s\)$/m);
    app.unmount();
  });

  it('a wide screen gets more columns (CPU, memory) and a taller events pane', async () => {
    const app = open(WIDE);
    const frame = await app.until(/web-2/, 'the hosts');
    assertFits(frame, WIDE);
    assert.match(frame, /^HOST\s+STATE\s+LOAD\s+VERSION\s+W\s+PROCS\s+PROBLEMS\s+CPU%\s+RSS\s+LABELS$/m);
    assert.match(frame, /^web-1\s+alive.*\d+M\s+role=web,dc=par1$/m);
    assert.equal(frame.split('\n').findIndex((l) => l.startsWith('── Events')), WIDE.rows - 2 - 8);
    app.unmount();
  });

  it('drill-down: host → watchers (with sparklines) → processes (last exit in plain English); Esc goes back', async () => {
    const app = open(SMALL);
    await app.until(/db-1/, 'the hosts');
    app.press(KEYS.enter);
    let frame = await app.until(/fleet › hosts › db-1/, 'the host db-1');
    assert.match(frame, /^WATCHER\s+STATE\s+PROCS\s+RESTARTS\s+CPU%\s+RSS\s+CPU HISTORY$/m);
    assert.match(frame, /^flaky\s+fatal\s+0\/1\s+0\s+0\.0\s+0B\s+▁▁$/m);
    assert.match(frame, /^web\s+active\s+2\/2\s+0\s+\d+\.\d\s+\d+M\s+[▁-█]{2}$/m);
    app.press(KEYS.enter);
    frame = await app.until(/db-1 › flaky/, 'the processes of flaky');
    assert.match(frame, /^\s+1\s+-\s+fatal\s+-\s+-\s+-\s+-\s+0\s+exited 3$/m);
    app.press(KEYS.escape);
    await app.until(/fleet › hosts › db-1\s+sort/, 'the host again');
    app.press(KEYS.escape);
    await app.until(/Ringmaster\s+fleet › hosts\s+sort/, 'the fleet again');
    app.press(KEYS.tab);
    frame = await app.until(/fleet › watchers/, 'the watchers across hosts');
    assert.match(frame, /^web\s+3\s+active\s+6\/6\s+0\s+/m);
    app.unmount();
  });

  it('a terminal smaller than 80×24 is told to grow', async () => {
    const app = open({ columns: 60, rows: 20 });
    await app.until(/needs a terminal of at least 80×24: make this one larger/, 'the message');
    app.unmount();
  });

  it('? lists every key of the keymap', async () => {
    const app = open({ columns: 100, rows: 40 });
    await app.until(/web-2/, 'the hosts');
    app.press('?');
    const frame = await app.until(/Keys \(actions apply to the selection\)/, 'the help');
    for (const b of KEYMAP) assert.ok(frame.includes(b.help), b.help);
    app.press('x');
    await app.until(/^HOST/m, 'the help closed by any key');
    app.unmount();
  });
});

describe('tui components on a real ringd', () => {
  let r: RingdControl;
  let store: FleetStore;
  let source: LocalSource;
  let app: RenderedApp;
  let id: string;

  before(async () => {
    r = await startRingdControl(`[sockets.api]\nport = 0\n\n[watchers.web]\ncmd = "node ${FIXTURES}/sleeper.mjs"\nnumprocesses = 2\n\n`
      + `[watchers.worker]\ncmd = "node ${FIXTURES}/http-worker.mjs --fd $(circus.sockets.api)"\n`);
    id = String(((await r.ok('globaloptions')).options as Record<string, unknown>).id);
    await waitPids(r, 'web', 2);
    const flags = { endpoint: r.endpoints.control, timeout: 5 };
    store = new FleetStore('local', r.endpoints.control);
    source = new LocalSource(r.endpoints.control, { timeoutMs: 5000 });
    source.start(store);
    app = renderApp({ store, source, actions: makeActions(flags, store.getState, join(tmpDir('tui-history'), 'history')), size: SMALL });
  });
  after(async () => {
    app?.unmount();
    store?.close();
    await source?.close();
    await r?.stop();
  });

  it('shows the agent through ZeroMQ, then its watchers, its sockets with their connections, and the pids ringd reports', async () => {
    await app.until(new RegExp(`^${id}\\s+alive`, 'm'), 'the agent');
    app.press(KEYS.enter);
    await app.until(/^web\s+active\s+2\/2/m, 'the watchers');
    const port = Number(/^api\s+127\.0\.0\.1:(\d+)\s+0\s+0\s+\d+$/m.exec(await app.until(/^api\s+127\.0\.0\.1:\d+\s+0\s+0/m, 'the socket, no connection'))![1]);
    assert.match(app.frame(), /^SOCKET\s+ADDRESS\s+CONNECTIONS\s+ACCEPT QUEUE\s+BACKLOG$/m);
    const client = net.connect(port, '127.0.0.1');
    await app.until(new RegExp(`^api\\s+127\\.0\\.0\\.1:${port}\\s+1\\s+0`, 'm'), 'one connection');
    client.destroy();
    app.press(KEYS.enter);
    const pids = await r.pids('web');
    const frame = await app.until(new RegExp(`${pids[0]}[\\s\\S]*${pids[1]}`), 'both pids of web');
    assertFits(frame, SMALL);
    assert.match(frame, new RegExp(`^\\s+1\\s+${pids[0]}\\s+running\\s+\\d+s\\s`, 'm'));
  });

  it('a restart asks first: n cancels and changes nothing; y restarts, shows the result and the new pids', async () => {
    const before = await r.pids('web');
    app.press('r');
    await app.until(new RegExp(`Restart web on ${id}\\? \\[y/N\\]`), 'the confirmation');
    app.press('n');
    await app.until(/cancelled: restart web/, 'the cancellation');
    assert.deepEqual(await r.pids('web'), before);
    app.press('r');
    await app.until(/\[y\/N\]/, 'the confirmation again');
    app.press('y');
    await app.until(new RegExp(`restart web on ${id}: done`), 'the result');
    const after = await waitPids(r, 'web', 2, before);
    const frame = await app.until(new RegExp(`^\\s+1\\s+${after[0]}\\s+running[\\s\\S]*^\\s+2\\s+${after[1]}\\s+running`, 'm'), 'the new pids in the table');
    assert.match(frame, new RegExp(`^\\s+1\\s+${after[0]}\\s+running\\s+\\S+\\s+\\S+\\s+\\S+\\s+-\\s+1\\s`, 'm'), 'one restart counted for wid 1');
  });

  it('the log pane shows what a process printed', async () => {
    const pid = (await r.pids('web'))[0];
    app.press('l');
    await app.until(new RegExp(`\\[${pid}\\] ready pid=${pid} wid=`), 'the ready line of the process');
    app.press(' ');
    await app.until(/PAUSED \(Space resumes\)/, 'paused');
    app.press(' ');
    await app.until(/following$/m, 'following again');
    app.press(KEYS.escape);
    await app.until(/^\s+WID\s+PID/m, 'the processes again');
  });

  it(': completes commands and live watcher names with TAB (again: the next candidate), and runs the line', async () => {
    app.press(':', ...'restart w');
    await app.until(/^:restart w$/m, 'the line typed');
    app.press(KEYS.tab);
    await app.until(/^:restart web\s+\[1\/2: web worker\]/m, 'the first watcher');
    app.press(KEYS.tab);
    await app.until(/^:restart worker\s+\[2\/2: web worker\]/m, 'the next one');
    app.press(KEYS.escape);
    await app.until(/^\? help/m, 'the line closed');
    app.press(':', 'numw', KEYS.tab);
    await app.until(/^:numwatchers$/m, 'a sole candidate');
    app.press(KEYS.enter);
    await app.until(/:numwatchers\n2\n/, 'its output');
    app.press(KEYS.escape);
    await app.until(/^ WID/m, 'the processes again');
    app.press(':', KEYS.up);
    await app.until(/^:numwatchers$/m, 'the history');
    app.press(KEYS.escape);
  });
});
