// bin/launch.js: the daemons and ringctl run dist/ when a build is fresher than every source, the sources (through tsx) otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpDir } from '../support/tmp.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** A copy of the layout bin/ringd.js expects, whose agent/main prints where it was loaded from. */
function layout(): { root: string; run: () => string } {
  const root = tmpDir('ring-launch');
  for (const d of ['bin', 'agent', 'ctl', 'protocol', 'controller', 'tui', 'dist/agent']) mkdirSync(join(root, d), { recursive: true });
  for (const f of ['launch.js', 'ringd.js']) copyFileSync(join(repo, 'bin', f), join(root, 'bin', f));
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, 'package.json'), '{"type":"module"}');
  writeFileSync(join(root, 'agent', 'main.ts'), "const from: string = 'sources';\nconsole.log(from);\n");
  writeFileSync(join(root, 'dist', 'agent', 'main.js'), "console.log('dist');\n");
  return { root, run: () => execFileSync(process.execPath, [join(root, 'bin', 'ringd.js')], { encoding: 'utf8' }).trim() };
}

const at = (file: string, seconds: number) => utimesSync(file, seconds, seconds);

test('without a build, the sources run through tsx', () => {
  const { run } = layout();
  assert.equal(run(), 'sources');
});

test('a build newer than every source runs; a source edited after it brings the sources back', () => {
  const { root, run } = layout();
  writeFileSync(join(root, 'dist', 'package.json'), '{"type":"module"}');
  at(join(root, 'agent', 'main.ts'), 1_000_000);
  at(join(root, 'dist', 'package.json'), 2_000_000);
  assert.equal(run(), 'dist');
  at(join(root, 'agent', 'main.ts'), 3_000_000);
  assert.equal(run(), 'sources', 'a stale build is never used');
});

test('ringctl runs its bundle (dist/ringctl/) from a fresh build, the compiled modules when a build has none', () => {
  const { root } = layout();
  copyFileSync(join(repo, 'bin', 'ringctl.js'), join(root, 'bin', 'ringctl.js'));
  mkdirSync(join(root, 'dist', 'ctl'), { recursive: true });
  writeFileSync(join(root, 'ctl', 'main.ts'), "console.log('sources');\n");
  writeFileSync(join(root, 'dist', 'ctl', 'main.js'), "console.log('dist');\n");
  writeFileSync(join(root, 'dist', 'package.json'), '{"type":"module"}');
  for (const f of ['agent/main.ts', 'ctl/main.ts']) at(join(root, f), 1_000_000);
  at(join(root, 'dist', 'package.json'), 2_000_000);
  const ringctl = () => execFileSync(process.execPath, [join(root, 'bin', 'ringctl.js')], { encoding: 'utf8' }).trim();
  assert.equal(ringctl(), 'dist');
  mkdirSync(join(root, 'dist', 'ringctl'));
  writeFileSync(join(root, 'dist', 'ringctl', 'main.js'), "console.log('bundle');\n");
  assert.equal(ringctl(), 'bundle');
  at(join(root, 'ctl', 'main.ts'), 3_000_000);
  assert.equal(ringctl(), 'sources', 'a stale bundle is never used');
});
