// The generated parts of docs/ match the code they are generated from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { updateOptionTables } from '../../agent/config/docs.ts';
import { describeOptions } from '../../agent/config/index.ts';
import { COMMANDS } from '../../protocol/commands/index.ts';
import { updateCommands } from '../../protocol/commands/docs.ts';
import { exampleAuthorization } from '../../controller/permissions.ts';
import { updateCtlCommands } from '../../ctl/docs.ts';
import { commandEntries } from '../../ctl/program.ts';

test('docs/configuration.md lists every option exactly as the schema defines it (run `npm run docs`)', () => {
  const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  assert.equal(doc, updateOptionTables(doc), 'docs/configuration.md is stale: run `npm run docs`');
  for (const o of describeOptions()) assert.ok(doc.includes(`| \`${o.key}\` |`), `option ${o.key} documented`);
});

test('docs/protocol.md documents every command of the catalogue (run `npm run docs`)', () => {
  const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
  assert.equal(doc, updateCommands(doc), 'docs/protocol.md is stale: run `npm run docs`');
  for (const c of COMMANDS) {
    assert.ok(doc.includes(`### \`${c.name}\``), `command ${c.name} documented`);
    for (const prop of Object.keys(c.properties)) assert.ok(doc.includes(`| \`${prop}\` |`), `${c.name}.${prop} documented`);
  }
});

test('deploy/nats/auth.conf is the authorization generated from the catalogue (run `npm run docs`)', () => {
  const conf = readFileSync(new URL('../../deploy/nats/auth.conf', import.meta.url), 'utf8');
  assert.equal(conf, exampleAuthorization(), 'deploy/nats/auth.conf is stale: run `npm run docs`');
});

test('docs/ctl.md lists every ringctl command built from the catalogue (run `npm run docs`)', () => {
  const doc = readFileSync(new URL('../../docs/ctl.md', import.meta.url), 'utf8');
  assert.equal(doc, updateCtlCommands(doc), 'docs/ctl.md is stale: run `npm run docs`');
  for (const c of commandEntries()) assert.ok(doc.includes(`\`ringctl ${c.name}`), `ringctl ${c.name} documented`);
});
