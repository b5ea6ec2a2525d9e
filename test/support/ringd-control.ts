// A real ringd process with its control plane: config written to a temp dir, endpoints parsed from the log, a control client.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentSection, startRingd, type Ringd } from './ringd.ts';
import { ControlClient, EventCollector, type Reply } from './zmq.ts';
import { pidAlive } from './proc.ts';
import { tmpDir } from './tmp.ts';
import * as zmq from 'zeromq';
import { waitFor } from './wait.ts';

export interface Endpoints {
  control: string;
  events: string;
  stats: string;
}

export interface RingdControl {
  ringd: Ringd;
  /** ringd's own pid. */
  pid: number;
  /** A DEALER client on the control endpoint (closed by stop()). */
  control: ControlClient;
  endpoints: Endpoints;
  dir: string;
  configPath: string;
  /** A further control client (DEALER by default), closed by stop(). */
  client(opts?: { type?: 'dealer' | 'req'; curveServerKey?: string }): ControlClient;
  /** A bare DEALER keeping raw reply text (closed by stop()). */
  raw(opts?: { curveServerKey?: string }): RawDealer;
  /** An event subscriber (closed by stop()); see EventCollector.subscribe. */
  events(topics?: string[], opts?: Parameters<typeof EventCollector.subscribe>[2]): Promise<EventCollector>;
  /** A subscriber on the stats endpoint (default topic `stat.`), closed by stop(). */
  stats(topics?: string[], opts?: Parameters<typeof EventCollector.subscribe>[2]): Promise<EventCollector>;
  /** Calls `command` and asserts status ≠ "error" (throws with the reply otherwise). */
  ok(command: string, properties?: Record<string, unknown>, timeoutMs?: number): Promise<Reply>;
  /** `list NAME` → pids. */
  pids(name: string): Promise<number[]>;
  /** Closes every client, SIGTERMs ringd (SIGKILL after killAfterMs, default 20 s) and waits for its exit. */
  stop(killAfterMs?: number): Promise<number | null>;
}

/** The endpoints from ringd's log line `control tcp://…, events tcp://…, stats tcp://…`, or undefined. */
export function parseEndpoints(output: string): Endpoints | undefined {
  const m = output.match(/control (\S+), events (\S+), stats (\S+?)(?: \(CURVE\))?$/m);
  return m ? { control: m[1].replace(/,$/, ''), events: m[2].replace(/,$/, ''), stats: m[3] } : undefined;
}

const all = new Set<RingdControl>();

/** Stops every ringd started by startRingdControl that is still running (for after hooks). */
export async function stopAllRingd(): Promise<void> {
  await Promise.all([...all].map((r) => r.stop()));
}

export interface StartOptions {
  /** Extra [agent] lines (after the test keys: endpoints on port 0, private state_dir). */
  agent?: string;
  /** Temp dir name prefix. */
  prefix?: string;
  /** Added to ringd's environment. */
  env?: Record<string, string>;
  /** CURVE: the server's public key, used by the clients created here. */
  curveServerKey?: string;
  /** Wait for "ringd ready" (default true). */
  ready?: boolean;
}

/**
 * Writes `[agent]` + `watchersToml` to <tmp>/ringd.toml, starts ringd, parses its endpoints from the
 * log and waits for "ringd ready"; returns the process, the endpoints and a DEALER control client.
 */
