/**
 * One ringd over its ZeroMQ control endpoint, as circusctl talks to circusd: a DEALER sends
 * {id, command, properties} and waits for the reply with that id. A refused TCP connection or a
 * missing ipc socket is reported at once as unreachable, instead of waiting for the timeout.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import net from 'node:net';
import * as zmq from 'zeromq';
import { CtlError } from '../errors.ts';

zmq.context.blocky = false; // never hang at exit on a request nobody took

export interface LocalOptions {
  timeoutMs: number;
  /** Server public key (Z85): talk CURVE with a throwaway client key pair. */
  curveServerKey?: string;
}

const START_HINT = 'is ringd running? (start it with: ringd --config FILE)';

/** Rejects with an unreachable CtlError when nothing listens at the endpoint. */
async function probe(endpoint: string, timeoutMs: number): Promise<void> {
  const ipc = /^ipc:\/\/(.+)$/.exec(endpoint);
  if (ipc) {
    if (!existsSync(ipc[1])) throw new CtlError('unreachable', `no control socket at ${ipc[1]}: ${START_HINT}`);
    return;
  }
  const tcp = /^tcp:\/\/(\[[^\]]+\]|[^:]+):(\d+)$/.exec(endpoint);
  if (!tcp) throw new CtlError('usage', `--endpoint: expected tcp://HOST:PORT or ipc:///PATH, got ${endpoint}`);
  await new Promise<void>((resolve, reject) => {
    const s = net.connect({ host: tcp[1].replace(/^\[|\]$/g, ''), port: Number(tcp[2]), timeout: timeoutMs });
    const done = (err?: Error) => {
      s.destroy();
      if (err) reject(err);
      else resolve();
    };
    s.once('connect', () => done());
    s.once('timeout', () => done(new CtlError('timeout', `no answer from ${endpoint} within ${timeoutMs / 1000}s`)));
    s.once('error', (err: NodeJS.ErrnoException) =>
      done(new CtlError('unreachable', `cannot connect to ${endpoint} (${err.code === 'ECONNREFUSED' ? 'connection refused' : err.message}): ${START_HINT}`)));
  });
}

/** A CURVE public key as `ringctl keygen` writes it in BASE.pub: 40 characters of Z85. */
const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;

const pairOf = (k: { publicKey: string; secretKey: string }) => ({ curvePublicKey: k.publicKey, curveSecretKey: k.secretKey });

export class LocalTarget {
  private readonly socket: zmq.Dealer;
  private probed = false;

  constructor(readonly endpoint: string, private readonly opts: LocalOptions) {
    const key = opts.curveServerKey;
    if (key !== undefined && !Z85_KEY.test(key)) {
      throw new CtlError('usage', `--curve-server-key: expected ringd's public key (the 40 Z85 characters of its .pub file), got ${JSON.stringify(key.slice(0, 60))}`);
    }
    this.socket = new zmq.Dealer({ linger: 0, routingId: randomBytes(16).toString('hex') });
    try {
      // A socket whose options failed must still be closed: zeromq crashes the process at exit over an unclosed one.
      if (key) Object.assign(this.socket, { curveServerKey: key, ...pairOf(zmq.curveKeyPair()) });
      this.socket.connect(endpoint);
    } catch (err) {
      this.socket.close();
      throw new CtlError('usage', `cannot use ${endpoint}: ${(err as Error).message}`);
    }
  }

  /** Sends one command; resolves with ringd's reply (status ok or error), rejects with a CtlError when there is none. */
  async call(command: string, properties: Record<string, unknown>, timeoutMs = this.opts.timeoutMs): Promise<Record<string, unknown>> {
    if (!this.probed) {
      await probe(this.endpoint, this.opts.timeoutMs);
      this.probed = true;
    }
    const id = randomBytes(16).toString('hex');
    await this.socket.send(JSON.stringify({ id, command, properties }));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new CtlError('timeout', `no reply to ${command} from ${this.endpoint} within ${timeoutMs / 1000}s`);
      this.socket.receiveTimeout = left;
      let frames: Buffer[];
      try {
        frames = await this.socket.receive();
      } catch {
        throw new CtlError('timeout', `no reply to ${command} from ${this.endpoint} within ${timeoutMs / 1000}s`);
      }
      const reply = JSON.parse(frames[frames.length - 1].toString('utf8')) as Record<string, unknown>;
      if (reply.id === id) return reply;
    }
  }

  close(): void {
    this.socket.close();
  }
}
