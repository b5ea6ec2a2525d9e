// ringd's control socket: a ZeroMQ ROUTER speaking Circus framing (DEALER and REQ peers), handlers run concurrently.
import * as zmq from 'zeromq';
import { isZ85Key } from './curve.ts';
import { ipcPath, prepareIpcPath, removeIpcSocket, secureIpcSocket, type IpcSocketFile } from './ipc.ts';
import { SendQueue } from './sendqueue.ts';

zmq.context.blocky = false; // new sockets get linger 0: the process never waits for undeliverable messages at exit

export interface TransportLog {
  warning(msg: string): void;
  error(msg: string): void;
  debug(msg: string): void;
}

export interface ControlServerOptions {
  /** "tcp://127.0.0.1:5555", "tcp://127.0.0.1:0" (free port, see ControlServer.endpoint) or "ipc:///path/ctl.sock". */
  endpoint: string;
  /** Bodies larger than this get an error reply without being parsed. */
  maxRequestBytes: number;
  /** Z85 (40 chars): enables CURVE server mode; peers need the matching public key. */
  curveSecretKey?: string;
  /** The dispatcher: the reply JSON text, or null for no reply (a cast). */
  handle(body: Buffer): Promise<string | null>;
  log?: TransportLog;
  /** Requests being handled at once before new ones are refused with errno 5 (default 4096). */
  maxInFlight?: number;
}

const EMPTY = Buffer.alloc(0);
const MIB = 1024 * 1024;
const MAX_HOPS = 8; // longest routing envelope we echo back (REQ = 0 hops, REQ with `correlate` = 1)

import { errorReply } from '../../protocol/replies.ts';

export { errorReply };

/** The request id in a JSON body, or null (only used to address an error reply to the right caller). */
function requestId(body: Buffer): string | null {
  try {
    const msg: unknown = JSON.parse(body.toString('utf8'));
    if (msg && typeof msg === 'object' && 'id' in msg && typeof msg.id === 'string') return msg.id;
  } catch {
    // not JSON: no id
  }
  return null;
}

/**
 * Splits a ROUTER message into the envelope to echo and the body frames. A REQ peer sends
 * `[identity, "", body]` (with `correlate`: `[identity, requestId, "", body]`); a DEALER sends
 * `[identity, body]`. An empty frame counts as the delimiter only when frames follow it, so a
 * DEALER's empty body `[identity, ""]` stays a (bad) request instead of a bodiless envelope.
 */
function splitEnvelope(frames: Buffer[]): { envelope: Buffer[]; body: Buffer[] } {
  for (let i = 1; i < frames.length - 1 && i <= MAX_HOPS + 1; i++) {
    if (frames[i].length === 0) return { envelope: frames.slice(0, i + 1), body: frames.slice(i + 1) };
    if (frames[i].length > 255) break; // not a routing frame: no envelope
  }
  return { envelope: frames.slice(0, 1), body: frames.slice(1) };
}

/**
 * A bound control socket. Replies go out as each handler resolves (through a send queue:
 * zeromq.js refuses a send while another one is pending). Frames larger than the socket's
 * maxMessageSize (max(4 × maxRequestBytes, 16 MiB)) make libzmq disconnect the peer: it gets no
 * reply at all, its DEALER reconnects and the message is lost. That cap is per frame: a peer can
 * still send a message of very many frames, which libzmq assembles in memory before delivery.
 */
export class ControlServer {
  private readonly queue: SendQueue;
  private readonly log: TransportLog;
  private readonly maxInFlight: number;
  private inFlight = 0;
  private closing = false;
  private closed: Promise<void> | null = null;
  private loopDone: Promise<void> = Promise.resolve();
  private ipcFile: IpcSocketFile | null = null;
  private warned = { at: 0, suppressed: 0 };

  private constructor(
    private readonly socket: zmq.Router,
    private readonly opts: ControlServerOptions,
    readonly endpoint: string,
  ) {
    this.log = opts.log ?? { warning() {}, error() {}, debug() {} };
    this.maxInFlight = opts.maxInFlight ?? 4096;
    this.queue = new SendQueue(socket, 0, (err) => this.log.error(`control reply not sent: ${err.message}`));
  }

