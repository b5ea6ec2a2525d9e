// docs/configuration.md's reference: every key the loaders accept is documented, with an example they accept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'smol-toml';
import { HOOK_NAMES } from '../../protocol/states.ts';
import { configSections, exampleLine, OPTIONS_BEGIN, OPTIONS_END } from '../../agent/config/docs.ts';
import { checkConfig } from '../../agent/config/load.ts';
import { NATS_OPTIONS } from '../../agent/config/nats.ts';
import {
  AGENT_OPTIONS, DISCOVERY_OPTIONS, HOOK_OPTIONS, RLIMIT_NAMES, SOCKET_OPTIONS, STREAM_OPTIONS, TOP_LEVEL_KEYS, WATCHER_OPTIONS, WATCHER_TABLES,
} from '../../agent/config/schema.ts';
import { ACCOUNT_FILES } from '../../agent/config/users.ts';
import { CONTROLLER_OPTIONS, CONTROLLER_SECTIONS } from '../../controller/config.ts';

const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

interface DocRow { key: string; example: string; meaning: string }

/** The generated tables as written: TOML table ('' = top level) → its rows. */
function documentedTables(): Map<string, DocRow[]> {
  const block = doc.slice(doc.indexOf(OPTIONS_BEGIN), doc.indexOf(OPTIONS_END));
  const tables = new Map<string, DocRow[]>();
  let current: DocRow[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('### ')) {
      const title = line.slice(4).split(' — ')[0];
      const names = title === 'Top level' ? [''] : [...title.matchAll(/`\[([^\]]+)\]`/g)].map((m) => m[1]);
      assert.ok(names.length > 0, `a heading names its TOML table: ${line}`);
      current = [];
      for (const name of names) tables.set(name, current);
    } else if (line.startsWith('| `')) {
      const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim().replaceAll('\\|', '|'));
      assert.equal(cells.length, 5, `five columns: ${line}`);
      current.push({ key: cells[0].replace(/^`|`$/g, ''), example: cells[3].replace(/^`|`$/g, ''), meaning: cells[4] });
    }
  }
  return tables;
}

const keys = (defs: readonly { key: string }[]) => defs.map((d) => d.key);

/** What each table accepts, from the lists the loaders themselves check keys against. */
const ACCEPTED: Record<string, readonly string[]> = {
  '': ['include'],
  agent: keys(AGENT_OPTIONS),
  discovery: keys(DISCOVERY_OPTIONS),
  nats: keys(NATS_OPTIONS),
  env: ['NAME'],
  'watchers.NAME': [...keys(WATCHER_OPTIONS), ...keys(WATCHER_TABLES)],
  'watchers.NAME.env': ['NAME'],
  'watchers.NAME.hooks': HOOK_NAMES,
  'watchers.NAME.hooks.HOOK': keys(HOOK_OPTIONS),
  'watchers.NAME.stdout_stream': keys(STREAM_OPTIONS),
  'watchers.NAME.stderr_stream': keys(STREAM_OPTIONS),
  'sockets.NAME': keys(SOCKET_OPTIONS),
  controller: keys(CONTROLLER_OPTIONS),
};

test('the reference documents every table and every key the loaders accept', () => {
  const tables = documentedTables();
  assert.deepEqual([...tables.keys()].sort(), Object.keys(ACCEPTED).sort());
  for (const [table, accepted] of Object.entries(ACCEPTED)) {
    assert.deepEqual(tables.get(table)!.map((r) => r.key).sort(), [...accepted].sort(), `keys of [${table}]`);
  }
  const rlimits = tables.get('watchers.NAME')!.find((r) => r.key === 'rlimit_<name>')!;
  for (const name of RLIMIT_NAMES) assert.match(rlimits.meaning, new RegExp(`\\b${name}\\b`), `rlimit_${name} documented`);
  for (const t of WATCHER_TABLES.filter((t) => !t.key.includes('<'))) assert.ok(tables.has(`watchers.NAME.${t.key}`), `[watchers.NAME.${t.key}] documented`);

  const roots = new Set([...tables.keys()].filter((t) => t !== '').map((t) => t.split('.')[0]));
  for (const section of CONTROLLER_SECTIONS) assert.ok(roots.has(section), `ringmaster's [${section}] documented`);
  const ringdOnly = [...roots].filter((r) => TOP_LEVEL_KEYS.includes(r) || !CONTROLLER_SECTIONS.includes(r));
  assert.deepEqual([...ringdOnly, ...tables.get('')!.map((r) => r.key)].sort(), [...TOP_LEVEL_KEYS].sort(), 'top-level keys of ringd');
});

test('ringd accepts a file using every top-level key the reference documents', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ring-docs-'));
  const file = path.join(dir, 'ringd.toml');
  writeFileSync(file, [
    'include = ["conf.d/*.toml"]', '[agent]', '[discovery]', 'enabled = false', '[nats]', '[env]', 'APP_ENV = "test"',
    '[watchers.web]', 'cmd = "sleep 60"', '[sockets.web]', 'port = 0',
  ].join('\n'));
  assert.deepEqual((await checkConfig(file)).issues, []);
});

test('every example in the reference is accepted by its own key\'s parser', (t) => {
  // The examples name www-data, as on Debian: give the parsers an account database that has it.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ring-docs-accounts-'));
  const saved = { ...ACCOUNT_FILES };
  ACCOUNT_FILES.passwd = path.join(dir, 'passwd');
  ACCOUNT_FILES.group = path.join(dir, 'group');
  writeFileSync(ACCOUNT_FILES.passwd, 'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n');
  writeFileSync(ACCOUNT_FILES.group, 'www-data:x:33:\n');
  t.after(() => Object.assign(ACCOUNT_FILES, saved));

  const tables = documentedTables();
  for (const section of configSections()) {
    const written = tables.get(section.tables[0] ?? '')!;
    for (const row of section.rows) {
      const where = `[${section.tables[0] ?? ''}] ${row.key}`;
      const cell = written.find((r) => r.key === row.key)?.example;
      assert.ok(cell, `${where} has an example`);
      assert.equal(cell, exampleLine(row), `${where}: the example written is the one generated (run \`npm run docs\`)`);
      const parsed = parse(cell);
      assert.deepEqual(Object.keys(parsed), [row.example.key], `${where}: the example sets its own key`);
      const problem = row.check(parsed[row.example.key]);
      assert.equal(problem, undefined, `${where}: ${cell} is refused: ${problem?.message}`);
    }
  }
});

test('a bad example would be caught: each row\'s check refuses a wrong value', () => {
  for (const section of configSections()) {
    for (const row of section.rows) {
      if (row.type === 'a string') continue; // any string is a valid password
      assert.ok(row.check(Symbol('not TOML')) !== undefined, `[${section.tables[0] ?? ''}] ${row.key} refuses a value of the wrong type`);
    }
  }
});
