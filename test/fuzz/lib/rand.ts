// Seeded random input for the fuzz suites: the seed comes from FUZZ_SEED (printed by every suite so a run can be
// replayed), the case count from FUZZ_CASES (default FUZZ_DEFAULT_CASES per input kind).
import { prng } from '../../support/prng.ts';

export const FUZZ_DEFAULT_CASES = 10_000;

/** FUZZ_SEED when set, else a fresh seed; FUZZ_CASES when set, else the default (scaled by `share` for a smaller batch). */
export function fuzzSettings(share = 1): { seed: number; cases: number } {
  const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
  const cases = Math.max(1, Math.round(Number(process.env.FUZZ_CASES ?? FUZZ_DEFAULT_CASES) * share));
  return { seed, cases };
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Characters that break parsers: quotes, escapes, controls, multi-byte, a lone surrogate, brackets. */
const NASTY = ['"', '\\', '/', '\n', '\t', '\r', '\u0000', '\u001f', 'é', '≥', '😀', '\ud800', '{', '}', '[', ']', ':', ',', '.', '*', '>', ' ', '$', '`', ';', '|', '&', "'"];

export class Rand {
  readonly next: () => number;
  constructor(readonly seed: number) {
    this.next = prng(seed);
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }

  /** Up to `max` characters, mostly letters, some nasty ones. */
  str(max = 20): string {
    let s = '';
    const n = this.int(max + 1);
    for (let i = 0; i < n; i++) s += this.chance(0.6) ? String.fromCharCode(97 + this.int(26)) : this.pick(NASTY);
    return s;
  }

  /** A random JSON value, `keys` suggesting object keys. */
  json(keys: readonly string[] = [], depth = 0): Json {
    switch (this.int(depth > 3 ? 5 : 7)) {
      case 0: return null;
      case 1: return this.chance(0.5);
      case 2: return this.pick([0, -1, 1, 2, 1.5, -0.5, 1e308, -1e308, 2 ** 53 + 1, 4294967296, 1e-300, 65536]);
      case 3: return this.str();
      case 4: return this.pick(['', 'true', '1', '-1', '1.5', 'TERM', 'KILL', '*', 'NaN', '10s', 'nats://127.0.0.1:1']);
      case 5: return Array.from({ length: this.int(4) }, () => this.json(keys, depth + 1));
      default:
        return Object.fromEntries(Array.from({ length: this.int(4) }, () => [keys.length && this.chance(0.7) ? this.pick(keys) : this.str(6), this.json(keys, depth + 1)]));
    }
  }
}

/** 1 to 3 byte-level edits: bit flips, random bytes, insertions, deletions. */
export function corrupt(r: Rand, input: Buffer): Buffer {
  let out = Buffer.from(input);
  for (let e = 1 + r.int(3); e > 0; e--) {
    const at = r.int(Math.max(1, out.length));
    switch (r.int(4)) {
      case 0: if (out.length) out[at] ^= 1 << r.int(8); break;
      case 1: if (out.length) out[at] = r.int(256); break;
      case 2: out = Buffer.concat([out.subarray(0, at), r.bytes(1 + r.int(3)), out.subarray(at)]); break;
      default: out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + r.int(3))]); break;
    }
  }
  return out;
}

/** Deeply nested JSON text (arrays or objects), for parsers and validators that recurse. */
export function deepJson(r: Rand): string {
  const depth = r.pick([100, 1000, 10_000]);
  return r.chance(0.5) ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}
