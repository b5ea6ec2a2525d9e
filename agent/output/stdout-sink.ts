/** Sink writing prefixed (optionally coloured, timed) lines to a stream such as ringd's own stdout. */
import { DEFAULT_FANCY_TIME_FORMAT, MAX_SINK_QUEUE_BYTES } from '../defaults.ts';
import { ANSI_RESET, colourFor, colourStart, dropMarkerText, framedLine, processPrefix, type LineMeta } from './format.ts';
import type { Sink, SinkOptions } from './sink.ts';
import { compileTimeFormat, type TimeFormatter } from './timefmt.ts';

export interface StreamSinkStyle {
  /** Colour per watcher, and a time in front (time_format, default DEFAULT_FANCY_TIME_FORMAT). */
  fancy: boolean;
  timeFormat?: string;
  utc?: boolean;
}

type ErrorRoute = (err: Error) => void;
/** One 'error' listener per stream, shared by all sinks writing to it (no listener leak warnings). */
const routes = new WeakMap<NodeJS.WritableStream, Set<ErrorRoute>>();

function routeErrors(out: NodeJS.WritableStream, route: ErrorRoute): () => void {
  let set = routes.get(out);
  if (!set) {
    const s = new Set<ErrorRoute>();
    routes.set(out, s);
    out.on('error', (err: Error) => { for (const r of s) r(err); });
    set = s;
  }
  set.add(route);
  const owner = set;
  return () => { owner.delete(route); };
}

/** The part of Writable a sink looks at, when the stream offers it. */
interface WritableState {
  writableLength?: number;
  writableNeedDrain?: boolean;
  destroyed?: boolean;
}

/**
 * Writes each line as one `out.write` of `[time ]<watcher>.<wid>[<pid>] | <line>\n` (raw bytes of the
 * line, untouched). The stream buffers on its own; when its buffer holds more than maxQueueBytes the
 * newest lines are dropped and a marker line says how many, once there is room again.
 */
export class StreamSink implements Sink {
  private readonly out: NodeJS.WritableStream;
  private readonly time?: TimeFormatter;
  private readonly colour?: string;
  private readonly cap: number;
  private dropped = 0;
  private closed = false;
  private reported = false;
  private readonly unroute: () => void;

  constructor(private readonly opts: SinkOptions, style: StreamSinkStyle) {
    this.out = opts.out ?? (opts.stream === 'stderr' ? process.stderr : process.stdout);
    this.cap = opts.maxQueueBytes ?? MAX_SINK_QUEUE_BYTES;
    const fmt = style.fancy ? (style.timeFormat ?? DEFAULT_FANCY_TIME_FORMAT) : style.timeFormat;
    if (fmt) this.time = compileTimeFormat(fmt, style.utc ?? false);
    if (style.fancy) this.colour = colourStart(colourFor(opts.watcher));
    this.unroute = routeErrors(this.out, (err) => this.report(err));
  }

  write(line: Buffer, meta: LineMeta): void {
    if (this.closed) return;
    const state = this.out as WritableState;
    if (state.destroyed) return;
    const framed = framedLine(this.prefix(meta), line);
    if ((state.writableLength ?? 0) + framed.length > this.cap) {
      this.dropped++;
      return;
    }
    if (this.dropped > 0) this.writeDropMarker(meta.time);
    this.send(framed);
  }

  private prefix(meta: LineMeta): string {
    const head = (this.time ? `${this.time(meta.time)} ` : '') + processPrefix(this.opts.watcher, meta);
    // Colour the prefix only: the line's own bytes (maybe its own escapes) pass through as they are.
    return this.colour ? `${this.colour}${head.slice(0, -1)}${ANSI_RESET} ` : head;
  }

  private writeDropMarker(time: number): void {
    const text = dropMarkerText(this.dropped, this.opts.watcher, this.opts.stream, this.cap);
    this.dropped = 0;
    this.send(Buffer.from(`${this.time ? `${this.time(time)} ` : ''}[ringd] | ${text}\n`));
  }

  private send(buf: Buffer): void {
    try {
      this.out.write(buf);
    } catch (err) {
      this.report(err as Error);
    }
  }

  private report(err: Error): void {
    if (this.reported) return;
    this.reported = true;
    this.opts.onError?.(err);
  }

  async reopen(): Promise<void> {}

  flush(): Promise<void> {
    if (this.dropped > 0 && !this.closed) this.writeDropMarker(Date.now());
    const state = this.out as WritableState;
    if (state.destroyed || (!(state.writableLength ?? 0) && !state.writableNeedDrain)) return Promise.resolve();
    // Writes complete in order: when this empty one is done, so is everything before it.
    return new Promise((resolve) => {
      try {
        this.out.write('', () => resolve());
      } catch {
        resolve();
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    this.unroute();
  }
}
