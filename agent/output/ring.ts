/** A bounded ring of one process's most recent output lines (what `tail` shows). */
import { DEFAULT_OUTPUT_RING_LINES } from '../defaults.ts';

export type OutputStreamName = 'stdout' | 'stderr';

export interface OutputLine {
  /** When the line was read, ms since the epoch. */
  time: number;
  stream: OutputStreamName;
  pid: number;
  /** Decoded as UTF-8; invalid sequences become U+FFFD. */
  line: string;
}

/** What `push` accepts: like OutputLine, but the line may still be raw bytes. */
export interface OutputLineInput {
  time: number;
  stream: OutputStreamName;
  pid: number;
  line: Buffer | string;
}

/**
 * Keeps the last `capacity` lines (0 keeps nothing). `push` is O(1); `lines()` copies out oldest→newest.
 * Memory is bounded by capacity × MAX_LINE_BYTES, since lines come from a LineSplitter.
 */
export class OutputRing {
  private readonly buf: (OutputLine | undefined)[];
  /** Index of the oldest entry. */
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number = DEFAULT_OUTPUT_RING_LINES) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`ring capacity must be an integer >= 0, got ${capacity}`);
    this.buf = new Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(entry: OutputLineInput): void {
    if (this.capacity === 0) return;
    const line = typeof entry.line === 'string' ? entry.line : entry.line.toString('utf8');
    const item: OutputLine = { time: entry.time, stream: entry.stream, pid: entry.pid, line };
    if (this.count < this.capacity) {
      this.buf[(this.head + this.count) % this.capacity] = item;
      this.count++;
    } else {
      this.buf[this.head] = item;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  /** The newest `limit` lines (all when absent), oldest first. */
  lines(limit?: number): OutputLine[] {
    const n = limit === undefined ? this.count : Math.max(0, Math.min(this.count, Math.floor(limit)));
    const out: OutputLine[] = new Array(n);
    const start = this.head + this.count - n;
    for (let i = 0; i < n; i++) out[i] = this.buf[(start + i) % this.capacity]!;
    return out;
  }

  clear(): void {
    this.buf.fill(undefined);
    this.head = 0;
    this.count = 0;
  }
}
