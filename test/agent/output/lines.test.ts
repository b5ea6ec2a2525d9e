/** LineSplitter: exact line reproduction under arbitrary chunking, CRLF, binary noise, overlong lines. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_LINE_BYTES } from '../../../agent/defaults.ts';
import { LineSplitter } from '../../../agent/output/lines.ts';
import { prng } from '../../support/prng.ts';


/** What the splitter must produce: split on \n, strip one trailing \r, cut into max-sized pieces. */
function reference(data: Buffer, max: number): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < data.length) {
    const nl = data.indexOf(0x0a, start);
    const end = nl === -1 ? data.length : nl;
    let line = data.subarray(start, end);
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    if (line.length === 0) out.push('');
    for (let off = 0; off < line.length; off += max) out.push(line.subarray(off, off + max).toString('hex'));
    start = end + 1;
  }
  return out;
}

function split(data: Buffer, chunkSizes: () => number, max?: number): string[] {
  const got: string[] = [];
  const s = new LineSplitter((l) => got.push(Buffer.from(l).toString('hex')), max);
  for (let off = 0; off < data.length;) {
    const n = Math.max(1, chunkSizes());
    s.push(data.subarray(off, off + n));
    off += n;
  }
  s.end();
  return got;
}

test('random chunking reproduces exactly the original text lines', () => {
  const rnd = prng(42);
  const lines: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const len = Math.floor(rnd() * 120);
    let l = '';
    for (let j = 0; j < len; j++) l += String.fromCharCode(32 + Math.floor(rnd() * 95));
    if (rnd() < 0.05) l += 'é€😀';
    lines.push(l);
  }
  const data = Buffer.from(lines.map((l, i) => l + (i % 7 === 0 ? '\r\n' : '\n')).join(''));
  for (const seed of [1, 2, 3]) {
    const r = prng(seed);
    const got: string[] = [];
    const s = new LineSplitter((l) => got.push(l.toString('utf8')));
    for (let off = 0; off < data.length;) {
      const n = 1 + Math.floor(r() * (r() < 0.5 ? 8 : 3000));
      s.push(data.subarray(off, off + n));
      off += n;
    }
    s.end();
    assert.deepEqual(got, lines);
  }
});

test('partial last line is kept until end(), then flushed; empty input gives nothing', () => {
  const got: string[] = [];
  const s = new LineSplitter((l) => got.push(l.toString()));
  s.push(Buffer.from('one\ntw'));
  assert.deepEqual(got, ['one']);
  assert.equal(s.pending, 2);
  s.push(Buffer.from('o\nthr'));
  s.push(Buffer.from('ee'));
  assert.deepEqual(got, ['one', 'two']);
  s.end();
  assert.deepEqual(got, ['one', 'two', 'three']);
  s.end();
  assert.deepEqual(got, ['one', 'two', 'three']);
  const none: Buffer[] = [];
  const e = new LineSplitter((l) => none.push(l));
  e.push(Buffer.alloc(0));
  e.end();
  assert.equal(none.length, 0);
});

test('CRLF and bare lines, empty lines, CR split from its LF across chunks', () => {
  const got: string[] = [];
  const s = new LineSplitter((l) => got.push(l.toString()));
  s.push(Buffer.from('a\r\n\r\n\nb\r'));
  s.push(Buffer.from('\nc\rd\n'));
  s.end();
  assert.deepEqual(got, ['a', '', '', 'b', 'c\rd']);
});

test('binary noise (random bytes incl. \\n, \\r, invalid UTF-8) with small and default limits', () => {
  for (const seed of [7, 8, 9, 10]) {
    const rnd = prng(seed);
    const data = Buffer.alloc(40_000);
    for (let i = 0; i < data.length; i++) {
      const x = rnd();
      data[i] = x < 0.02 ? 0x0a : x < 0.04 ? 0x0d : Math.floor(rnd() * 256);
    }
    for (const max of [1, 5, 16, 100, MAX_LINE_BYTES]) {
      const r = prng(seed * 31 + max);
      assert.deepEqual(split(data, () => Math.floor(r() * 700), max), reference(data, max), `seed ${seed} max ${max}`);
    }
  }
});

test('an overlong line is emitted in MAX_LINE_BYTES pieces, linear time with tiny chunks', () => {
  const len = 3 * MAX_LINE_BYTES + 123;
  const line = Buffer.alloc(len, 0x61);
  const data = Buffer.concat([line, Buffer.from('\r\nnext\n')]);
  const sizes: number[] = [];
  const texts: string[] = [];
  const s = new LineSplitter((l) => { sizes.push(l.length); if (l.length < 10) texts.push(l.toString()); });
  const t0 = performance.now();
  for (let off = 0; off < data.length; off += 7) s.push(data.subarray(off, off + 7));
  s.end();
  assert.deepEqual(sizes, [MAX_LINE_BYTES, MAX_LINE_BYTES, MAX_LINE_BYTES, 123, 4]);
  assert.deepEqual(texts, ['next']);
  assert.ok(performance.now() - t0 < 2000, 'splitting took too long');
  // Exactly MAX_LINE_BYTES + CR: one piece, no empty tail.
  const exact: number[] = [];
  const e = new LineSplitter((l) => exact.push(l.length), 4);
  e.push(Buffer.from('abcd\r'));
  e.push(Buffer.from('\nabcdabcd\n'));
  e.end();
  assert.deepEqual(exact, [4, 4, 4]);
});
