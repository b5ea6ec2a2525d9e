// The TUI's data and key handling without a screen: keys arriving several at a time, the key handler on a fleet
// recorded from real agents, the store's reduction of what the fleet publishes and its bounded publishing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ring } from '../../tui/data/ring.ts';
import { agentEventEntry, rolloutEntry } from '../../tui/data/events.ts';
import { sparkline } from '../../tui/format.ts';
import { onKey, type Effect } from '../../tui/ui/handle.ts';
import { splitKeys, type InkKey, type Key } from '../../tui/ui/keys.ts';
import { KEYMAP } from '../../tui/ui/keymap.ts';
import { rowsOf } from '../../tui/ui/rows.ts';
import { initialUi, top, type UiState } from '../../tui/ui/state.ts';
import { layout } from '../../tui/views/table.tsx';
import { loadRecorded, recordedStore } from './support.ts';

const NO_KEY: InkKey = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageUp: false, pageDown: false, return: false, escape: false, ctrl: false, tab: false, backspace: false, delete: false };

/** Runs the keys through the handler the way the app does, collecting the effects. */
function press(ui: UiState, keys: Key[], fleet = recordedStore().getState()): { ui: UiState; effects: Effect[] } {
  const effects: Effect[] = [];
  for (const k of keys) {
    const step = onKey(ui, k, { fleet, page: 10, logSeq: 0 });
    ui = step.ui;
    effects.push(...step.effects);
  }
  return { ui, effects };
}

describe('tui: keys', () => {
  it('a chunk of several characters is one key per character, control characters included', () => {
    assert.deepEqual(splitKeys('jjr', NO_KEY), [{ name: 'char', char: 'j' }, { name: 'char', char: 'j' }, { name: 'char', char: 'r' }]);
    assert.deepEqual(splitKeys('web\r', NO_KEY).map((k) => k.name), ['char', 'char', 'char', 'enter']);
    assert.deepEqual(splitKeys('a\tb\x7f\x1b', NO_KEY).map((k) => k.name), ['char', 'tab', 'char', 'backspace', 'escape']);
    assert.deepEqual(splitKeys('', { ...NO_KEY, upArrow: true }), [{ name: 'up' }]);
    assert.deepEqual(splitKeys('', { ...NO_KEY, delete: true }), [{ name: 'backspace' }], 'DEL from the Backspace key erases backwards');
    assert.deepEqual(splitKeys('c', { ...NO_KEY, ctrl: true }), [{ name: 'ctrl', char: 'c' }]);
    assert.deepEqual(splitKeys('\x1b', { ...NO_KEY, escape: true }), [{ name: 'escape' }, { name: 'escape' }], 'Esc Esc read at once');
  });

  it('"jjr" in one chunk moves down twice, then asks before restarting the selected host\'s watchers', () => {
    const chars = splitKeys('jjr', NO_KEY);
    const { ui, effects } = press(initialUi(), chars);
    assert.equal(top(ui).cursor, 2);
    assert.equal(ui.mode.kind, 'confirm');
    assert.deepEqual(effects, []);
    const fleet = recordedStore().getState();
    assert.equal(rowsOf(fleet, top(ui))[2].key, 'web-2', 'hosts sorted by name: db-1, web-1, web-2');
    const yes = press(ui, splitKeys('y', NO_KEY));
    assert.deepEqual(yes.effects.map((e) => e.kind === 'run' && [e.pending.action, e.pending.target.hosts, e.pending.target.watcher]), [['restart', ['web-2'], null]]);
  });

  it('every key of the keymap is reachable and none is bound twice', () => {
    const all = KEYMAP.flatMap((b) => b.keys);
    assert.equal(new Set(all).size, all.length);
    for (const c of ['up', 'down', 'enter', 'back', 'start', 'stop', 'restart', 'reload', 'incr', 'decr', 'signal', 'logs', 'help', 'command', 'quit', 'filter']) {
      assert.ok(KEYMAP.some((b) => b.command === c), c);
    }
  });

  it('docs/tui.md lists every key of the keymap', () => {
    const doc = readFileSync(new URL('../../docs/tui.md', import.meta.url), 'utf8');
    for (const k of KEYMAP.flatMap((b) => b.keys)) assert.ok(doc.includes(`\`${k}\``), k);
  });

  it('drill-down: Enter opens the host, then the watcher; Esc goes back; / filters; Tab lists watchers across hosts', () => {
    let { ui } = press(initialUi(), splitKeys('j\r', NO_KEY));
    assert.deepEqual(top(ui).screen, { kind: 'host', host: 'web-1' });
    ({ ui } = press(ui, splitKeys('\r', NO_KEY)));
    assert.deepEqual(top(ui).screen, { kind: 'watcher', host: 'web-1', watcher: 'web' });
    ({ ui } = press(ui, splitKeys('\x1b\x1b', NO_KEY)));
    assert.equal(ui.stack.length, 1);
    const fleet = recordedStore().getState();
    ({ ui } = press(ui, splitKeys('/db\r', NO_KEY)));
    assert.deepEqual(rowsOf(fleet, top(ui)).map((r) => r.key), ['db-1']);
    ({ ui } = press(ui, [{ name: 'escape' }, { name: 'tab' }]));
    assert.deepEqual(rowsOf(fleet, top(ui)).map((r) => r.key), ['flaky', 'web', 'worker']);
  });

  it('a signal is picked from a list, then confirmed; incr needs a watcher', () => {
    let { ui, effects } = press(initialUi(), splitKeys('+', NO_KEY));
    assert.match(ui.message?.text ?? '', /choose a watcher first/);
    ({ ui } = press(initialUi(), splitKeys('j\r\rK', NO_KEY)));
    assert.equal(ui.mode.kind, 'signal');
    ({ ui, effects } = press(ui, splitKeys('jjjj\ry', NO_KEY)));
    assert.deepEqual(effects.map((e) => e.kind === 'run' && [e.pending.action, e.pending.signal, e.pending.target.pid]), [['signal', 'KILL', 30005]]);
  });
});

