// `ringctl import-circus` as operators run it: TOML out, notes on stderr, no silent overwrite, plain errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkConfig } from '../../agent/config/index.ts';
import { tmpDir } from '../support/tmp.ts';

const ringctl = fileURLToPath(new URL('../../bin/ringctl.js', import.meta.url));
const shop = fileURLToPath(new URL('../fixtures/circus/shop/circus.ini', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [ringctl, 'import-circus', ...args], { encoding: 'utf8' });

test('import-circus writes a config ringd accepts and lists what it could not convert', async () => {
  const out = join(tmpDir('ring-import-cli'), 'ringd.toml');
  const r = run(shop, '-o', out);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /thing\(s\) not converted as is:\n/);
  assert.match(r.stderr, /\[plugin:statsd\]: plugins are not supported/);
  assert.match(r.stderr, /wrote .*ringd\.toml; check it with: ringd --check-config /);
  const { issues } = await checkConfig(out);
  assert.deepEqual(issues, []);
  assert.match(readFileSync(out, 'utf8'), /\[watchers\.web\]/);
  const again = run(shop, '-o', out);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /exists; use --force to overwrite it/);
  assert.equal(run(shop, '-o', out, '--force').status, 0);
});

test('import-circus without -o prints the TOML; a missing file is a one-line error', () => {
  const r = run(shop);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^# Ringmaster configuration converted from /);
  const missing = run('/nonexistent/circus.ini');
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr, 'ringctl: /nonexistent/circus.ini: cannot read the file: no such file\n');
});
