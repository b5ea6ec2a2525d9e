/** FIFO of framed lines waiting to be written, with O(1) push/shift and a running byte count. */

export interface QueuedLine {
  data: Buffer;
  /** Sink clock when the line was queued (decides which time-rotation period it belongs to). */
  at: number;
}

export class LineQueue {
  private items: QueuedLine[] = [];
  private head = 0;
  private total = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  /** Bytes queued. */
  get bytes(): number {
    return this.total;
  }

  push(data: Buffer, at: number): void {
    this.items.push({ data, at });
    this.total += data.length;
  }

  /** The oldest line; the queue must not be empty. */
  peek(): QueuedLine {
    return this.items[this.head];
  }

  shift(): QueuedLine {
    const item = this.items[this.head];
    this.items[this.head] = undefined as unknown as QueuedLine;
    this.head++;
    this.total -= item.data.length;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.total = 0;
  }
}