describe('tui: store', () => {
  it('reduces the recorded snapshot, heartbeats and stats: hosts, load, per-process figures, a sparkline per watcher', () => {
    const s = recordedStore().getState();
    assert.deepEqual([...s.hosts.keys()].sort(), ['db-1', 'web-1', 'web-2']);
    const db = s.hosts.get('db-1')!;
    assert.equal(db.labels.role, 'db');
    assert.ok(db.load && db.version, 'load and version from the heartbeat');
    const web = db.watchers!.find((w) => w.name === 'web')!;
    const stats = db.procStats.get(web.processes[0].pid!);
    assert.ok(stats && stats.rss! > 0 && stats.fds! > 0, 'rss and fds of a running process');
    assert.equal(db.spark.get('web')!.size, 2, 'one sample per stats message');
    assert.equal(db.watchers!.find((w) => w.name === 'flaky')!.processes[0].last_exit, 'exited 3');
  });

  it('counts a restart when a slot\'s pid changes, and says what the events mean in plain English', () => {
    const rec = loadRecorded();
    const store = recordedStore(rec);
    store.agent(rec.restart.delta.agent);
    store.flush();
    const web1 = store.getState().hosts.get('web-1')!;
    assert.equal(web1.restarts.get('web/1'), 1);
    assert.equal(web1.restarts.get('web/2'), 1);
    const lines = rec.restart.events.map((e) => agentEventEntry('web-1', e)?.text).filter(Boolean);
    assert.ok(lines.some((l) => /^pid \d+ \(wid 1\) killed by SIGTERM|exited 0$/.test(l!)), lines.join('\n'));
    assert.ok(lines.some((l) => /^spawned pid \d+ \(wid 2\)$/.test(l!)), lines.join('\n'));
    assert.ok(!lines.some((l) => /→ running/.test(l!)), 'process state transitions are not listed');
    const rollout = rolloutEntry({ rollout: 'a1b2c3d4e5', controller: 'ctl-1', event: 'stopped', ts: 0, watcher: 'web', reason: 'stopped at batch 2 of 3' });
    assert.deepEqual([rollout.level, rollout.text], ['error', 'rollout a1b2c3d4 stopped: stopped at batch 2 of 3']);
  });

  it('publishes a burst of a thousand stats messages as one frame', async () => {
    const rec = loadRecorded();
    const store = recordedStore(rec);
    let frames = 0;
    const published = new Promise<void>((resolve) => store.subscribe(() => {
      frames++;
      resolve();
    }));
    for (let i = 0; i < 1000; i++) store.stats({ ...rec.stats[i % rec.stats.length], ts: i });
    assert.equal(frames, 0, 'nothing is drawn while the messages arrive');
    await published;
    assert.equal(frames, 1);
    assert.equal(store.getState().hosts.get('web-1')!.spark.get('web')!.size, 60, 'the ring keeps the newest samples only');
    store.close();
  });

  it('a snapshot that shows nothing new (heartbeat times aside) changes nothing and draws nothing', () => {
    const rec = loadRecorded();
    const store = recordedStore(rec);
    const before = store.getState();
    store.snapshot(rec.snapshot.agents.map((a) => ({ ...a, last_heartbeat: (a.last_heartbeat ?? 0) + 1000 })));
    store.flush();
    assert.equal(store.getState(), before);
    store.snapshot(rec.snapshot.agents.map((a) => (a.id === 'db-1' ? { ...a, state: 'suspect' as const, reason: 'no heartbeat for 3.1s' } : a)));
    store.flush();
    assert.notEqual(store.getState(), before);
    assert.equal(store.getState().hosts.get('web-1'), before.hosts.get('web-1'), 'unchanged hosts keep their record');
    assert.match(store.getState().events.at(-1)!.text, /^alive → suspect \(no heartbeat for 3\.1s\)$/);
  });

  it('a ring keeps the newest values in order; a sparkline scales to its maximum', () => {
    const r = new Ring(3);
    for (const v of [1, 2, 3, 4, 5]) r.push(v);
    assert.deepEqual(r.values(), [3, 4, 5]);
    assert.equal(sparkline([0, 50, 100], 3), '▁▅█');
    assert.equal(sparkline([0, 0.2], 2), '▁▂', 'idle stays low');
  });

  it('a table keeps the important columns on a narrow screen and widens the growing ones on a wide one', () => {
    const cols = [{ title: 'A', width: 10, grow: 1, priority: 0 }, { title: 'B', width: 30, priority: 2 }, { title: 'C', width: 5, priority: 0 }];
    assert.deepEqual(layout(cols, 40), [{ index: 0, width: 34 }, { index: 2, width: 5 }]);
    assert.deepEqual(layout(cols, 80), [{ index: 0, width: 43 }, { index: 1, width: 30 }, { index: 2, width: 5 }]);
  });
});
