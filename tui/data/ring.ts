/** A fixed-capacity circular buffer: the newest `capacity` values, oldest first, at constant cost per push. */
export class Ring<T = number> {
  private readonly items: T[] = [];
  private head = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`a ring needs a capacity of at least 1, got ${capacity}`);
  }

  get size(): number {
    return this.items.length;
  }

  push(value: T): void {
    if (this.items.length < this.capacity) this.items.push(value);
    else {
      this.items[this.head] = value;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  /** The values, oldest first. */
  values(): T[] {
    return this.items.length < this.capacity ? this.items.slice() : [...this.items.slice(this.head), ...this.items.slice(0, this.head)];
  }
}
