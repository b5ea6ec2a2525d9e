// A bounded HTTP load generator for tests (node:http only): N sequential request loops against a TCP or unix target,
// counting failures by cause and which process served each response. Always stops by itself and closes its sockets.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export type LoadTarget = { host: string; port: number } | { path: string /* unix socket */ };

export interface LoadOptions {
  /** Parallel request loops; each sends its next request only after the previous one finished. */
  concurrency: number;
  /** true: each loop reuses one keep-alive connection; false: a new connection per request (Connection: close). */
  keepAlive: boolean;
  /** Stop condition, polled before each request (default: never). */
  until?: () => boolean;
  /** No request starts after this; runLoad resolves at most maxDurationMs + requestTimeoutMs after its start. */
  maxDurationMs: number;
  /** Stop after this many requests in all (default: no limit). */
  maxRequests?: number;
  /** A request not answered in full within this counts as failed with "timeout" (default 10000). */
  requestTimeoutMs?: number;
  /** Request path (default "/"). */
  path?: string;
}

export interface LoadResult {
  requests: number;
  ok: number;
  failed: number;
  /** Failures by cause: an error code (ECONNREFUSED, ECONNRESET, EPIPE, …), "status 503", "timeout". */
  errors: Record<string, number>;
  /** Slowest request, failed ones included. */
  maxLatencyMs: number;
  /** Requests (ok and failed) per second of run time. */
  rps: number;
  /** First whitespace-separated token of each 200 body (the workers' pid) → count. */
  servedBy: Record<string, number>;
  durationMs: number;
}

export interface RunningLoad {
  /** A snapshot of the counts so far (e.g. to wait until every worker has served). */
  stats(): LoadResult;
  /** Asks the loops to stop after their current request; resolves with the final result. */
  stop(): Promise<LoadResult>;
  /** Resolves when the load ends on its own (maxDurationMs, maxRequests, until) or after stop(). */
  done: Promise<LoadResult>;
}

interface Outcome {
  ok: boolean;
  cause?: string;
  servedBy?: string;
}

class Counters {
  requests = 0;
  ok = 0;
  failed = 0;
  errors: Record<string, number> = {};
  servedBy: Record<string, number> = {};
  maxLatencyMs = 0;
  readonly startedAt = performance.now();
  endedAt: number | undefined;

  record(o: Outcome, latencyMs: number): void {
    this.requests++;
    this.maxLatencyMs = Math.max(this.maxLatencyMs, latencyMs);
    if (o.ok) {
      this.ok++;
      const who = o.servedBy ?? '';
      this.servedBy[who] = (this.servedBy[who] ?? 0) + 1;
    } else {
      this.failed++;
      const cause = o.cause ?? 'unknown';
      this.errors[cause] = (this.errors[cause] ?? 0) + 1;
    }
  }

  snapshot(): LoadResult {
    const durationMs = (this.endedAt ?? performance.now()) - this.startedAt;
    return {
      requests: this.requests,
      ok: this.ok,
      failed: this.failed,
      errors: { ...this.errors },
      maxLatencyMs: Math.round(this.maxLatencyMs * 10) / 10,
      rps: durationMs > 0 ? Math.round((this.requests * 1000) / durationMs) : 0,
      servedBy: { ...this.servedBy },
      durationMs: Math.round(durationMs),
    };
  }
}

function causeOf(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return typeof code === 'string' && code !== '' ? code : err.message;
  }
  return String(err);
}

/** One GET; never rejects. */
function request(target: LoadTarget, agent: http.Agent | false, keepAlive: boolean, path: string, timeoutMs: number): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    const finish = (o: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const where = 'path' in target ? { socketPath: target.path } : { host: target.host, port: target.port };
    const req = http.request({
      ...where,
      method: 'GET',
      path,
      agent,
      headers: keepAlive ? { Connection: 'keep-alive' } : { Connection: 'close' },
    });
    const timer = setTimeout(() => {
      finish({ ok: false, cause: 'timeout' });
      req.destroy(); // also frees the agent's socket
    }, timeoutMs);
    req.on('error', (err) => finish({ ok: false, cause: causeOf(err) }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('error', (err) => finish({ ok: false, cause: causeOf(err) }));
      res.on('aborted', () => finish({ ok: false, cause: 'ECONNRESET' }));
      res.on('end', () => {
        if (res.statusCode !== 200) {
          finish({ ok: false, cause: `status ${res.statusCode ?? '?'}` });
          return;
        }
        const first = Buffer.concat(chunks).toString('utf8').trim().split(/\s+/)[0] ?? '';
        finish({ ok: true, servedBy: first });
      });
    });
    req.end();
  });
}

/** Starts the load and returns at once; see runLoad for the semantics. */
export function startLoad(target: LoadTarget, opts: LoadOptions): RunningLoad {
  if (!(opts.concurrency >= 1)) throw new RangeError(`concurrency must be >= 1, got ${opts.concurrency}`);
  if (!(opts.maxDurationMs > 0)) throw new RangeError(`maxDurationMs must be > 0, got ${opts.maxDurationMs}`);
  const timeoutMs = opts.requestTimeoutMs ?? 10_000;
  const path = opts.path ?? '/';
  const c = new Counters();
  const deadline = c.startedAt + opts.maxDurationMs;
  let stopRequested = false;
  let started = 0;
  const shouldStop = (): boolean =>
    stopRequested ||
    performance.now() >= deadline ||
    (opts.maxRequests !== undefined && started >= opts.maxRequests) ||
    (opts.until?.() ?? false);

  const agents: http.Agent[] = [];
  const loop = async (): Promise<void> => {
    // one agent per loop, one socket in it: keep-alive reuse is per loop, as a real client's connection would be
    const agent = opts.keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 }) : false;
    if (agent) agents.push(agent);
    while (!shouldStop()) {
      started++;
      const t0 = performance.now();
      const outcome = await request(target, agent, opts.keepAlive, path, timeoutMs);
      c.record(outcome, performance.now() - t0);
    }
  };
  const done = Promise.all(Array.from({ length: opts.concurrency }, loop)).then(() => {
    c.endedAt = performance.now();
    for (const a of agents) a.destroy(); // closes the kept-alive sockets
    return c.snapshot();
  });
  return {
    stats: () => c.snapshot(),
    stop: () => {
      stopRequested = true;
      return done;
    },
    done,
  };
}

/** Runs the load until maxDurationMs, maxRequests or until() (whichever first) and resolves with the counts. */
export function runLoad(target: LoadTarget, opts: LoadOptions): Promise<LoadResult> {
  return startLoad(target, opts).done;
}

/** "requests 1200 ok 1200 failed 0 (…) rps 850 max 42.1ms served {…}": for assertion messages. */
export function describeLoad(r: LoadResult): string {
  return `requests ${r.requests} ok ${r.ok} failed ${r.failed} ${JSON.stringify(r.errors)} rps ${r.rps} ` +
    `max ${r.maxLatencyMs}ms served ${JSON.stringify(r.servedBy)}`;
}
