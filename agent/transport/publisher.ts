// ringd's event stream: a ZeroMQ PUB socket sending Circus's 2-frame [topic, json] messages without ever blocking callers.
import { pyJson } from '../../protocol/replies.ts';
import * as zmq from 'zeromq';
import { isZ85Key } from './curve.ts';
import { ipcPath, prepareIpcPath, removeIpcSocket, secureIpcSocket, type IpcSocketFile } from './ipc.ts';
import { SendQueue } from './sendqueue.ts';

zmq.context.blocky = false; // new sockets get linger 0: the process never waits for undeliverable messages at exit

export interface ZmqPublisherOptions {
  /** Z85 (40 chars): enables CURVE server mode; subscribers need the matching public key. */
  curveSecretKey?: string;
  /** Per-subscriber libzmq queue and the in-process queue limit, in messages (default 10000). */
  highWaterMark?: number;
  /** Bind an XPUB socket and follow subscriptions, so `hasSubscribers` tells whether anyone listens (default false). */
  trackSubscribers?: boolean;
  log?: { warning(msg: string): void; error(msg: string): void };
}

/**
 * A bound PUB socket. publish() serialises the payload and queues it; a single pump hands messages
 * to libzmq in order (zeromq.js throws EBUSY if a send starts while one is pending).
 *
 * Drops: `dropped` counts messages refused by this process (in-process queue full, payload not
 * JSON-serialisable, send error). libzmq itself drops silently, per subscriber, when that
 * subscriber's queue is at the high-water mark: such drops are invisible here (PUB semantics, the
 * price of one slow subscriber never stalling the others). Messages published while no subscriber
 * is connected are lost too (ZeroMQ's slow joiner).
 */
export class ZmqPublisher {
  private readonly queue: SendQueue;
  private droppedCount = 0;
  private closed: Promise<void> | null = null;
  private ipcFile: IpcSocketFile | null = null;
  /** Topics subscribed to right now (XPUB passes each topic's first subscribe and last unsubscribe up). */
  private readonly topics = new Set<string>();

  private constructor(
    private readonly socket: zmq.Publisher | zmq.XPublisher,
    readonly endpoint: string,
    highWaterMark: number,
    private readonly log: ZmqPublisherOptions['log'],
  ) {
    this.queue = new SendQueue(socket, highWaterMark, (err) => {
      this.droppedCount++;
      this.log?.error(`event not published: ${err.message}`);
    });
  }

  /** Binds the PUB socket ("tcp://host:0" picks a free port, see `endpoint`; ipc paths get mode 0600). */
  static async bind(endpoint: string, opts: ZmqPublisherOptions = {}): Promise<ZmqPublisher> {
    const hwm = opts.highWaterMark ?? 10_000;
    if (!Number.isInteger(hwm) || hwm < 0) throw new Error(`highWaterMark must be a non-negative integer, got ${hwm}`);
    if (opts.curveSecretKey !== undefined && !isZ85Key(opts.curveSecretKey)) {
      throw new Error('curveSecretKey must be a 40-character Z85 key');
    }
    const path = ipcPath(endpoint);
    if (path !== null) await prepareIpcPath(path, opts.log);
    const socket = new (opts.trackSubscribers ? zmq.XPublisher : zmq.Publisher)({
      linger: 0,
      sendHighWaterMark: hwm,
      ...(opts.curveSecretKey ? { curveServer: true, curveSecretKey: opts.curveSecretKey } : {}),
    });
    const address = endpoint.startsWith('tcp://') ? endpoint.replace(/:0$/, ':*') : endpoint;
    try {
      await socket.bind(address);
    } catch (err) {
      socket.close();
      throw new Error(`cannot bind event socket ${endpoint}: ${(err as Error).message}`);
    }
    const pub = new ZmqPublisher(socket, socket.lastEndpoint ?? endpoint, hwm, opts.log);
    if (path !== null) pub.ipcFile = secureIpcSocket(path);
    if (socket instanceof zmq.XPublisher) void pub.followSubscriptions(socket);
    return pub;
  }

  /** Keeps `topics` in step with the XPUB socket's subscription messages (byte 1 = subscribe, 0 = unsubscribe, then the topic). */
  private async followSubscriptions(socket: zmq.XPublisher): Promise<void> {
    try {
      for await (const [frame] of socket) {
        if (!frame || frame.length === 0) continue;
        const topic = frame.toString('latin1', 1);
        if (frame[0] === 1) this.topics.add(topic);
        else if (frame[0] === 0) this.topics.delete(topic);
      }
    } catch {
      // closed
    }
  }

  /** With trackSubscribers: whether at least one subscriber is connected with a subscription (always true without). */
  get hasSubscribers(): boolean {
    return !(this.socket instanceof zmq.XPublisher) || this.topics.size > 0;
  }

  /** Messages this process refused to publish (see the class comment for what is not counted). */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Messages queued in-process, not yet handed to libzmq. */
  get queued(): number {
    return this.queue.length;
  }

  /** Queues [topic, payload as circusd writes JSON]. Never throws, never blocks; drops (and counts) instead. */
  publish(topic: string, payload: unknown): void {
    let json: string | undefined;
    try {
      json = pyJson(payload);
    } catch (err) {
      this.droppedCount++;
      this.log?.error(`event '${topic}' not published: ${(err as Error).message}`);
      return;
    }
    if (this.closed || !this.queue.push([topic, json ?? 'null'])) this.droppedCount++;
  }

  /** Resolves when every message published so far was handed to libzmq (delivery is not awaited). */
  flush(): Promise<void> {
    return this.queue.idle();
  }

  /** Closes the socket (queued messages are discarded) and removes an ipc socket file. Idempotent. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.socket.close();
      if (this.ipcFile) removeIpcSocket(this.ipcFile);
      await this.queue.idle();
    })();
    return this.closed;
  }
}