export async function startRingdControl(watchersToml: string, opts: StartOptions = {}): Promise<RingdControl> {
  const dir = tmpDir(opts.prefix ?? 'ringd-control');
  const configPath = join(dir, 'ringd.toml');
  writeFileSync(configPath, `${agentSection(dir)}\n${opts.agent ?? ''}\n\n${watchersToml}\n`);
  const ringd = startRingd(configPath, { env: opts.env });
  const clients: { close(): void }[] = [];
  let stopped: Promise<number | null> | null = null;
  const stop = (killAfterMs = 20_000): Promise<number | null> => {
    stopped ??= (async () => {
      for (const c of clients) c.close();
      const code = await ringd.stop('SIGTERM', killAfterMs);
      all.delete(handle);
      return code;
    })();
    return stopped;
  };
  // Registered before any await, so an after hook stops it even if startup fails.
  const handle = { stop } as RingdControl;
  all.add(handle);
  let endpoints: Endpoints;
  try {
    await ringd.waitForOutput(/control \S+, events \S+, stats \S+/, 30_000);
    endpoints = parseEndpoints(ringd.output())!;
    if (opts.ready ?? true) await ringd.waitForOutput(/ringd ready/, 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const client = (o: { type?: 'dealer' | 'req'; curveServerKey?: string } = {}): ControlClient => {
    const c = new ControlClient(endpoints.control, { curveServerKey: opts.curveServerKey, ...o });
    clients.push(c);
    return c;
  };
  const control = client();
  const ok = async (command: string, properties: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<Reply> => {
    const r = await control.call(command, properties, { timeoutMs });
    if (r.status === 'error' || r.status === undefined) throw new Error(`${command} ${JSON.stringify(properties)} failed: ${JSON.stringify(r)}`);
    return r;
  };
  Object.assign(handle, {
    ringd,
    pid: ringd.child.pid!,
    control,
    endpoints,
    dir,
    configPath,
    client,
    ok,
    raw(o: { curveServerKey?: string } = {}) {
      const d = new RawDealer(endpoints.control, { curveServerKey: opts.curveServerKey, ...o });
      clients.push(d);
      return d;
    },
    async events(topics: string[] = [''], o: Parameters<typeof EventCollector.subscribe>[2] = {}) {
      const c = await EventCollector.subscribe(endpoints.events, topics, { curveServerKey: opts.curveServerKey, timeoutMs: 30_000, ...o });
      clients.push(c);
      return c;
    },
    async stats(topics: string[] = ['stat.'], o: Parameters<typeof EventCollector.subscribe>[2] = {}) {
      const c = await EventCollector.subscribe(endpoints.stats, topics, { curveServerKey: opts.curveServerKey, timeoutMs: 30_000, ...o });
      clients.push(c);
      return c;
    },
    async pids(name: string) {
      return (await ok('list', { name })).pids as number[];
    },
  } satisfies Omit<RingdControl, 'stop'>);
  return handle;
}

/** Waits until `list NAME` shows exactly n live pids (none of them in `not`), and returns them. */
export async function waitPids(r: RingdControl, name: string, n: number, not: number[] = [], timeoutMs = 30_000): Promise<number[]> {
  return waitFor(async () => {
    const pids = await r.pids(name);
    return pids.length === n && pids.every((p) => pidAlive(p) && !not.includes(p)) && pids;
  }, { what: `${n} live pids of ${name}${not.length ? ` other than ${not.join(',')}` : ''}`, timeoutMs, intervalMs: 50 });
}

/**
 * A bare DEALER on a control endpoint that keeps replies as raw text (the last frame of each
 * message), in arrival order: for byte-level checks and for junk no ControlClient would send.
 */
export class RawDealer {
  readonly socket: zmq.Dealer;
  /** Every message received so far, oldest first (frames as received). */
  readonly received: Buffer[][] = [];
  private taken = 0;
  private wake: (() => void) | null = null;
  private sendChain: Promise<unknown> = Promise.resolve();

  constructor(endpoint: string, opts: { curveServerKey?: string } = {}) {
    const curve = opts.curveServerKey
      ? (() => { const k = zmq.curveKeyPair(); return { curveServerKey: opts.curveServerKey, curvePublicKey: k.publicKey, curveSecretKey: k.secretKey }; })()
      : {};
    const socket = new zmq.Dealer({ linger: 0, routingId: randomBytes(16).toString('hex'), sendHighWaterMark: 0, ...curve });
    this.socket = socket;
    socket.connect(endpoint);
    void (async () => {
      try {
        for await (const frames of socket) {
          this.received.push(frames);
          this.wake?.();
        }
      } catch {
        // closed
      }
      this.wake?.();
    })();
  }

  /** Sends one message (a string/Buffer is one frame); rejects after 10 s without a peer. */
  send(frames: Buffer | string | (Buffer | string)[]): Promise<void> {
    const attempt = this.sendChain.then(() => this.socket.send(Array.isArray(frames) ? frames : [frames]));
    this.sendChain = attempt.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('raw send: no connected peer within 10 s')), 10_000);
    });
    return Promise.race([attempt, timeout]).finally(() => clearTimeout(timer));
  }

  /** The next message not yet taken (its last frame as UTF-8 text), or undefined after timeoutMs. */
  async next(timeoutMs = 10_000): Promise<string | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.taken >= this.received.length) {
      const left = deadline - Date.now();
      if (left <= 0 || this.socket.closed) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => { clearTimeout(timer); this.wake = null; resolve(); };
      });
    }
    const frames = this.received[this.taken++];
    return frames[frames.length - 1].toString('utf8');
  }

  /** Sends `body` and returns the raw text of the next reply (throws when none comes within timeoutMs). */
  async request(body: Buffer | string, timeoutMs = 20_000): Promise<string> {
    await this.send(body);
    const text = await this.next(timeoutMs);
    if (text === undefined) throw new Error(`no reply within ${timeoutMs}ms to ${String(body).slice(0, 200)}`);
    return text;
  }

  close(): void {
    this.socket.close();
    this.wake?.();
  }
}
