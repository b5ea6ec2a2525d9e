/** The file sink of every file stream class: queued async appends, size/time rotation, reopen after logrotate. */
import type { StreamConfig } from '../config/types.ts';
import { MAX_SINK_QUEUE_BYTES, REOPEN_CHECK_INTERVAL_MS, SINK_RETRY_INTERVAL_MS, SINK_WRITE_BATCH_BYTES } from '../defaults.ts';
import { dropMarkerText, framedLine, type LineMeta } from './format.ts';
import { LineQueue } from './line-queue.ts';
import { asError, LogFile } from './log-file.ts';
import type { Sink, SinkOptions } from './sink.ts';
import { compileTimeFormat, type TimeFormatter } from './timefmt.ts';

/**
 * Appends lines to `filename`, never blocking the event loop and never losing or reordering a line:
 * - `write` only queues (with the time of the call, which decides time rotation); one async loop writes
 *   the queue in batches (all queued lines coalesced into one write, up to SINK_WRITE_BATCH_BYTES).
 * - Rotation happens between batches, so a line is never split across files.
 * - Size rotation (max_bytes > 0): before a line that would take the file over max_bytes (unless the
 *   file is empty), file.(n-1) → file.n … file → file.1 with n = backup_count. backup_count 0 keeps no
 *   backup: the file is truncated instead, so it stays under max_bytes (its older content is discarded).
 * - Time rotation (rotate_when set, whatever the class): the file is renamed with Python's suffix (see
 *   rotation.ts; an existing name gets ".1", ".2" … rather than being overwritten); backups beyond
 *   backup_count (when > 0) are deleted. An empty file is not rotated (no empty backups).
 * - At most every reopenCheckIntervalMs, before writing, the path is stat'ed: if it is gone or is another
 *   file (logrotate "create"), it is reopened; if it is ours, our size is resynchronised ("copytruncate").
 *   `reopen()` forces a reopen (SIGUSR1).
 * - A missing parent folder is created (mkdir -p): log folders under /var/log need no extra step.
 * - Time prefix `"<time> [<pid>] | "` when time_format is set.
 * - Errors (open, write, rotation) go to onError once per episode (until a write succeeds again); the
 *   sink retries every SINK_RETRY_INTERVAL_MS, keeping lines queued up to maxQueueBytes, beyond which
 *   the newest lines are dropped and replaced by one marker line with their count.
 * flush() resolves once the lines queued before it are handed to the kernel (no fsync), or after an
 * attempt failed (reported through onError; the lines stay queued). close() reports any lines it has
 * to abandon through onError as well: output is never lost silently.
 */
export class FileSink implements Sink {
  private readonly now: () => number;
  private readonly cap: number;
  private readonly prefix?: TimeFormatter;
  private readonly file: LogFile;
  private readonly queue = new LineQueue();
  private dropped = 0;
  /** Bytes taken from the queue, not yet fully written, and how many lines they hold. */
  private pending: Buffer | null = null;
  private pendingLines = 0;
  /** Lines accepted / written (or given up at close): flush waits for written to catch up. */
  private accepted = 0;
  private written = 0;
  private flushWaiters: { upTo: number; resolve: () => void }[] = [];
  private reopenWaiters: (() => void)[] = [];
  private reopenWanted = false;
  private running: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private failing = false;
  private closed = false;
  private closing: Promise<void> | null = null;

  constructor(readonly filename: string, cfg: StreamConfig, private readonly opts: SinkOptions) {
    this.now = opts.now ?? Date.now;
    this.cap = opts.maxQueueBytes ?? MAX_SINK_QUEUE_BYTES;
    if (cfg.time_format) this.prefix = compileTimeFormat(cfg.time_format, cfg.utc);
    this.file = new LogFile(filename, cfg, {
      now: this.now,
      checkEvery: opts.reopenCheckIntervalMs ?? REOPEN_CHECK_INTERVAL_MS,
      report: (err) => this.report(err),
    });
    this.kick(); // open now: a bad path is reported at start, and the file exists before the first line
  }

  write(line: Buffer, meta: LineMeta): void {
    if (this.closed) return;
    const data = framedLine(this.prefix ? `${this.prefix(meta.time)} [${meta.pid}] | ` : '', line);
    if (this.queue.bytes + data.length > this.cap) {
      this.dropped++;
      return;
    }
    if (this.dropped > 0) this.queueDropMarker();
    this.enqueue(data);
  }

  reopen(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.reopenWanted = true;
    return new Promise((resolve) => {
      this.reopenWaiters.push(resolve);
      this.retryNow();
    });
  }

