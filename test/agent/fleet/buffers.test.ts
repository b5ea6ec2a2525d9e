// The agent link's pure parts: the bounded event outbox, log chunking under a byte limit, and ctl body checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkLines, fitLine } from '../../../agent/fleet/chunks.ts';
import { ctlBody } from '../../../agent/fleet/ctl.ts';
import { Outbox } from '../../../agent/fleet/outbox.ts';
import type { LogChunk, LogLine } from '../../../protocol/fleet/payloads.ts';

test('outbox: keeps order, drops the oldest beyond its capacity and counts them', () => {
  const o = new Outbox<number>(3);
  for (let i = 1; i <= 5; i++) o.push(i);
  assert.equal(o.size, 3);
  assert.equal(o.dropped, 2);
  assert.equal(o.takeDropped(), 2);
  assert.equal(o.takeDropped(), 0, 'reported once');
  assert.deepEqual([o.shift(), o.shift(), o.shift(), o.shift()], [3, 4, 5, undefined]);
  o.push(6);
  o.resize(1);
  o.push(7);
  assert.deepEqual([o.shift(), o.dropped], [7, 3]);
  const none = new Outbox<number>(0);
  none.push(1);
  assert.deepEqual([none.size, none.dropped], [0, 1]);
});

const line = (n: number, text: string): LogLine => ({ time: 1_700_000_000_000 + n, stream: 'stdout', pid: 42, wid: 1, line: text });
const head: Omit<LogChunk, 'lines'> = { agent: 'web-1', boot: 'b00t', watcher: 'web', seq: 7, dropped: 0 };

test('chunks: every line once, in order, each chunk under the limit and numbered from seq', () => {
  const lines = Array.from({ length: 200 }, (_, i) => line(i, `line ${i} ${'é'.repeat(i % 50)} "quoted" \\ \u0001`));
  const texts = chunkLines(head, lines, 4096);
  assert.ok(texts.length > 1);
  const chunks = texts.map((t) => JSON.parse(t) as LogChunk);
  for (const t of texts) assert.ok(Buffer.byteLength(t) <= 4096, `${Buffer.byteLength(t)} bytes`);
  assert.deepEqual(chunks.map((c) => c.seq), chunks.map((_, i) => 7 + i));
  assert.deepEqual(chunks.flatMap((c) => c.lines), lines);
  for (const c of chunks) assert.deepEqual({ ...c, lines: [], seq: 0 }, { ...head, lines: [], seq: 0 });
});

test('chunks: a line too long alone is truncated and marked; dropped lines are reported in the first chunk', () => {
  const long = line(1, 'x'.repeat(10_000));
  const fitted = fitLine(long, 2000);
  assert.equal(fitted.truncated, true);
  assert.ok(Buffer.byteLength(JSON.stringify(fitted)) <= 2000);
  assert.ok(long.line.startsWith(fitted.line) && fitted.line.length > 1000);
  const escaped = fitLine(line(2, '\u0001'.repeat(5000)), 1000);
  assert.ok(Buffer.byteLength(JSON.stringify(escaped)) <= 1000, 'control characters take 6 bytes each in JSON');
  const texts = chunkLines({ ...head, dropped: 5 }, [long, line(2, 'short')], 4096);
  const chunks = texts.map((t) => JSON.parse(t) as LogChunk);
  assert.deepEqual(chunks.map((c) => c.dropped), chunks.map((_, i) => (i === 0 ? 5 : 0)));
  assert.equal(chunks[0].lines[0].truncated, true);
  assert.deepEqual(chunks.flatMap((c) => c.lines).at(-1), line(2, 'short'));
  assert.deepEqual(chunkLines(head, [], 4096), [], 'nothing to say, no chunk');
  assert.equal((JSON.parse(chunkLines({ ...head, dropped: 3 }, [], 4096)[0]) as LogChunk).dropped, 3, 'but drops are told');
});

test('ctl bodies: the subject names the command; a body naming another one is refused', () => {
  const text = (b: ReturnType<typeof ctlBody>) => ('body' in b ? String(typeof b.body === 'string' ? b.body : Buffer.from(b.body)) : b.reply);
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.equal(text(ctlBody('status', new Uint8Array(), 100)), '{"command":"status"}');
  assert.equal(text(ctlBody('status', enc('{"id":1,"properties":{}}'), 100)), '{"id":1,"properties":{},"command":"status"}');
  assert.equal(text(ctlBody('status', enc('{"command":"STATUS"}'), 100)), '{"command":"STATUS"}', 'case-insensitive, as command names are');
  assert.equal(text(ctlBody('status', enc('{nope'), 100)), '{nope', 'left to the dispatcher, which says what is wrong');
  const mismatch = JSON.parse(text(ctlBody('status', enc('{"id":"a","command":"quit"}'), 100))) as Record<string, unknown>;
  assert.deepEqual([mismatch.status, mismatch.errno, mismatch.id], ['error', 3, 'a']);
  assert.match(mismatch.reason as string, /command 'quit' does not match the subject's command 'status'/);
  const big = JSON.parse(text(ctlBody('status', enc('x'.repeat(101)), 100))) as Record<string, unknown>;
  assert.equal(big.reason, 'request of 101 bytes exceeds the limit of 100 bytes');
});
