import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { editDistance, shellSplit, suggest } from '../../../agent/config/index.ts';
import { expandGlob, hasGlobChars } from '../../../agent/config/glob.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

test('editDistance', () => {
  assert.equal(editDistance('numprocess', 'numprocesses'), 2);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('abc', 'abc'), 0);
  assert.equal(editDistance('ab', 'ba'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('suggest picks the closest candidate within reach', () => {
  const keys = ['numprocesses', 'priority', 'respawn', 'rlimit_nofile'];
  assert.equal(suggest('numprocess', keys), 'numprocesses');
  assert.equal(suggest('NumProcesses', keys), 'numprocesses');
  assert.equal(suggest('priorty', keys), 'priority');
  assert.equal(suggest('rlimit_nofiles', keys), 'rlimit_nofile');
  assert.equal(suggest('xyz', keys), undefined);
  assert.equal(suggest('colour', []), undefined);
});

test('shellSplit', () => {
  assert.deepEqual(shellSplit('a b  c'), ['a', 'b', 'c']);
  assert.deepEqual(shellSplit(`--name 'hello world' "a \\"b\\"" x\\ y ''`), ['--name', 'hello world', 'a "b"', 'x y', '']);
  assert.deepEqual(shellSplit('  '), []);
  assert.deepEqual(shellSplit('"$(circus.wid)"'), ['$(circus.wid)']);
  assert.throws(() => shellSplit("'open"), /unterminated single quote/);
  assert.throws(() => shellSplit('"open'), /unterminated double quote/);
  assert.throws(() => shellSplit('end\\'), /trailing backslash/);
});

test('glob: *, ?, ** and sorting; hidden files and folders need an explicit dot', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-glob-'));
  dirs.push(dir);
  for (const f of ['conf.d/b.toml', 'conf.d/a.toml', 'conf.d/c.txt', 'conf.d/.hidden.toml', 'conf.d/x1.toml', 'conf.d/sub/d.toml', 'conf.d/sub/deep/e.toml', 'conf.d/.git/f.toml']) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), '');
  }
  fs.mkdirSync(path.join(dir, 'conf.d/folder.toml'));
  const rel = async (p: string): Promise<string[]> => (await expandGlob(p, dir)).map((f) => path.relative(dir, f));
  assert.deepEqual(await rel('conf.d/*.toml'), ['conf.d/a.toml', 'conf.d/b.toml', 'conf.d/x1.toml']);
  assert.deepEqual(await rel('conf.d/?.toml'), ['conf.d/a.toml', 'conf.d/b.toml']);
  assert.deepEqual(await rel('conf.d/**/*.toml'), ['conf.d/a.toml', 'conf.d/b.toml', 'conf.d/sub/d.toml', 'conf.d/sub/deep/e.toml', 'conf.d/x1.toml']);
  assert.deepEqual(await rel('conf.d/.*.toml'), ['conf.d/.hidden.toml']);
  assert.deepEqual(await rel('*/sub/*.toml'), ['conf.d/sub/d.toml']);
  assert.deepEqual(await rel('nothing/*.toml'), []);
  assert.deepEqual(await expandGlob(path.join(dir, 'conf.d/a.*'), '/elsewhere'), [path.join(dir, 'conf.d/a.toml')]);
  assert.equal(hasGlobChars('conf.d/*.toml'), true);
  assert.equal(hasGlobChars('conf.d/web.toml'), false);
});
