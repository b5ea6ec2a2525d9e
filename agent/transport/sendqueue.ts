// Serialises sends on one ZeroMQ socket: zeromq.js 6.8 throws EBUSY when a send is started while another is pending.
import type { MessageLike } from 'zeromq';

/** The part of a zeromq.js socket the queue needs. */
export interface SendTarget {
  send(message: MessageLike[]): Promise<void>;
  readonly closed: boolean;
}

/**
 * A FIFO of multipart messages sent one at a time, in order. zeromq.js completes up to ~512 sends
 * synchronously in a row, then defers the next one and throws EBUSY (synchronously, not as a
 * rejection) if another send starts meanwhile, so bursts must go through a queue like this one.
 */
export class SendQueue {
  private items: MessageLike[][] = [];
  private head = 0;
  private running = false;
  private idleWaiters: (() => void)[] = [];

  /** limit: most messages waiting (0 = unbounded); onError: a send failed on an open socket. */
  constructor(
    private readonly socket: SendTarget,
    private readonly limit: number,
    private readonly onError: (err: Error) => void,
  ) {}

  /** Messages queued and not yet handed to libzmq. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Queues one message; false when the queue is full (the message is dropped) or the socket is closed. */
  push(message: MessageLike[]): boolean {
    if (this.socket.closed) return false;
    if (this.limit > 0 && this.length >= this.limit) return false;
    this.items.push(message);
    if (!this.running) void this.pump();
    return true;
  }

  /** Resolves when everything queued so far was handed to libzmq (or dropped because the socket closed). */
  idle(): Promise<void> {
    if (!this.running && this.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async pump(): Promise<void> {
    this.running = true;
    try {
      while (this.length > 0) {
        const message = this.items[this.head++];
        if (this.head > 1024 && this.head * 2 > this.items.length) {
          this.items = this.items.slice(this.head);
          this.head = 0;
        }
        if (this.socket.closed) continue;
        try {
          await this.socket.send(message);
        } catch (err) {
          if (!this.socket.closed) this.onError(err instanceof Error ? err : new Error(String(err)));
        }
      }
    } finally {
      this.items = [];
      this.head = 0;
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