  flush(): Promise<void> {
    if (this.dropped > 0 && !this.closed) this.queueDropMarker();
    const upTo = this.accepted;
    if (this.written >= upTo) return Promise.resolve();
    return new Promise((resolve) => {
      this.flushWaiters.push({ upTo, resolve });
      this.retryNow();
    });
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.dropped > 0) this.queueDropMarker();
    this.closed = true; // later writes are ignored; what is queued still gets written
    await this.flush();
    while (this.running) await this.running;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const lost = this.queue.length + this.pendingLines;
    if (lost > 0) {
      this.report(new Error(`${this.filename}: ${lost} line${lost === 1 ? '' : 's'} could not be written before close`), true);
      this.queue.clear();
      this.pending = null;
      this.pendingLines = 0;
      this.written = this.accepted;
    }
    await this.file.close();
    this.settle(true);
  }

  private queueDropMarker(): void {
    const text = dropMarkerText(this.dropped, this.opts.watcher, this.opts.stream, this.cap);
    this.dropped = 0;
    this.enqueue(framedLine(this.prefix ? `${this.prefix(this.now())} [ringd] | ` : '', Buffer.from(text)));
  }

  private enqueue(data: Buffer): void {
    this.queue.push(data, this.now());
    this.accepted++;
    this.kick();
  }

  /** Starts the write loop unless it runs already or waits for a retry. */
  private kick(): void {
    if (this.running || this.retryTimer) return;
    this.running = this.run();
  }

  /** Ends a retry wait early (flush/reopen/close want an answer now). */
  private retryNow(): void {
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    this.kick();
  }

  private hasWork(): boolean {
    return this.queue.length > 0 || this.pending !== null || this.reopenWanted || (!this.file.isOpen && !this.closed);
  }

  private async run(): Promise<void> {
    await null; // kick() records this run before it can end; writes of the current tick coalesce
    try {
      while (this.hasWork()) await this.step();
    } catch (err) {
      this.report(asError(err));
      this.failing = true;
      this.file.drop();
      if (!this.closed) this.retryTimer = setTimeout(() => { this.retryTimer = null; this.kick(); }, SINK_RETRY_INTERVAL_MS).unref();
      this.settle(true); // waiters get an answer: the error went to onError, the lines stay queued
    } finally {
      // Synchronously after the last hasWork() check: a write() from now on starts a new run.
      this.running = null;
    }
  }

  private async step(): Promise<void> {
    if (!this.file.isOpen || this.reopenWanted) {
      this.reopenWanted = false;
      await this.file.reopen();
      for (const resolve of this.reopenWaiters.splice(0)) resolve();
    } else {
      await this.file.checkMoved();
    }
    if (this.pending === null) await this.takeBatch();
    if (this.pending !== null) await this.writePending();
  }

  /** Moves queued lines into `pending`, rotating first when the next line belongs to a new file. */
  private async takeBatch(): Promise<void> {
    const parts: Buffer[] = [];
    let bytes = 0;
    while (this.queue.length > 0 && bytes < SINK_WRITE_BATCH_BYTES) {
      const { data, at } = this.queue.peek();
      const rotation = this.file.rotationDue(at, bytes, data.length);
      if (rotation) {
        if (parts.length > 0) break;
        await this.file.rotate(rotation, at);
        continue;
      }
      this.queue.shift();
      parts.push(data);
      bytes += data.length;
    }
    if (parts.length === 0) return;
    this.pending = parts.length === 1 ? parts[0] : Buffer.concat(parts, bytes);
    this.pendingLines = parts.length;
  }

  private async writePending(): Promise<void> {
    while (this.pending!.length > 0) {
      const n = await this.file.write(this.pending!);
      this.pending = this.pending!.subarray(n);
    }
    this.pending = null;
    this.written += this.pendingLines;
    this.pendingLines = 0;
    this.failing = false;
    this.settle(false);
  }

  /** Resolves flush waiters whose lines are written (all of them when `all`). */
  private settle(all: boolean): void {
    if (this.flushWaiters.length === 0 && (!all || this.reopenWaiters.length === 0)) return;
    const keep: typeof this.flushWaiters = [];
    for (const w of this.flushWaiters) {
      if (all || this.written >= w.upTo) w.resolve();
      else keep.push(w);
    }
    this.flushWaiters = keep;
    if (all) for (const resolve of this.reopenWaiters.splice(0)) resolve();
  }

  private report(err: Error, always = false): void {
    if (this.failing && !always) return;
    this.failing = true;
    try {
      this.opts.onError?.(err);
    } catch {
      // a throwing callback must not break the write loop
    }
  }
}
