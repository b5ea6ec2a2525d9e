/** Splits followed output into JSON log chunks that each stay under a byte limit (lines too long alone are truncated). */
import type { LogChunk, LogLine } from '../../protocol/fleet/payloads.ts';

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
/** Room kept for the chunk's numbers (seq, dropped) growing past their size in the measured header. */
const HEADER_MARGIN = 48;

/** `line` shortened (marked truncated) until its JSON takes at most `room` bytes. */
export function fitLine(line: LogLine, room: number): LogLine {
  let size = bytes(JSON.stringify(line));
  if (size <= room) return line;
  let text = line.line;
  let out: LogLine = { ...line, truncated: true };
  while (size > room && text.length > 0) {
    const keep = Math.floor((text.length * room) / size * 0.95);
    text = text.slice(0, Math.min(keep, text.length - 1));
    out = { ...line, line: text, truncated: true };
    size = bytes(JSON.stringify(out));
  }
  return out;
}

/**
 * The JSON texts of the chunks holding `lines` in order, each at most `limit` bytes.
 * `head` is every field but lines; seq is numbered from head.seq, and `dropped` goes with the first chunk.
 */
export function chunkLines(head: Omit<LogChunk, 'lines'>, lines: LogLine[], limit: number): string[] {
  const base = bytes(JSON.stringify({ ...head, lines: [] })) + HEADER_MARGIN;
  const room = Math.max(limit - base, 1);
  const out: string[] = [];
  let batch: string[] = [];
  let size = 0;
  const emit = () => {
    const chunk = { ...head, seq: head.seq + out.length, dropped: out.length === 0 ? head.dropped : 0 };
    const text = JSON.stringify(chunk);
    out.push(`${text.slice(0, -1)},"lines":[${batch.join(',')}]}`);
    batch = [];
    size = 0;
  };
  for (const line of lines) {
    const json = JSON.stringify(fitLine(line, room));
    const add = bytes(json) + (batch.length > 0 ? 1 : 0);
    if (batch.length > 0 && size + add > room) emit();
    batch.push(json);
    size += bytes(json) + (batch.length > 1 ? 1 : 0);
  }
  if (batch.length > 0 || head.dropped > 0) emit();
  return out;
}
