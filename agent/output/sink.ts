/** The Sink contract and `createSink`, which picks the sink for a watcher's stream configuration. */
import type { StreamConfig } from '../config/types.ts';
import { FileSink } from './file-sink.ts';
import type { LineMeta } from './format.ts';
import type { OutputStreamName } from './ring.ts';
import { StreamSink } from './stdout-sink.ts';

export type { LineMeta } from './format.ts';

/**
 * Where one stream (stdout or stderr) of a watcher's processes goes. `write` never throws and never
 * blocks; problems go to `onError`. Lines are written in the order `write` was called.
 */
export interface Sink {
  /** One complete line, without its "\n" (a LineSplitter's output). */
  write(line: Buffer, meta: LineMeta): void;
  /** Re-opens the destination file (ringd calls it on SIGUSR1); a no-op for non-file sinks. */
  reopen(): Promise<void>;
  /** Resolves when every line written so far is handed to the OS (or could not be, see onError). */
  flush(): Promise<void>;
  /** Flushes, then releases the file. Later writes are ignored. */
  close(): Promise<void>;
}

export interface SinkOptions {
  watcher: string;
  stream: OutputStreamName;
  /** Destination of the stdout-style sinks; default process.stdout / process.stderr following `stream`. */
  out?: NodeJS.WritableStream;
  /** Write/open/rotation failures, reported once per failure episode (not once per line). */
  onError?: (err: Error) => void;
  /** Clock deciding time rotation and reopen checks (tests pass a fake one); default Date.now. */
  now?: () => number;
  /** How often a file sink stats its path to notice external rotation; default REOPEN_CHECK_INTERVAL_MS. */
  reopenCheckIntervalMs?: number;
  /** Memory cap of queued output; default MAX_SINK_QUEUE_BYTES. */
  maxQueueBytes?: number;
}

/** Discards everything (NullStream). */
export class NullSink implements Sink {
  write(_line: Buffer, _meta: LineMeta): void {}
  async reopen(): Promise<void> {}
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

/**
 * The sink for one stream of a watcher:
 * - no configuration: `<watcher>.<wid>[<pid>] | <line>` on ringd's own stdout/stderr;
 * - StdoutStream: the same (with a time in front when time_format is set);
 * - FancyStdoutStream: the same, coloured per watcher, with a time (default "%Y-%m-%d %H:%M:%S");
 * - NullStream: nothing;
 * - FileStream, WatchedFileStream, TimedRotatingFileStream: one FileSink doing whatever the options ask
 *   (size and/or time rotation, time prefix), always re-opening after an external rotation.
 * Throws (synchronously, at configuration time) only when a file class has no filename.
 */
export function createSink(cfg: StreamConfig | undefined, opts: SinkOptions): Sink {
  if (!cfg) return new StreamSink(opts, { fancy: false });
  switch (cfg.class) {
    case 'NullStream':
      return new NullSink();
    case 'StdoutStream':
      return new StreamSink(opts, { fancy: false, timeFormat: cfg.time_format, utc: cfg.utc });
    case 'FancyStdoutStream':
      return new StreamSink(opts, { fancy: true, timeFormat: cfg.time_format, utc: cfg.utc });
    case 'FileStream':
    case 'WatchedFileStream':
    case 'TimedRotatingFileStream':
      if (!cfg.filename) throw new Error(`${opts.watcher} ${opts.stream}: ${cfg.class} needs a filename`);
      return new FileSink(cfg.filename, cfg, opts);
    default: {
      const never: never = cfg.class;
      throw new Error(`unknown stream class ${String(never)}`);
    }
  }
}