  /** Binds the ROUTER; rejects with a clear error for a bad key, a non-socket or live ipc path, a taken port. */
  static async bind(opts: ControlServerOptions): Promise<ControlServer> {
    if (!(opts.maxRequestBytes > 0)) throw new Error(`maxRequestBytes must be positive, got ${opts.maxRequestBytes}`);
    if (opts.curveSecretKey !== undefined && !isZ85Key(opts.curveSecretKey)) {
      throw new Error('curveSecretKey must be a 40-character Z85 key');
    }
    const path = ipcPath(opts.endpoint);
    if (path !== null) await prepareIpcPath(path, opts.log);
    const socket = new zmq.Router({
      linger: 0,
      maxMessageSize: Math.max(4 * opts.maxRequestBytes, 16 * MIB),
      ...(opts.curveSecretKey ? { curveServer: true, curveSecretKey: opts.curveSecretKey } : {}),
    });
    const address = opts.endpoint.startsWith('tcp://') ? opts.endpoint.replace(/:0$/, ':*') : opts.endpoint;
    try {
      await socket.bind(address);
    } catch (err) {
      socket.close();
      throw new Error(`cannot bind control socket ${opts.endpoint}: ${(err as Error).message}`);
    }
    const server = new ControlServer(socket, opts, socket.lastEndpoint ?? opts.endpoint);
    if (path !== null) server.ipcFile = secureIpcSocket(path);
    server.loopDone = server.receiveLoop();
    return server;
  }

  /** Requests being handled right now. */
  get pending(): number {
    return this.inFlight;
  }

  /**
   * Closes the socket and removes an ipc socket file. With drainMs > 0, first waits (at most that
   * long) for in-flight requests to be answered and lets queued replies flush; requests arriving
   * meanwhile get an error reply. Idempotent.
   */
  close(opts: { drainMs?: number } = {}): Promise<void> {
    this.closed ??= this.doClose(opts.drainMs ?? 0);
    return this.closed;
  }

  private async doClose(drainMs: number): Promise<void> {
    this.closing = true;
    if (drainMs > 0) {
      const deadline = Date.now() + drainMs;
      while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await this.queue.idle();
      this.socket.linger = Math.max(0, Math.min(1000, deadline - Date.now()));
    }
    this.socket.close();
    if (this.ipcFile) removeIpcSocket(this.ipcFile);
    await this.loopDone;
  }

  private async receiveLoop(): Promise<void> {
    while (!this.socket.closed) {
      try {
        for await (const frames of this.socket) this.onMessage(frames);
      } catch (err) {
        if (this.socket.closed) break;
        this.log.error(`control socket receive failed: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Never awaits: each request's handler runs on its own, so a slow command delays nothing else. */
  private onMessage(frames: Buffer[]): void {
    const { envelope, body } = splitEnvelope(frames);
    const reply = (text: string): void => {
      if (!this.queue.push([...envelope, text])) this.log.debug('control reply dropped: socket closed');
    };
    if (body.length !== 1) {
      this.warn(`unexpected control message of ${frames.length} frames (sizes ${frames.map((f) => f.length).join(', ')})`);
      return reply(errorReply(`expected one frame, got ${body.length}`, 3, null));
    }
    const request = body[0];
    if (request.length > this.opts.maxRequestBytes) {
      this.warn(`control request of ${request.length} bytes refused (limit ${this.opts.maxRequestBytes})`);
      return reply(errorReply(`request of ${request.length} bytes exceeds the limit of ${this.opts.maxRequestBytes} bytes`, 3, null));
    }
    if (this.closing) return reply(errorReply('ringd is shutting down', 5, requestId(request)));
    if (this.inFlight >= this.maxInFlight) {
      this.warn(`control request refused: ${this.inFlight} requests in flight`);
      return reply(errorReply(`server busy: ${this.inFlight} requests in flight`, 5, requestId(request)));
    }
    this.inFlight++;
    Promise.resolve()
      .then(() => this.opts.handle(request))
      .then(
        (text: unknown) => {
          if (text === null) return;
          if (typeof text === 'string') return reply(text);
          reply(errorReply(`internal error: handler returned ${typeof text}, not a string`, 5, requestId(request)));
        },
        (err: unknown) => {
          const message = err instanceof Error ? err.message : String(err);
          this.log.error(`control handler failed: ${err instanceof Error && err.stack ? err.stack : message}`);
          reply(errorReply(`internal error: ${message}`, 5, requestId(request)));
        },
      )
      .finally(() => this.inFlight--);
  }

  /** Protocol warnings, at most one a second (a fuzzer or a broken client must not flood the log). */
  private warn(msg: string): void {
    const now = Date.now();
    if (now - this.warned.at < 1000) {
      this.warned.suppressed++;
      return;
    }
    const extra = this.warned.suppressed > 0 ? ` (${this.warned.suppressed} similar warnings suppressed)` : '';
    this.warned = { at: now, suppressed: 0 };
    this.log.warning(msg + extra);
  }
}
