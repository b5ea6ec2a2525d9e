import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, formatIssue } from '../../../protocol/errors.ts';
import { loadConfig, startOrder, type WatcherConfig } from '../../../agent/config/index.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function problems(text: string): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-depends-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'ringd.toml'), text);
  try {
    await loadConfig(path.join(dir, 'ringd.toml'));
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues.map((i) => formatIssue({ ...i, file: path.basename(i.file) }));
  }
  return assert.fail('loadConfig should have thrown');
}

test('depends_on naming no watcher', async () => {
  assert.deepEqual(await problems('[watchers.web]\ncmd = "w"\ndepends_on = ["dbb", "queue"]\n[watchers.db]\ncmd = "d"\n'), [
    'ringd.toml: watchers.web.depends_on: unknown watcher "dbb"; did you mean "db"?',
    'ringd.toml: watchers.web.depends_on: unknown watcher "queue"',
  ]);
});

test('depends_on of a watcher with other errors is still checked', async () => {
  assert.deepEqual(await problems('[watchers.web]\ncmd = ""\ndepends_on = ["nope"]\n'), [
    'ringd.toml: watchers.web.cmd: expected a non-empty string, got ""',
    'ringd.toml: watchers.web.depends_on: unknown watcher "nope"',
  ]);
});

test('a dependency cycle is reported once, naming the cycle', async () => {
  assert.deepEqual(await problems('[watchers.b]\ncmd = "b"\ndepends_on = ["a"]\n[watchers.a]\ncmd = "a"\ndepends_on = "b"\n'), [
    'ringd.toml: watchers.a.depends_on: dependency cycle a → b → a',
  ]);
  assert.deepEqual(
    await problems('[watchers.c]\ncmd = "c"\ndepends_on = ["a"]\n[watchers.b]\ncmd = "b"\ndepends_on = ["c"]\n[watchers.a]\ncmd = "a"\ndepends_on = ["b"]\n[watchers.d]\ncmd = "d"\ndepends_on = ["a"]\n'),
    ['ringd.toml: watchers.a.depends_on: dependency cycle a → b → c → a'],
  );
  assert.deepEqual(await problems('[watchers.self]\ncmd = "s"\ndepends_on = ["self"]\n'), ['ringd.toml: watchers.self.depends_on: dependency cycle self → self']);
});

test('two separate cycles are both reported', async () => {
  assert.deepEqual(
    await problems('[watchers.a]\ncmd="a"\ndepends_on=["b"]\n[watchers.b]\ncmd="b"\ndepends_on=["a"]\n[watchers.x]\ncmd="x"\ndepends_on=["y"]\n[watchers.y]\ncmd="y"\ndepends_on=["x"]\n'),
    ['ringd.toml: watchers.a.depends_on: dependency cycle a → b → a', 'ringd.toml: watchers.x.depends_on: dependency cycle x → y → x'],
  );
});

test('startOrder: a diamond; priority only orders watchers that are ready', () => {
  const w = (name: string, priority: number, depends_on: string[] = []): WatcherConfig => ({ name, priority, depends_on }) as WatcherConfig;
  const order = startOrder([w('top', 100, ['left', 'right']), w('left', 1, ['base']), w('right', 2, ['base']), w('base', -5), w('lone', 0)]);
  assert.deepEqual(order.map((x) => x.name), ['lone', 'base', 'right', 'left', 'top']);
});
