/**
 * Zero-downtime reload under load, at the socket layer (no ringd): one TCP socket bound with bindSocket, 2 http-workers
 * sharing it at fd 3; while 20 concurrent clients run (keep-alive, then Connection: close), the workers are replaced one
 * at a time N times (spawn the new one with the fd, wait for its RING_READY_FD "\n", SIGTERM the old, wait for its
 * exit). Each mode also gets a baseline run of the same length with NO replacements. Prints a markdown table.
 * With wrk on PATH the same scenario also runs under wrk (rows added); otherwise a note says "wrk not installed".
 * Usage: node --import tsx bench/reload-under-load.ts [replacements=10] [concurrency=20]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { bindSocket } from '../agent/sockets/bind.ts';
import { fdLayout } from '../agent/sockets/passing.ts';
import { runLoad, startLoad, type LoadResult } from '../test/support/load.ts';

const replacements = Number(process.argv[2] ?? 10);
const concurrency = Number(process.argv[3] ?? 20);
const WORKER = fileURLToPath(new URL('../test/fixtures/http-worker.mjs', import.meta.url));

const sock = bindSocket({
  name: 'bench', family: 'inet', type: 'stream', host: '127.0.0.1', port: 0, backlog: 511,
  replace: false, blocking: false, so_reuseport: false, close_when_unused: false,
});
const target = { host: '127.0.0.1', port: sock.port ?? 0 };
const live = new Set<ChildProcess>();

function cleanup(): void {
  for (const c of live) {
    try {
      if (c.pid) process.kill(-c.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  sock.close();
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Spawns an http-worker (own process group) with the socket at fd 3 and its readiness pipe at fd 4; resolves when ready. */
async function startWorker(wid: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER, '--fd', '3'], {
    stdio: ['ignore', 'ignore', 'inherit', ...fdLayout([sock]).stdioExtra, 'pipe'],
    detached: true,
    env: { ...process.env, RING_WID: String(wid), RING_READY_FD: '4' },
  });
  live.add(child);
  const pipe = child.stdio[4] as Readable;
  const ready = new Promise<void>((resolve, reject) => {
    pipe.on('data', (b: Buffer) => (b.includes(10) ? resolve() : undefined));
    child.once('exit', (code) => reject(new Error(`worker ${child.pid} exited (${code}) before it was ready`)));
  });
  await withDeadline(ready, 30_000, `worker ${child.pid} to be ready`);
  pipe.destroy();
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await withDeadline(exited, 30_000, `worker ${child.pid} to exit`);
  live.delete(child);
}

const pool: ChildProcess[] = [];
let nextWid = 0;
const replaceTimes: number[] = [];

/** Replaces the pool's workers one at a time, n times in all (alternating slots). */
async function rollingReplace(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const fresh = await startWorker(nextWid++);
    const old = pool[i % pool.length];
    if (old) await stopWorker(old);
    pool[i % pool.length] = fresh;
    replaceTimes.push(performance.now() - t0);
  }
}

interface Row {
  tool: string;
  mode: string;
  reloads: number;
  requests: number;
  rps: number;
  failed: string;
  maxMs: number;
}

const failedText = (n: number, errors: Record<string, number>): string =>
  n === 0 ? '0' : `**${n}** ${Object.entries(errors).map(([k, v]) => `${k}:${v}`).join(' ')}`;
const nodeRow = (mode: string, reloads: number, r: LoadResult): Row => ({
  tool: `node client (${Object.keys(r.servedBy).length} pids served)`, mode, reloads, requests: r.requests, rps: r.rps,
  failed: failedText(r.failed, r.errors), maxMs: r.maxLatencyMs,
});

/** Runs the node-client reload scenario for a mode; returns its row and how long it ran. */
async function nodeReloadRun(keepAlive: boolean): Promise<{ row: Row; ms: number }> {
  const load = startLoad(target, { concurrency, keepAlive, maxDurationMs: 600_000 });
  await rollingReplace(replacements);
  await new Promise((r) => setTimeout(r, 300)); // let the last replacement serve under load too
  const r = await load.stop();
  return { row: nodeRow(keepAlive ? 'keep-alive' : 'Connection: close', replacements, r), ms: r.durationMs };
}

