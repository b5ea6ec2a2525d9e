import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, formatIssue } from '../../../protocol/errors.ts';
import { loadConfig } from '../../../agent/config/index.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-include-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** The issue lines of loading `file` (which must fail). */
async function problems(file: string): Promise<string[]> {
  try {
    await loadConfig(file);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues.map(formatIssue);
  }
  return assert.fail('loadConfig should have thrown');
}

test('globs are relative to the main file, sorted; included files add watchers and env', async () => {
  const dir = tree({
    'etc/ringd.toml': 'include = ["conf.d/*.toml", "extra/**/*.toml"]\n[env]\nA = "main"\nB = "main"\n',
    'etc/conf.d/web.toml': '[watchers.web]\ncmd = "web $(circus.env.B)"\nworking_dir = "app"\n[env]\nB = "web"\n',
    'etc/conf.d/db.toml': '[watchers.db]\ncmd = "db"\n',
    'etc/conf.d/notes.txt': 'not toml [',
    'etc/extra/deep/more/cache.toml': '[watchers.cache]\ncmd = "cache"\n',
  });
  const main = path.join(dir, 'etc/ringd.toml');
  const config = await loadConfig(main);
  assert.deepEqual(config.files, [
    main,
    path.join(dir, 'etc/conf.d/db.toml'),
    path.join(dir, 'etc/conf.d/web.toml'),
    path.join(dir, 'etc/extra/deep/more/cache.toml'),
  ]);
  assert.deepEqual(config.env, { A: 'main', B: 'web' });
  const web = config.watchers.find((w) => w.name === 'web');
  assert.equal(web?.file, 'conf.d/web.toml');
  assert.equal(web?.cmd, 'web web');
  assert.equal(web?.working_dir, path.join(dir, 'etc/conf.d/app'), 'paths are relative to the defining file');
  assert.equal(config.watchers.find((w) => w.name === 'cache')?.file, path.join('extra', 'deep', 'more', 'cache.toml'));
});

test('a single string include, a literal path, the main file and duplicates are read once', async () => {
  const dir = tree({
    'ringd.toml': 'include = ["*.toml", "web.toml", "./web.toml"]\n',
    'web.toml': '[watchers.web]\ncmd = "web"\n',
  });
  const config = await loadConfig(path.join(dir, 'ringd.toml'));
  assert.deepEqual(config.files, [path.join(dir, 'ringd.toml'), path.join(dir, 'web.toml')]);
  const dir2 = tree({ 'ringd.toml': 'include = "conf.d/*.toml"\n', 'conf.d/a.toml': '[watchers.a]\ncmd = "a"\n' });
  assert.deepEqual((await loadConfig(path.join(dir2, 'ringd.toml'))).watchers.map((w) => w.name), ['a']);
});

test('a glob matching nothing is fine; a missing literal path is an error', async () => {
  const dir = tree({ 'ringd.toml': 'include = ["conf.d/*.toml", "nowhere/**/*.toml"]\n' });
  assert.deepEqual((await loadConfig(path.join(dir, 'ringd.toml'))).watchers, []);
  const dir2 = tree({ 'ringd.toml': 'include = ["conf.d/web.toml", "conf.d"]\n', 'conf.d/x': '' });
  const main = path.join(dir2, 'ringd.toml');
  assert.deepEqual(await problems(main), [
    `${main}: include: cannot include "conf.d/web.toml": no such file`,
    `${main}: include: "conf.d" is not a file`,
  ]);
});

test('a watcher defined in two files is an error naming both', async () => {
  const dir = tree({
    'ringd.toml': 'include = ["conf.d/*.toml"]\n[watchers.web]\ncmd = "main"\n',
    'conf.d/a.toml': '[watchers.api]\ncmd = "a"\n',
    'conf.d/b.toml': '[watchers.api]\ncmd = "b"\n[watchers.web]\ncmd = "b"\n',
  });
  const main = path.join(dir, 'ringd.toml');
  assert.deepEqual(await problems(main), [
    'conf.d/b.toml: watchers.api: watcher "api" is already defined in conf.d/a.toml',
    `conf.d/b.toml: watchers.web: watcher "web" is already defined in ${main}`,
  ]);
});

test('include and [agent] are only allowed in the main file', async () => {
  const dir = tree({
    'ringd.toml': 'include = ["conf.d/*.toml"]\n',
    'conf.d/a.toml': 'include = ["../other/*.toml"]\n[agent]\nloglevel = "debug"\n[watchers.a]\ncmd = "a"\n',
    'other/b.toml': '[watchers.b]\ncmd = "b"\n',
  });
  const main = path.join(dir, 'ringd.toml');
  assert.deepEqual(await problems(main), [
    `conf.d/a.toml: include: only allowed in the main file (${main})`,
    `conf.d/a.toml: agent: only allowed in the main file (${main})`,
  ]);
});

test('errors in included files name the file relative to the main file folder', async () => {
  const dir = tree({
    'ringd.toml': 'include = ["conf.d/*.toml"]\n[watchers.main]\ncmd = "m"\nnumprocesses = "two"\n',
    'conf.d/web.toml': '[watchers.web]\ncmd = "web"\nnumprocesses = "three"\nnumprocess = 2\n',
    'conf.d/broken.toml': '[watchers.x]\ncmd = "unterminated\n',
  });
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    assert.deepEqual(await problems('ringd.toml'), [
      'ringd.toml: watchers.main.numprocesses: expected an integer ≥ 0, got "two"',
      'conf.d/broken.toml: TOML syntax error at line 2, column 20: control characters are not allowed in strings',
      'conf.d/web.toml: watchers.web.numprocess: unknown option; did you mean "numprocesses"?',
      'conf.d/web.toml: watchers.web.numprocesses: expected an integer ≥ 0, got "three"',
    ]);
  } finally {
    process.chdir(cwd);
  }
});

test('depends_on may name watchers of other files', async () => {
  const dir = tree({
    'ringd.toml': 'include = ["conf.d/*.toml"]\n[watchers.db]\ncmd = "db"\n',
    'conf.d/web.toml': '[watchers.web]\ncmd = "web"\ndepends_on = ["db"]\npriority = 9\n',
  });
  assert.deepEqual((await loadConfig(path.join(dir, 'ringd.toml'))).watchers.map((w) => w.name), ['db', 'web']);
});
