/**
 * The lines of an open log pane: the newest LOG_LINES_KEPT lines (and notes about the stream),
 * each with a sequence number so a paused pane keeps showing what it showed. Views are told of
 * new lines at most every PUBLISH_MS.
 */
import { LOG_LINES_KEPT, PUBLISH_MS } from '../defaults.ts';
import { Ring } from './ring.ts';
import type { LogLine, LogSink } from './source.ts';

export type LogEntry = { seq: number; note: string } | { seq: number; note: null; line: LogLine };

export class LogBuffer implements LogSink {
  private readonly ring = new Ring<LogEntry>(LOG_LINES_KEPT);
  private seqNo = 0;
  private version = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<() => void>();

  /** Sequence number of the newest entry (0 before any). */
  get seq(): number {
    return this.seqNo;
  }

  lines(lines: readonly LogLine[]): void {
    for (const line of lines) this.ring.push({ seq: ++this.seqNo, note: null, line });
    if (lines.length) this.changed();
  }

  note(text: string): void {
    this.ring.push({ seq: ++this.seqNo, note: text });
    this.changed();
  }

  entries(): LogEntry[] {
    return this.ring.values();
  }

  readonly getVersion = (): number => this.version;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  private changed(): void {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.version++;
      for (const l of this.listeners) l();
    }, PUBLISH_MS);
  }
}
