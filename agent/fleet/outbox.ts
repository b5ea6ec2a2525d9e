/** The bounded, ordered queue of events kept while NATS is unreachable: the oldest are dropped (and counted) when it is full. */

export class Outbox<T> {
  private items: (T | undefined)[];
  private head = 0;
  private count = 0;
  /** Items dropped since start. */
  dropped = 0;
  /** Items dropped since the last takeDropped(). */
  private unreported = 0;

  constructor(private cap: number) {
    this.items = Outbox.array(cap);
  }

  private static array<T>(capacity: number): (T | undefined)[] {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`outbox capacity must be an integer >= 0, got ${capacity}`);
    return new Array(capacity);
  }

  get capacity(): number {
    return this.cap;
  }

  /** Changes the capacity, keeping the newest items (the others count as dropped). */
  resize(capacity: number): void {
    const kept: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) kept.push(item);
    this.items = Outbox.array(capacity);
    this.cap = capacity;
    for (const item of kept) this.push(item);
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.capacity === 0) {
      this.drop();
      return;
    }
    if (this.count === this.capacity) {
      this.head = (this.head + 1) % this.capacity;
      this.count--;
      this.drop();
    }
    this.items[(this.head + this.count) % this.capacity] = item;
    this.count++;
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return item;
  }

  /** How many were dropped since the previous call (0 when none). */
  takeDropped(): number {
    const n = this.unreported;
    this.unreported = 0;
    return n;
  }

  private drop(): void {
    this.dropped++;
    this.unreported++;
  }
}
