// Starts private, throwaway nats-server processes (single or clustered, optional JetStream) on free loopback ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { tmpDir } from './tmp.ts';
import { waitFor } from './wait.ts';

export const NATS_SERVER_BIN = existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';

export interface NatsOptions {
  /** Enables JetStream with its store under `<dir>/js` (nats-server appends `/jetstream`). */
  jetstream?: boolean;
  /** Raw config text appended to every generated config file (accounts, authorization, ...). */
  extraConfig?: string;
  /** server_name for startNats, cluster name for startNatsCluster (nodes are `<name>-n1`...); default random. */
  name?: string;
  /** Deadline for readiness; default 30000 (45000 for a cluster to form). */
  timeoutMs?: number;
}

export interface TestNats {
  readonly name: string;
  /** nats://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** HTTP monitoring port (/healthz, /routez, /jsz, /varz ...). */
  readonly monitorPort: number;
  /** Route listen port; undefined outside a cluster. */
  readonly clusterPort: number | undefined;
  readonly configFile: string;
  /** Private temp dir holding the config and the JetStream store; removed at process exit. */
  readonly dir: string;
  /** pid of the running server, 0 when it is not running. */
  readonly pid: number;
  /** Last 64 KB of the server's stdout+stderr (across restarts). */
  log(): string;
  /** GET http://127.0.0.1:<monitorPort><path> as JSON; rejects on a non-2xx status. */
  monitor<T = Record<string, unknown>>(path: string): Promise<T>;
  /** SIGTERM (SIGKILL after 10 s) and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  /** Stops the server if running, then starts it again with the same config, ports and store; waits for /healthz. */
  restart(): Promise<void>;
}

