/**
 * Follow leases (ring.agent.<id>.follow): while a lease on a watcher is live, its output lines are
 * batched every FOLLOW_BATCH_MS and published on ring.agent.<id>.log.<watcher> in chunks under max_payload.
 */
import { ERRNO } from '../../protocol/errors.ts';
import { monotonicMs } from '../clock.ts';
import { subjects } from '../../protocol/fleet/subjects.ts';
import { errorReply, okReply } from '../../protocol/replies.ts';
import { DEFAULT_FOLLOW_LEASE_MS, FOLLOW_BATCH_MS, FOLLOW_MAX_PENDING_BYTES, MAX_FOLLOW_LEASE_MS } from '../defaults.ts';
import type { Logger } from '../log.ts';
import type { Arbiter } from '../supervise/arbiter.ts';
import type { OutputEvent } from '../supervise/watcher.ts';
import { chunkLines } from './chunks.ts';
import type { LogLine } from '../../protocol/fleet/payloads.ts';
import { jsonObject } from './serve.ts';

/** Where followed output goes. */
export interface FollowSink {
  agent(): string;
  connected(): boolean;
  /** Largest payload to publish now (config and server limit). */
  maxPayload(): number;
  publish(subject: string, text: string): void;
}

interface Followed {
  until: number;
  lines: LogLine[];
  bytes: number;
  dropped: number;
}

const KEYS = ['watcher', 'lease_ms'];

export class FollowLeases {
  private readonly followed = new Map<string, Followed>();
  /** Next chunk number per watcher, kept across leases for the whole boot. */
  private readonly seqs = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly onOutput = (o: OutputEvent) => this.add(o);

  constructor(private readonly arbiter: Arbiter, private readonly sink: FollowSink, private readonly log: Logger) {}

  /** Opens or renews a lease from a request body {watcher, lease_ms?}; returns the reply text. */
  request(data: Uint8Array): string {
    const parsed = jsonObject(data);
    if ('error' in parsed) return errorReply(`${parsed.error}: a follow request is {"watcher": NAME, "lease_ms": MS}`, ERRNO.INVALID_JSON, null);
    const req = parsed.value;
    const extra = Object.keys(req).find((k) => !KEYS.includes(k));
    if (extra !== undefined) return errorReply(`unknown key '${extra}' in follow request (expected ${KEYS.join(', ')})`, ERRNO.MESSAGE_ERROR, null);
    if (typeof req.watcher !== 'string' || req.watcher === '') return errorReply("follow request: 'watcher' must be a watcher name", ERRNO.MESSAGE_ERROR, null);
    const lease = req.lease_ms ?? DEFAULT_FOLLOW_LEASE_MS;
    if (typeof lease !== 'number' || !Number.isInteger(lease) || lease < 1) {
      return errorReply(`follow request: 'lease_ms' must be an integer ≥ 1, got ${JSON.stringify(lease)}`, ERRNO.MESSAGE_ERROR, null);
    }
    const w = this.arbiter.find(req.watcher);
    if (!w) return errorReply(`program ${req.watcher} not found`, ERRNO.MESSAGE_ERROR, null);
    const granted = Math.min(lease, MAX_FOLLOW_LEASE_MS);
    this.open(w.name, granted);
    return okReply({ subject: subjects.log(this.sink.agent(), w.name), watcher: w.name, lease_ms: granted }, null);
  }

  /** Watchers with a live lease. */
  names(): string[] {
    return [...this.followed.keys()];
  }

  /** Ends every lease. */
  close(): void {
    this.followed.clear();
    this.halt();
  }

  private open(name: string, leaseMs: number): void {
    const until = monotonicMs() + leaseMs;
    const f = this.followed.get(name);
    if (f) {
      f.until = Math.max(f.until, until);
      return;
    }
    this.followed.set(name, { until, lines: [], bytes: 0, dropped: 0 });
    this.log.debug(`follow: lease opened on ${name} for ${leaseMs}ms`);
    if (this.timer) return;
    this.arbiter.on('output', this.onOutput);
    this.timer = setInterval(() => this.tick(), FOLLOW_BATCH_MS);
    this.timer.unref();
  }

  private add(o: OutputEvent): void {
    const f = this.followed.get(o.watcher);
    if (!f || f.until <= monotonicMs()) return;
    if (f.bytes + o.line.length > FOLLOW_MAX_PENDING_BYTES) {
      f.dropped++;
      return;
    }
    f.lines.push({ time: o.time, stream: o.stream, pid: o.pid, wid: o.wid, line: o.line.toString('utf8') });
    f.bytes += o.line.length;
  }

  private tick(): void {
    const now = monotonicMs();
    for (const [name, f] of this.followed) {
      this.flush(name, f);
      if (f.until <= now) {
        this.followed.delete(name);
        this.log.debug(`follow: lease on ${name} expired`);
      }
    }
    if (this.followed.size === 0) this.halt();
  }

  private flush(name: string, f: Followed): void {
    if (f.lines.length === 0 && f.dropped === 0) return;
    if (!this.sink.connected()) {
      f.dropped += f.lines.length;
    } else {
      const seq = this.seqs.get(name) ?? 1;
      const head = { agent: this.sink.agent(), boot: this.arbiter.bootId, watcher: name, seq, dropped: f.dropped };
      const chunks = chunkLines(head, f.lines, this.sink.maxPayload());
      const subject = subjects.log(this.sink.agent(), name);
      for (const text of chunks) this.sink.publish(subject, text);
      this.seqs.set(name, seq + chunks.length);
      f.dropped = 0;
    }
    f.lines = [];
    f.bytes = 0;
  }

  private halt(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.arbiter.off('output', this.onOutput);
  }
}
