/** FileSink rotation: by size, by time (fake clock), external (logrotate) and forced reopen. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { StreamConfig } from '../../../agent/config/types.ts';
import { createSink } from '../../../agent/output/index.ts';

const tmp = (): string => fs.mkdtempSync(join(tmpdir(), 'ring-rot-'));
const cfg = (over: Partial<StreamConfig>): StreamConfig =>
  ({ class: 'FileStream', max_bytes: 0, backup_count: 0, rotate_interval: 1, utc: true, ...over });
const meta = { pid: 42, wid: 1, time: 0 };
const opts = { watcher: 'web', stream: 'stdout' as const };
const read = (p: string): string => fs.readFileSync(p, 'utf8');
const label = (i: number): string => `line-${String(i).padStart(4, '0')}`; // 9 bytes + "\n"

async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('size rotation with backup_count 3: file, file.1..file.3 hold every line once, in order', async () => {
  const file = join(tmp(), 'out.log');
  const sink = createSink(cfg({ filename: file, max_bytes: 100, backup_count: 3 }), opts);
  const all: string[] = [];
  for (let i = 0; i < 35; i++) {
    all.push(label(i));
    sink.write(Buffer.from(label(i)), meta);
    if (i % 4 === 0) await sink.flush(); // mix coalesced batches and single lines
  }
  await sink.close();
  const files = [`${file}.3`, `${file}.2`, `${file}.1`, file];
  for (const f of files) assert.ok(fs.statSync(f).size <= 100, `${f} over max_bytes`);
  assert.ok(!fs.existsSync(`${file}.4`));
  assert.equal(files.map(read).join(''), all.map((l) => `${l}\n`).join(''));
  assert.equal(read(`${file}.3`), all.slice(0, 10).map((l) => `${l}\n`).join(''));
});

test('size rotation keeps only backup_count backups; backup_count 0 truncates', async () => {
  const dir = tmp();
  const file = join(dir, 'out.log');
  const sink = createSink(cfg({ filename: file, max_bytes: 100, backup_count: 2 }), opts);
  for (let i = 0; i < 60; i++) sink.write(Buffer.from(label(i)), meta);
  await sink.close();
  assert.deepEqual(fs.readdirSync(dir).sort(), ['out.log', 'out.log.1', 'out.log.2']);
  const kept = [`${file}.2`, `${file}.1`, file].map(read).join('');
  assert.equal(kept, Array.from({ length: 30 }, (_, i) => `${label(30 + i)}\n`).join(''));

  const t = join(dir, 'trunc.log');
  const s2 = createSink(cfg({ filename: t, max_bytes: 100, backup_count: 0 }), opts);
  for (let i = 0; i < 25; i++) s2.write(Buffer.from(label(i)), meta);
  await s2.close();
  assert.equal(read(t), [20, 21, 22, 23, 24].map((i) => `${label(i)}\n`).join(''));
  assert.ok(!fs.existsSync(`${t}.1`));
});

test('time rotation (rotate_when S, fake clock) names files with Python suffixes and loses nothing', async () => {
  const dir = tmp();
  const file = join(dir, 'out.log');
  let clock = Date.UTC(2024, 0, 2, 3, 4, 5, 0);
  const sink = createSink(cfg({ class: 'TimedRotatingFileStream', filename: file, rotate_when: 'S' }),
    { ...opts, now: () => clock });
  const w = (s: string): void => sink.write(Buffer.from(s), meta);
  w('a1'); w('a2'); w('a3');
  clock += 999;
  w('a4');
  clock += 1;
  w('b1'); w('b2');
  await sink.flush();
  clock += 1500; // 03:04:07.5
  w('c1');
  clock += 10_000; // a quiet period: one rotation, named after the period's start
  w('d1'); w('d2');
  await sink.close();
  assert.deepEqual(fs.readdirSync(dir).sort(), [
    'out.log', 'out.log.2024-01-02_03-04-05', 'out.log.2024-01-02_03-04-06', 'out.log.2024-01-02_03-04-07']);
  assert.equal(read(`${file}.2024-01-02_03-04-05`), 'a1\na2\na3\na4\n');
  assert.equal(read(`${file}.2024-01-02_03-04-06`), 'b1\nb2\n');
  assert.equal(read(`${file}.2024-01-02_03-04-07`), 'c1\n');
  assert.equal(read(file), 'd1\nd2\n');
});

test('time rotation deletes the oldest beyond backup_count, never overwrites an existing name', async () => {
  const dir = tmp();
  const file = join(dir, 'out.log');
  fs.writeFileSync(`${file}.2024-01-02_03-04-05`, 'pre-existing\n');
  let clock = Date.UTC(2024, 0, 2, 3, 4, 5, 0);
  const sink = createSink(cfg({ filename: file, rotate_when: 'S', backup_count: 2 }), { ...opts, now: () => clock });
  for (let i = 0; i < 5; i++) {
    sink.write(Buffer.from(`p${i}`), meta);
    clock += 1000;
  }
  sink.write(Buffer.from('last'), meta);
  await sink.close();
  assert.deepEqual(fs.readdirSync(dir).sort(), ['out.log', 'out.log.2024-01-02_03-04-08', 'out.log.2024-01-02_03-04-09']);
  assert.equal(read(`${file}.2024-01-02_03-04-08`), 'p3\n');
  assert.equal(read(`${file}.2024-01-02_03-04-09`), 'p4\n');
  assert.equal(read(file), 'last\n');

  const d2 = tmp();
  const f2 = join(d2, 'x.log');
  fs.writeFileSync(`${f2}.2024-01-02_03-04-05`, 'older\n');
  clock = Date.UTC(2024, 0, 2, 3, 4, 5, 0);
  const s2 = createSink(cfg({ filename: f2, rotate_when: 'S' }), { ...opts, now: () => clock });
  s2.write(Buffer.from('one'), meta);
  clock += 1000;
  s2.write(Buffer.from('two'), meta);
  await s2.close();
  assert.equal(read(`${f2}.2024-01-02_03-04-05`), 'older\n');
  assert.equal(read(`${f2}.2024-01-02_03-04-05.1`), 'one\n');
  assert.equal(read(f2), 'two\n');
});

test('external rotation: file renamed away mid-stream, new lines land in a new file, none lost', async () => {
  const dir = tmp();
  const file = join(dir, 'out.log');
  const sink = createSink(cfg({ class: 'WatchedFileStream', filename: file }), { ...opts, reopenCheckIntervalMs: 30 });
  let n = 0;
  const w = (): void => { sink.write(Buffer.from(label(n++)), meta); };
  for (let i = 0; i < 50; i++) w();
  await sink.flush();
  fs.renameSync(file, `${file}.old`); // logrotate "create" mode
  for (let i = 0; i < 50; i++) w();
  await waitFor('the sink to reopen the path', () => {
    w();
    return fs.existsSync(file);
  });
  for (let i = 0; i < 50; i++) w();
  await sink.close();
  const newer = read(file);
  assert.ok(newer.endsWith(`${label(n - 1)}\n`));
  assert.equal(read(`${file}.old`) + newer, Array.from({ length: n }, (_, i) => `${label(i)}\n`).join(''));
});

test('external rotation: file deleted, then a copytruncate, are both survived', async () => {
  const dir = tmp();
  const file = join(dir, 'out.log');
  const sink = createSink(cfg({ filename: file, max_bytes: 20, backup_count: 1 }), { ...opts, reopenCheckIntervalMs: 0 });
  sink.write(Buffer.from('before'), meta);
  await sink.flush();
  fs.unlinkSync(file);
  sink.write(Buffer.from('after-delete'), meta);
  await sink.flush();
  assert.equal(read(file), 'after-delete\n');
  fs.truncateSync(file, 0); // copytruncate: same inode, size resynchronised
  sink.write(Buffer.from('after-truncate'), meta);
  await sink.close();
  assert.equal(read(file), 'after-truncate\n');
  assert.ok(!fs.existsSync(`${file}.1`));
});

test('reopen() forces a reopen at once (SIGUSR1 after logrotate)', async () => {
  const dir = tmp();
  const file = join(dir, 'out.log');
  const sink = createSink(cfg({ filename: file }), { ...opts, reopenCheckIntervalMs: 3_600_000 });
  sink.write(Buffer.from('one'), meta);
  sink.write(Buffer.from('two'), meta);
  await sink.flush();
  fs.renameSync(file, `${file}.1`);
  await sink.reopen();
  assert.ok(fs.existsSync(file), 'reopen creates the file');
  sink.write(Buffer.from('three'), meta);
  await sink.close();
  assert.equal(read(`${file}.1`), 'one\ntwo\n');
  assert.equal(read(file), 'three\n');
});
