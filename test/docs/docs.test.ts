// The generated parts of docs/ match the code they are generated from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { updateOptionTables } from '../../agent/config/docs.ts';
import { describeOptions } from '../../agent/config/index.ts';

test('docs/configuration.md lists every option exactly as the schema defines it (run `npm run docs`)', () => {
  const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  assert.equal(doc, updateOptionTables(doc), 'docs/configuration.md is stale: run `npm run docs`');
  for (const o of describeOptions()) assert.ok(doc.includes(`| \`${o.key}\` |`), `option ${o.key} documented`);
});
