/**
 * Replay detection for signed datagrams: per sender (id + boot) the highest sequence seen and a
 * window of recent ones, so a datagram arriving twice is refused while reordered ones still pass.
 * The table is bounded (least recently heard senders are forgotten first); a copy older than the
 * freshness window is refused by the timestamp check anyway.
 */

/** Sequences older than the highest seen by more than this are refused as replays. */
export const REPLAY_WINDOW = 64;
export const MAX_TRACKED_SENDERS = 4096;

interface Seen {
  max: number;
  recent: Set<number>;
}

export class ReplayGuard {
  private readonly senders = new Map<string, Seen>();

  constructor(private readonly maxSenders = MAX_TRACKED_SENDERS) {}

  /** True the first time (id, boot, seq) is seen; false for a replay. */
  accept(id: string, boot: string, seq: number): boolean {
    const key = `${id}\u0000${boot}`;
    const s = this.senders.get(key);
    if (!s) {
      this.remember(key, { max: seq, recent: new Set([seq]) });
      return true;
    }
    if (seq <= s.max - REPLAY_WINDOW || s.recent.has(seq)) return false;
    s.recent.add(seq);
    if (seq > s.max) {
      s.max = seq;
      for (const old of s.recent) if (old <= seq - REPLAY_WINDOW) s.recent.delete(old);
    }
    this.senders.delete(key); // re-insert: Map order is least recently heard first
    this.remember(key, s);
    return true;
  }

  get size(): number {
    return this.senders.size;
  }

  private remember(key: string, s: Seen): void {
    this.senders.set(key, s);
    while (this.senders.size > this.maxSenders) {
      const oldest = this.senders.keys().next().value as string;
      this.senders.delete(oldest);
    }
  }
}
