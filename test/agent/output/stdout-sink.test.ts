/** Stdout-style sinks: default prefix, StdoutStream, FancyStdoutStream, queue cap, stream errors. */
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';
import type { StreamConfig } from '../../../agent/config/types.ts';
import { colourFor, createSink, StreamSink } from '../../../agent/output/index.ts';

const cfg = (over: Partial<StreamConfig>): StreamConfig =>
  ({ class: 'StdoutStream', max_bytes: 0, backup_count: 0, rotate_interval: 1, utc: true, ...over });
const meta = { pid: 4242, wid: 2, time: Date.UTC(2024, 0, 2, 3, 4, 5) };

function collector(): { out: PassThrough; text: () => string; bytes: () => Buffer } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return { out, text: () => Buffer.concat(chunks).toString('utf8'), bytes: () => Buffer.concat(chunks) };
}

test('no configuration: foreman-style prefix on the given stream, raw bytes kept', async () => {
  const c = collector();
  const sink = createSink(undefined, { watcher: 'web', stream: 'stdout', out: c.out });
  assert.ok(sink instanceof StreamSink);
  sink.write(Buffer.from('hello'), meta);
  sink.write(Buffer.from([0xff, 0x41]), { ...meta, wid: 3, pid: 7 });
  await sink.close();
  assert.deepEqual(c.bytes(), Buffer.concat([Buffer.from('web.2[4242] | hello\nweb.3[7] | '), Buffer.from([0xff, 0x41, 0x0a])]));
  sink.write(Buffer.from('ignored'), meta);
  assert.equal(c.text().includes('ignored'), false);
});

test('StdoutStream: same prefix, with a time when time_format is set', async () => {
  const c = collector();
  const sink = createSink(cfg({}), { watcher: 'api', stream: 'stderr', out: c.out });
  sink.write(Buffer.from('x'), meta);
  await sink.flush();
  const c2 = collector();
  const timed = createSink(cfg({ time_format: '%H:%M:%S' }), { watcher: 'api', stream: 'stderr', out: c2.out });
  timed.write(Buffer.from('y'), meta);
  await timed.flush();
  assert.equal(c.text(), 'api.2[4242] | x\n');
  assert.equal(c2.text(), '03:04:05 api.2[4242] | y\n');
});

test('FancyStdoutStream: coloured per watcher (stable), default time format', async () => {
  const c = collector();
  const sink = createSink(cfg({ class: 'FancyStdoutStream' }), { watcher: 'worker', stream: 'stdout', out: c.out });
  sink.write(Buffer.from('msg'), meta);
  await sink.flush();
  const code = colourFor('worker');
  assert.equal(code, colourFor('worker'));
  assert.ok(code >= 31 && code <= 36);
  assert.equal(c.text(), `\x1b[${code}m2024-01-02 03:04:05 worker.2[4242] |\x1b[0m msg\n`);
  const codes = new Set(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map(colourFor));
  assert.ok(codes.size > 1, 'different watchers get different colours');
});

test('a slow stream beyond the cap drops the newest lines and says how many', async () => {
  const seen: string[] = [];
  let release: (() => void) | undefined;
  const slow = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _enc, cb) {
      seen.push(chunk.toString());
      if (seen.length === 1) release = cb; // hold the first write: everything else stays buffered
      else cb();
    },
  });
  const sink = createSink(undefined, { watcher: 'w', stream: 'stdout', out: slow, maxQueueBytes: 50 });
  for (let i = 0; i < 20; i++) sink.write(Buffer.from(`line${i}`), meta); // 'w.2[4242] | lineN\n' ≈ 18 bytes
  release!();
  await sink.flush();
  sink.write(Buffer.from('end'), meta);
  await sink.close();
  const text = seen.join('');
  const kept = text.split('\n').filter((l) => /line\d+$/.test(l)).length;
  const m = /ringd: (\d+) lines of w stdout dropped/.exec(text);
  assert.ok(m, text);
  assert.equal(kept + Number(m[1]), 20);
  assert.ok(text.endsWith('w.2[4242] | end\n'));
});

test('errors of the stream are reported once, write() never throws', async () => {
  const errors: Error[] = [];
  const bad = new Writable({ write(_c, _e, cb) { cb(new Error('EPIPE-ish')); } });
  const sink = createSink(undefined, { watcher: 'w', stream: 'stdout', out: bad, onError: (e) => errors.push(e) });
  sink.write(Buffer.from('a'), meta);
  await new Promise((r) => setImmediate(r));
  assert.doesNotThrow(() => sink.write(Buffer.from('b'), meta));
  await sink.flush();
  await sink.close();
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /EPIPE-ish/);
});