const wrkPath = spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).stdout.trim();

/** wrk for durationS seconds (optionally while replacing); parses its summary into a row. */
async function wrkRun(keepAlive: boolean, durationS: number, reloads: number): Promise<Row> {
  const args = ['-t1', `-c${concurrency}`, `-d${durationS}s`, ...(keepAlive ? [] : ['-H', 'Connection: close'])];
  const wrk = spawn(wrkPath, [...args, `http://${target.host}:${target.port}/`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  wrk.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const done = new Promise<void>((resolve) => wrk.once('close', () => resolve()));
  if (reloads > 0) await rollingReplace(reloads);
  await withDeadline(done, (durationS + 60) * 1000, 'wrk to finish');
  const num = (re: RegExp): number => Number(re.exec(out)?.[1] ?? NaN);
  const m = /Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)\b/.exec(out);
  const maxMs = m ? Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000 }[m[2] ?? 'ms'] ?? 1) : NaN;
  const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors: Record<string, number> = {};
  if (sockErr) ['connect', 'read', 'write', 'timeout'].forEach((k, i) => (errors[k] = Number(sockErr[i + 1])));
  const non2xx = num(/Non-2xx or 3xx responses: (\d+)/);
  if (non2xx > 0) errors['non-2xx'] = non2xx;
  const failed = Object.values(errors).reduce((a, b) => a + b, 0);
  for (const k of Object.keys(errors)) if (errors[k] === 0) delete errors[k];
  return {
    tool: 'wrk', mode: keepAlive ? 'keep-alive' : 'Connection: close', reloads, requests: num(/(\d+) requests in/),
    rps: Math.round(num(/Requests\/sec:\s+([\d.]+)/)), failed: failedText(failed, errors), maxMs: Math.round(maxMs * 10) / 10,
  };
}

async function main(): Promise<void> {
  pool.push(await startWorker(nextWid++), await startWorker(nextWid++));
  const rows: Row[] = [];
  const runMs: number[] = [];
  for (const keepAlive of [true, false]) {
    const { row, ms } = await nodeReloadRun(keepAlive);
    runMs.push(ms);
    const base = await runLoad(target, { concurrency, keepAlive, maxDurationMs: ms });
    rows.push(row, nodeRow(keepAlive ? 'keep-alive' : 'Connection: close', 0, base));
  }
  const notes: string[] = [];
  if (wrkPath) {
    const durationS = Math.max(5, Math.ceil((Math.max(...runMs) * 1.5) / 1000));
    for (const keepAlive of [true, false]) rows.push(await wrkRun(keepAlive, durationS, replacements), await wrkRun(keepAlive, durationS, 0));
    notes.push(`wrk: ${wrkPath} -t1 -c${concurrency} -d${durationS}s (fixed length; the replacements run at its start)`);
  } else {
    notes.push('wrk not installed: no wrk rows (apt-get install -y wrk adds them)');
  }
  await Promise.all(pool.map(stopWorker));

  const sorted = [...replaceTimes].sort((a, b) => a - b);
  const pct = (p: number): string => (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0).toFixed(0);
  console.log(`\n## Reload under load: 2 http-workers on one TCP socket, ${concurrency} concurrent clients\n`);
  console.log('| tool | mode | replacements | requests | rps | failed | max latency ms |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.tool} | ${r.mode} | ${r.reloads || 'none (baseline)'} | ${r.requests} | ${r.rps} | ${r.failed} | ${r.maxMs} |`);
  console.log('');
  console.log(`- one replacement (spawn → ready → SIGTERM old → exit): p50 ${pct(0.5)} ms, max ${pct(1)} ms over ${sorted.length}`);
  console.log(`- baseline rows run as long as the reload row above them (${runMs.map((m) => `${(m / 1000).toFixed(1)} s`).join(', ')})`);
  for (const n of notes) console.log(`- ${n}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
