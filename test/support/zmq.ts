// Test clients for ringd's ZeroMQ sockets: a Circus-style control client (DEALER or REQ) and an event collector (SUB).
import { randomBytes } from 'node:crypto';
import * as zmq from 'zeromq';

zmq.context.blocky = false; // a test must never hang at exit on undeliverable messages

export type Reply = Record<string, unknown>;

function parse(frame: Buffer | undefined): Reply {
  const text = frame ? frame.toString('utf8') : '';
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Reply;
  } catch {
    // fall through
  }
  return { __unparsed: text };
}

/** CURVE client options for a server public key, with a throwaway client key pair ({} without a key). */
function clientCurve(serverKey: string | undefined): { curveServerKey?: string; curvePublicKey?: string; curveSecretKey?: string } {
  if (!serverKey) return {};
  const { publicKey, secretKey } = zmq.curveKeyPair();
  return { curveServerKey: serverKey, curvePublicKey: publicKey, curveSecretKey: secretKey };
}

/** Hands items to waiters (first one accepting); unclaimed items are kept only when `keep` is set. */
class Inbox<T> {
  private readonly items: T[] = [];
  private readonly waiters = new Set<{ accept: (item: T) => boolean; done: (item: T | undefined) => void }>();
  constructor(private readonly keep: boolean) {}

  put(item: T): void {
    for (const w of this.waiters) {
      if (w.accept(item)) return w.done(item);
    }
    if (this.keep) this.items.push(item);
  }

