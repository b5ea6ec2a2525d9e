/** OutputRing: capacity, order, limit, decoding. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutputRing } from '../../../agent/output/ring.ts';

test('keeps the newest lines, oldest first', () => {
  const r = new OutputRing(3);
  assert.equal(r.size, 0);
  assert.deepEqual(r.lines(), []);
  for (let i = 1; i <= 5; i++) r.push({ time: i, stream: i % 2 ? 'stdout' : 'stderr', pid: 10, line: `l${i}` });
  assert.equal(r.size, 3);
  assert.deepEqual(r.lines().map((l) => l.line), ['l3', 'l4', 'l5']);
  assert.deepEqual(r.lines(2).map((l) => l.line), ['l4', 'l5']);
  assert.deepEqual(r.lines(0), []);
  assert.deepEqual(r.lines(99).map((l) => l.line), ['l3', 'l4', 'l5']);
  assert.deepEqual(r.lines(1)[0], { time: 5, stream: 'stdout', pid: 10, line: 'l5' });
  r.clear();
  assert.equal(r.size, 0);
});

test('partially filled ring and capacity 0', () => {
  const r = new OutputRing(5);
  r.push({ time: 1, stream: 'stdout', pid: 1, line: 'a' });
  r.push({ time: 2, stream: 'stdout', pid: 1, line: 'b' });
  assert.deepEqual(r.lines().map((l) => l.line), ['a', 'b']);
  const z = new OutputRing(0);
  z.push({ time: 1, stream: 'stdout', pid: 1, line: 'a' });
  assert.equal(z.size, 0);
  assert.deepEqual(z.lines(), []);
  assert.throws(() => new OutputRing(-1));
});

test('buffers are decoded as UTF-8 with replacement', () => {
  const r = new OutputRing(2);
  r.push({ time: 1, stream: 'stderr', pid: 7, line: Buffer.from([0x68, 0xff, 0xc3, 0xa9]) });
  assert.equal(r.lines()[0].line, 'h\uFFFDé');
});
