/** Splits a child's raw pipe output (arbitrary chunks, any bytes) into complete lines. */
import { MAX_LINE_BYTES } from '../defaults.ts';

const LF = 0x0a;
const CR = 0x0d;

/**
 * Feed it every chunk read from a pipe with `push`, call `end()` at EOF.
 *
 * - Each complete line is handed to `onLine` without its "\n", and without a "\r" just before it.
 * - Bytes are passed through untouched (binary data and invalid UTF-8 are fine): decoding is the
 *   consumer's business.
 * - A partial line is kept until its newline arrives or `end()` flushes it as a final line.
 * - A line longer than `maxLineBytes` is emitted as several lines of exactly `maxLineBytes` bytes
 *   followed by the remainder, as soon as the bytes are known: memory per splitter stays bounded
 *   by about `maxLineBytes` whatever the child writes.
 * - The Buffer passed to `onLine` may share memory with the pushed chunk: copy it to keep it.
 *
 * Cost is linear in the input: newlines are found with `indexOf`, and the pieces of a partial line
 * are kept in a list and concatenated once.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private partLen = 0;
  /** Pieces of the current (overlong) line were already emitted. */
  private splitting = false;

  constructor(
    private readonly onLine: (line: Buffer) => void,
    private readonly maxLineBytes: number = MAX_LINE_BYTES,
  ) {
    if (!(maxLineBytes >= 1)) throw new RangeError(`maxLineBytes must be >= 1, got ${maxLineBytes}`);
  }

  /** Bytes of the partial line held back. */
  get pending(): number {
    return this.partLen;
  }

  push(chunk: Buffer): void {
    let pos = 0;
    const len = chunk.length;
    while (pos < len) {
      const nl = chunk.indexOf(LF, pos);
      if (nl === -1) {
        this.hold(chunk.subarray(pos));
        return;
      }
      if (this.partLen === 0) this.finishLine(chunk.subarray(pos, nl));
      else {
        this.parts.push(chunk.subarray(pos, nl));
        this.partLen += nl - pos;
        this.finishLine(this.takeParts());
      }
      pos = nl + 1;
    }
  }

  /** End of input: the partial line, if any, is emitted as a last line. The splitter can be reused. */
  end(): void {
    if (this.partLen > 0) this.finishLine(this.takeParts());
    this.splitting = false;
  }

  /** Keeps bytes of an unfinished line, emitting full-size pieces once more bytes are known to follow. */
  private hold(piece: Buffer): void {
    if (piece.length === 0) return;
    // Copy: a small remainder must not pin the whole (often 64 KiB) chunk it came from.
    this.parts.push(Buffer.from(piece));
    this.partLen += piece.length;
    if (this.partLen <= this.maxLineBytes) return;
    let all = this.takeParts();
    let off = 0;
    while (all.length - off > this.maxLineBytes) {
      this.onLine(all.subarray(off, off + this.maxLineBytes));
      off += this.maxLineBytes;
    }
    this.splitting = true;
    all = all.subarray(off);
    this.parts.push(all);
    this.partLen = all.length;
  }

  private takeParts(): Buffer {
    const all = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.partLen);
    this.parts = [];
    this.partLen = 0;
    return all;
  }

  /** Emits one complete line (terminator already removed), split into pieces if overlong. */
  private finishLine(line: Buffer): void {
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    const wasSplitting = this.splitting;
    this.splitting = false;
    // The line's earlier pieces went out already and nothing but the "\r" was left: no empty tail.
    if (line.length === 0 && wasSplitting) return;
    let off = 0;
    while (line.length - off > this.maxLineBytes) {
      this.onLine(line.subarray(off, off + this.maxLineBytes));
      off += this.maxLineBytes;
    }
    this.onLine(off === 0 ? line : line.subarray(off));
  }
}