export interface TestNatsCluster {
  readonly name: string;
  readonly urls: string[];
  readonly nodes: TestNats[];
  /** Waits until every running node has routes to all other running nodes and, with JetStream, all agree on a running meta leader. */
  ready(timeoutMs?: number): Promise<void>;
  /** Stops every node (SIGTERM, as TestNats.stop). */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Thrown when the server process died before becoming ready; `portClash` marks a lost race for a free port. */
class ExitedEarly extends Error {
  constructor(message: string, readonly portClash: boolean) {
    super(message);
  }
}

const randomName = (): string => `rm${Math.random().toString(36).slice(2, 8)}`;

function tail(log: string, lines = 30): string {
  return log.trimEnd().split('\n').slice(-lines).join('\n');
}

function getJson<T>(port: number, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        if (code < 200 || code > 299) return reject(new Error(`GET ${path}: HTTP ${code} ${body.trim()}`));
        try {
          resolve(JSON.parse(body) as T);
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within 3 s`)));
    req.on('error', reject);
  });
}

/** Returns k distinct ports that were free a moment ago. */
async function freePorts(k: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < k) ports.add(await freePort());
  return [...ports];
}

interface Layout {
  name: string;
  port: number;
  monitorPort: number;
  cluster?: { name: string; port: number; peers: number[] };
}

function renderConfig(l: Layout, dir: string, opts: NatsOptions): string {
  const lines = [
    `server_name: "${l.name}"`,
    `listen: "127.0.0.1:${l.port}"`,
    `http: "127.0.0.1:${l.monitorPort}"`,
  ];
  if (opts.jetstream) lines.push(`jetstream { store_dir: "${join(dir, 'js')}", max_memory_store: 64MB, max_file_store: 512MB }`);
  if (l.cluster) {
    const routes = l.cluster.peers.map((p) => `"nats-route://127.0.0.1:${p}"`).join(', ');
    lines.push(`cluster { name: "${l.cluster.name}", listen: "127.0.0.1:${l.cluster.port}", routes: [ ${routes} ] }`);
  }
  if (opts.extraConfig) lines.push(opts.extraConfig);
  return `${lines.join('\n')}\n`;
}

class NatsServer implements TestNats {
  readonly name: string;
  readonly port: number;
  readonly monitorPort: number;
  readonly clusterPort: number | undefined;
  readonly dir: string;
  readonly configFile: string;
  #child: ChildProcess | undefined;
  #gone = true;
  #exited: Promise<void> = Promise.resolve();
  #log = '';
  readonly #readyPath: string;
  readonly #timeoutMs: number;

  constructor(layout: Layout, opts: NatsOptions) {
    this.name = layout.name;
    this.port = layout.port;
    this.monitorPort = layout.monitorPort;
    this.clusterPort = layout.cluster?.port;
    this.dir = tmpDir(`ringmaster-nats-${layout.name}`);
    this.configFile = join(this.dir, 'nats.conf');
    writeFileSync(this.configFile, renderConfig(layout, this.dir, opts));
    // A clustered JetStream node answers plain /healthz only once it reaches a meta leader, which needs a quorum.
    this.#readyPath = layout.cluster && opts.jetstream ? '/healthz?js-enabled-only=true' : '/healthz';
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.#gone ? 0 : (this.#child?.pid ?? 0);
  }

  log(): string {
    return this.#log;
  }

  monitor<T = Record<string, unknown>>(path: string): Promise<T> {
    return getJson<T>(this.monitorPort, path);
  }

  #append(d: Buffer | string): void {
    this.#log += d.toString();
    if (this.#log.length > 65_536) this.#log = this.#log.slice(-65_536);
  }

  /** Spawns the server and waits for its readiness path to answer 2xx. */
  async launch(): Promise<void> {
    const child = spawn(NATS_SERVER_BIN, ['-c', this.configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.#gone = false;
    running.add(child);
    child.stdout.on('data', (d: Buffer) => this.#append(d));
    child.stderr.on('data', (d: Buffer) => this.#append(d));
    this.#exited = new Promise<void>((resolve) => {
      const gone = (): void => {
        this.#gone = true;
        running.delete(child);
        resolve();
      };
      child.once('exit', gone);
      child.once('error', (err) => {
        this.#append(`${NATS_SERVER_BIN}: ${err.message}\n`);
        if (child.pid === undefined) gone();
      });
    });
    const state = await waitFor(
      async () => (this.#gone ? 'exited' : (await this.monitor(this.#readyPath)) && 'ready'),
      { what: `nats-server ${this.name} (port ${this.port}) to answer ${this.#readyPath}`, timeoutMs: this.#timeoutMs, intervalMs: 50 },
    ).catch(async (err: Error) => {
      await this.kill();
      throw new Error(`${err.message}; log tail:\n${tail(this.#log)}`);
    });
    if (state === 'exited') {
      await this.#exited;
      const clash = /address already in use/i.test(this.#log);
      throw new ExitedEarly(`nats-server ${this.name} exited (${child.exitCode ?? child.signalCode ?? 'spawn failed'}); log tail:\n${tail(this.#log)}`, clash);
    }
  }

  async stop(): Promise<void> {
    if (this.#gone) return this.#exited;
    this.#child?.kill('SIGTERM');
    const timer = setTimeout(() => this.#child?.kill('SIGKILL'), 10_000);
    await this.#exited;
    clearTimeout(timer);
  }

  async kill(): Promise<void> {
    if (!this.#gone) this.#child?.kill('SIGKILL');
    await this.#exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    this.#append('---- restart ----\n');
    await this.launch();
  }
}

/** Retries start() up to 3 times while it fails because a picked port was taken in the meantime. */
async function withPortRetries<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (!(err instanceof ExitedEarly && err.portClash && attempt < 3)) throw err;
    }
  }
}

/** Starts one nats-server on 127.0.0.1 (free client and monitor ports) and waits for /healthz. */
export function startNats(opts: NatsOptions = {}): Promise<TestNats> {
  return withPortRetries(async () => {
    const [port, monitorPort] = await freePorts(2);
    const server = new NatsServer({ name: opts.name ?? randomName(), port, monitorPort }, opts);
    await server.launch();
    return server;
  });
}

/** Starts n routed nodes (all in parallel) and resolves once the cluster has fully formed (see TestNatsCluster.ready). */
export function startNatsCluster(n = 3, opts: NatsOptions = {}): Promise<TestNatsCluster> {
  const name = opts.name ?? randomName();
  const formTimeout = opts.timeoutMs ?? 45_000;
  return withPortRetries(async () => {
    const ports = await freePorts(3 * n);
    const routePorts = ports.slice(2 * n);
    const nodes = Array.from({ length: n }, (_, i) => {
      const cluster = { name, port: routePorts[i], peers: routePorts.filter((_, j) => j !== i) };
      return new NatsServer({ name: `${name}-n${i + 1}`, port: ports[2 * i], monitorPort: ports[2 * i + 1], cluster }, opts);
    });
    const each = (act: 'stop' | 'kill'): Promise<void> => Promise.all(nodes.map((node) => node[act]())).then(() => undefined);
    const ready = (timeoutMs = formTimeout): Promise<void> => clusterReady(nodes, opts.jetstream ?? false, timeoutMs);
    const launched = await Promise.allSettled(nodes.map((node) => node.launch()));
    const failed = launched.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await each('kill');
      throw failed.reason;
    }
    await ready().catch(async (err: Error) => {
      await each('kill');
      throw err;
    });
    return { name, urls: nodes.map((node) => node.url), nodes, ready, stop: () => each('stop') };
  });
}

async function clusterReady(nodes: TestNats[], jetstream: boolean, timeoutMs: number): Promise<void> {
  const live = nodes.filter((node) => node.pid > 0);
  let state = 'not polled yet';
  await waitFor(
    async () => {
      const routes = await Promise.all(live.map((node) => node.monitor<{ num_routes: number }>('/routez')));
      state = `num_routes ${routes.map((r) => r.num_routes).join('/')}, want ${live.length - 1} each`;
      if (routes.some((r) => r.num_routes !== live.length - 1)) return false;
      if (!jetstream) return true;
      const jsz = await Promise.all(live.map((node) => node.monitor<{ meta_cluster?: { leader?: string } }>('/jsz')));
      const leaders = jsz.map((j) => j.meta_cluster?.leader ?? '');
      state = `meta leaders ${leaders.map((l) => l || '-').join('/')}`;
      // Survivors keep naming a SIGKILLed leader for several seconds, so the leader must be live and agreed on by all.
      if (!leaders[0] || leaders.some((l) => l !== leaders[0]) || !live.some((node) => node.name === leaders[0])) return false;
      await Promise.all(live.map((node) => node.monitor('/healthz')));
      return true;
    },
    { what: `nats cluster of ${live.length} to form`, timeoutMs, intervalMs: 100 },
  ).catch((err: Error) => {
    const logs = nodes.map((node) => `--- ${node.name}:\n${tail(node.log(), 15)}`).join('\n');
    throw new Error(`${err.message}; ${state}\n${logs}`);
  });
}
