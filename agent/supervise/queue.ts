/** A per-watcher FIFO of asynchronous operations: mutating commands run in order, never rejected. */

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /** Runs `op` after every operation queued before it; its result or error goes to the caller only. */
  run<T>(op: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(op);
    this.tail = result.then(() => this.done(), () => this.done());
    return result;
  }

  get length(): number {
    return this.pending;
  }

  private done(): void {
    this.pending--;
  }
}
