/** FileSink basics: order, prefixes, close() flushing, write errors, the queue cap marker. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { StreamConfig } from '../../../agent/config/types.ts';
import { createSink, FileSink, NullSink } from '../../../agent/output/index.ts';

const tmp = (): string => fs.mkdtempSync(join(tmpdir(), 'ring-out-'));
const cfg = (over: Partial<StreamConfig>): StreamConfig =>
  ({ class: 'FileStream', max_bytes: 0, backup_count: 0, rotate_interval: 1, utc: true, ...over });
const meta = (pid = 42, time = Date.UTC(2024, 0, 2, 3, 4, 5, 6)) => ({ pid, wid: 1, time });
const opts = { watcher: 'web', stream: 'stdout' as const };

test('writes N lines in order, close() flushes everything; writes after close are ignored', async () => {
  const file = join(tmp(), 'out.log');
  const sink = createSink(cfg({ filename: file }), opts);
  assert.ok(sink instanceof FileSink);
  const expected: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const l = `line ${i} ${'x'.repeat(i % 50)}`;
    expected.push(l);
    sink.write(Buffer.from(l), meta());
  }
  await sink.close();
  sink.write(Buffer.from('late'), meta());
  await sink.close();
  assert.equal(fs.readFileSync(file, 'utf8'), expected.join('\n') + '\n');
});

test('flush() resolves when lines are on disk; raw bytes are kept', async () => {
  const file = join(tmp(), 'a', 'b', 'out.log'); // missing folders are created
  const sink = createSink(cfg({ filename: file }), opts);
  const bin = Buffer.from([0xff, 0x00, 0xfe, 0x0d]);
  sink.write(bin, meta());
  await sink.flush();
  assert.deepEqual(fs.readFileSync(file), Buffer.concat([bin, Buffer.from('\n')]));
  sink.write(Buffer.from('two'), meta());
  await sink.flush();
  assert.equal(fs.readFileSync(file).subarray(5).toString(), 'two\n');
  await sink.close();
});

test('time_format prefix, UTC and local, appending to an existing file', async () => {
  const file = join(tmp(), 'out.log');
  fs.writeFileSync(file, 'old\n');
  const sink = createSink(cfg({ filename: file, time_format: '%Y-%m-%d %H:%M:%S.%f' }), opts);
  sink.write(Buffer.from('hello'), meta(4242));
  await sink.close();
  assert.equal(fs.readFileSync(file, 'utf8'), 'old\n2024-01-02 03:04:05.006000 [4242] | hello\n');
  const saved = process.env.TZ;
  process.env.TZ = 'Asia/Kolkata';
  try {
    const f2 = join(tmp(), 'out.log');
    const s2 = createSink(cfg({ class: 'WatchedFileStream', filename: f2, time_format: '%H:%M', utc: false }), opts);
    s2.write(Buffer.from('x'), meta(1));
    await s2.close();
    assert.equal(fs.readFileSync(f2, 'utf8'), '08:34 [1] | x\n');
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test('a write error is reported via onError, never thrown; lines are kept and written once possible', async () => {
  const dir = tmp();
  const blocker = join(dir, 'blocker');
  fs.writeFileSync(blocker, 'I am a file');
  const file = join(blocker, 'out.log'); // parent is a regular file: ENOTDIR, even for root
  const errors: Error[] = [];
  const sink = createSink(cfg({ filename: file }), { ...opts, onError: (e) => errors.push(e) });
  for (let i = 0; i < 100; i++) sink.write(Buffer.from(`l${i}`), meta());
  await sink.flush(); // resolves after a failed attempt
  assert.equal(errors.length, 1, 'reported once');
  assert.equal((errors[0] as NodeJS.ErrnoException).code, 'ENOTDIR');
  for (let i = 100; i < 200; i++) sink.write(Buffer.from(`l${i}`), meta());
  await sink.flush();
  assert.equal(errors.length, 1, 'still reported only once');
  // The problem goes away: queued lines land, in order.
  fs.unlinkSync(blocker);
  fs.mkdirSync(blocker);
  await sink.flush();
  await sink.close();
  const want = Array.from({ length: 200 }, (_, i) => `l${i}\n`).join('');
  assert.equal(fs.readFileSync(file, 'utf8'), want);
});

test('close() with an unwritable file reports the lost lines instead of hanging', async () => {
  const dir = tmp();
  fs.writeFileSync(join(dir, 'f'), '');
  const errors: Error[] = [];
  const sink = createSink(cfg({ filename: join(dir, 'f', 'x.log') }), { ...opts, onError: (e) => errors.push(e) });
  assert.doesNotThrow(() => sink.write(Buffer.from('lost'), meta()));
  await sink.close();
  assert.equal(errors.length, 2);
  assert.match(errors[1].message, /1 line could not be written/);
});

test('over the queue cap the newest lines are dropped and a marker line counts them', async () => {
  const file = join(tmp(), 'out.log');
  const sink = createSink(cfg({ filename: file }), { ...opts, maxQueueBytes: 100 });
  for (let i = 0; i < 50; i++) sink.write(Buffer.from(`line-${String(i).padStart(4, '0')}`), meta()); // 9 bytes + \n
  await sink.flush();
  sink.write(Buffer.from('after'), meta());
  await sink.close();
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  assert.deepEqual(lines.slice(0, 10), Array.from({ length: 10 }, (_, i) => `line-${String(i).padStart(4, '0')}`));
  assert.match(lines[10], /ringd: 40 lines of web stdout dropped/);
  assert.deepEqual(lines.slice(11), ['after', '']);
});

test('NullStream discards; a file class without filename is a configuration error', async () => {
  const sink = createSink(cfg({ class: 'NullStream' }), opts);
  assert.ok(sink instanceof NullSink);
  sink.write(Buffer.from('x'), meta());
  await sink.reopen();
  await sink.flush();
  await sink.close();
  assert.throws(() => createSink(cfg({ class: 'FileStream' }), opts), /needs a filename/);
});