  take(accept: (item: T) => boolean, timeoutMs: number): Promise<T | undefined> {
    const index = this.items.findIndex(accept);
    if (index >= 0) return Promise.resolve(this.items.splice(index, 1)[0]);
    return new Promise((resolve) => {
      const waiter = {
        accept,
        done: (item: T | undefined): void => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(item);
        },
      };
      const timer = setTimeout(() => waiter.done(undefined), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Wakes every waiter with undefined (the socket closed). */
  close(): void {
    for (const w of [...this.waiters]) w.done(undefined);
  }
}

/**
 * A control client. `dealer` (default, what circusctl uses): random uuid-hex routing id, a
 * background reader, concurrent calls matched by id. `req`: lock-step send/receive, with
 * `relaxed` + `correlate` so a timed-out call does not wedge the socket (this makes REQ add a
 * request-id frame to its envelope, which the server echoes); concurrent calls on a REQ client are
 * serialised. CURVE: pass the server's public key; a throwaway client key pair is generated.
 */
export class ControlClient {
  private readonly socket: zmq.Dealer | zmq.Request;
  private readonly inbox = new Inbox<Reply>(true);
  private reqChain: Promise<unknown> = Promise.resolve();
  private sendChain: Promise<unknown> = Promise.resolve();
  private seq = 0;

  constructor(readonly endpoint: string, opts: { curveServerKey?: string; type?: 'dealer' | 'req' } = {}) {
    const curve = clientCurve(opts.curveServerKey);
    if (opts.type === 'req') {
      this.socket = new zmq.Request({ linger: 0, relaxed: true, correlate: true, ...curve });
    } else {
      this.socket = new zmq.Dealer({ linger: 0, routingId: randomBytes(16).toString('hex'), ...curve });
      void this.readLoop(this.socket);
    }
    this.socket.connect(endpoint);
  }

  private async readLoop(socket: zmq.Dealer): Promise<void> {
    try {
      for await (const frames of socket) this.inbox.put(parse(frames[frames.length - 1]));
    } catch {
      // socket closed under a pending receive
    }
    this.inbox.close();
  }

  /**
   * Sends `{"id","command","properties"}` (plus `msg_type` for a cast) and resolves with the reply
   * carrying that id, skipping others. Rejects after timeoutMs (default 10000). A cast resolves
   * with {} right after sending.
   */
  async call(
    command: string,
    properties: Record<string, unknown> = {},
    opts: { timeoutMs?: number; id?: string; msgType?: 'cast' } = {},
  ): Promise<Reply> {
    const id = opts.id ?? `t-${process.pid}-${++this.seq}-${randomBytes(4).toString('hex')}`;
    const body = JSON.stringify({ id, command, properties, ...(opts.msgType ? { msg_type: opts.msgType } : {}) });
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const noReply = `no reply to '${command}' (id ${id}) within ${timeoutMs}ms`;
    if (this.socket instanceof zmq.Request) {
      const run = async (): Promise<Reply> => {
        const deadline = Date.now() + timeoutMs;
        await this.sendWithin([body], timeoutMs, noReply);
        if (opts.msgType === 'cast') return {};
        for (;;) {
          const reply = await this.receive(Math.max(1, deadline - Date.now()));
          if (reply === undefined) throw new Error(noReply);
          if (reply.id === id || reply.id === null) return reply;
        }
      };
      const result = this.reqChain.then(run, run);
      this.reqChain = result.catch(() => undefined);
      return result;
    }
    const deadline = Date.now() + timeoutMs;
    await this.sendWithin([body], timeoutMs, noReply);
    if (opts.msgType === 'cast') return {};
    const reply = await this.inbox.take((r) => r.id === id, Math.max(1, deadline - Date.now()));
    if (reply === undefined) throw new Error(noReply);
    return reply;
  }

  /**
   * Sends are serialised (zeromq.js allows one pending send) and bounded in time: a DEALER or REQ
   * with no connected peer (nothing listening, or a failed CURVE handshake) never completes a send.
   */
  private sendWithin(frames: (Buffer | string)[], timeoutMs: number, what: string): Promise<void> {
    const attempt = this.sendChain.then(() => this.socket.send(frames));
    this.sendChain = attempt.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: the request could not be sent (no connected peer?)`)), timeoutMs);
    });
    return Promise.race([attempt, timeout]).finally(() => clearTimeout(timer));
  }

  /** Sends raw frames (a DEALER message of several frames, a non-JSON body, ...); rejects after 10 s without a peer. */
  send(frames: Buffer | string | (Buffer | string)[]): Promise<void> {
    return this.sendWithin(Array.isArray(frames) ? frames : [frames], 10_000, 'raw send timed out');
  }

  /** The next reply not claimed by call() (JSON-parsed; `{__unparsed}` otherwise), or undefined on timeout. */
  async receive(timeoutMs = 10_000): Promise<Reply | undefined> {
    if (this.socket instanceof zmq.Dealer) return this.inbox.take(() => true, timeoutMs);
    this.socket.receiveTimeout = timeoutMs;
    try {
      const frames = await this.socket.receive();
      return parse(frames[frames.length - 1]);
    } catch (err) {
      if ((err as { code?: string }).code === 'EAGAIN') return undefined;
      throw err;
    }
  }

  close(): void {
    this.socket.close();
    this.inbox.close();
  }
}

export interface EventMessage {
  topic: string;
  payload: Reply;
}

/**
 * Collects [topic, json] messages from a PUB socket. The slow-joiner problem: a SUB's subscription
 * reaches the publisher some time after connect, and anything published before is lost. subscribe()
 * therefore (1) waits for the ZMTP handshake on the socket's event monitor (the subscription is sent
 * right after it), then (2) if a `probe` is given, calls it every 50 ms until a first message arrives
 * (e.g. publish a `probe` topic yourself, or trigger any ringd event), otherwise waits `settleMs`
 * (default 150) for the publisher to process the subscription. Deadline: timeoutMs (default 10000).
 * Probe messages stay in `messages`: filter by topic.
 */
export class EventCollector {
  readonly messages: EventMessage[] = [];
  private readonly inbox = new Inbox<EventMessage>(false); // history lives in `messages`

  private constructor(private readonly socket: zmq.Subscriber) {}

  static async subscribe(
    endpoint: string,
    topics: string[] = [''],
    opts: { curveServerKey?: string; probe?: () => unknown; settleMs?: number; timeoutMs?: number } = {},
  ): Promise<EventCollector> {
    const curve = clientCurve(opts.curveServerKey);
    const socket = new zmq.Subscriber({ linger: 0, receiveHighWaterMark: 0, ...curve });
    const collector = new EventCollector(socket);
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    const handshake = new Promise<boolean>((resolve) => {
      socket.events.on('handshake', () => resolve(true));
      setTimeout(() => resolve(false), timeoutMs).unref();
    });
    for (const t of topics) socket.subscribe(t);
    socket.connect(endpoint);
    void collector.readLoop();
    try {
      if (!(await handshake)) throw new Error(`no ZMTP handshake with ${endpoint} within ${timeoutMs}ms`);
      if (opts.probe) {
        while (collector.messages.length === 0) {
          if (Date.now() > deadline) throw new Error(`no message from ${endpoint} within ${timeoutMs}ms of probing`);
          await opts.probe();
          await new Promise((r) => setTimeout(r, 50));
        }
      } else {
        await new Promise((r) => setTimeout(r, opts.settleMs ?? 150));
      }
    } catch (err) {
      collector.close();
      throw err;
    }
    return collector;
  }

  private async readLoop(): Promise<void> {
    try {
      for await (const [topic, payload] of this.socket) {
        const msg = { topic: topic.toString('utf8'), payload: parse(payload) };
        this.messages.push(msg);
        this.inbox.put(msg);
      }
    } catch {
      // closed under a pending receive
    }
    this.inbox.close();
  }

  /** The first message (already received or future) satisfying pred; rejects after timeoutMs (default 10000). */
  async waitFor(pred: (m: EventMessage) => boolean, what: string, timeoutMs = 10_000): Promise<EventMessage> {
    const seen = this.messages.find(pred);
    if (seen) return seen;
    const msg = await this.inbox.take(pred, timeoutMs);
    if (msg === undefined) {
      const topics = this.messages.slice(-10).map((m) => m.topic).join(', ');
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what} (last topics: ${topics || 'none'})`);
    }
    return msg;
  }

  close(): void {
    this.socket.close();
    this.inbox.close();
  }
}
