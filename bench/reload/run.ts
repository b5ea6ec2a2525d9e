/**
 * `bench reload`: a real ringd holds a TCP socket for a web watcher (test/fixtures/http-worker.mjs,
 * ready_notify = "fd", as examples/web.toml); wrk runs while `reload web --waiting` is sent again and
 * again, next to a run of the same length without reloads. Errors must be 0; p99 during reloads vs without.
 */
import { fixture } from '../../test/support/fixtures.ts';
import { startRingdControl, type RingdControl } from '../../test/support/ringd-control.ts';
import { fmt } from '../timing.ts';
import { markdownTable } from '../lib/table.ts';
import { runWrk, type WrkResult } from '../lib/wrk.ts';

export const RELOAD_WORKERS = 2;
const DEFAULT_DURATION_S = 20;
const QUICK_DURATION_S = 3;
/** No reload starts later than this before the end of the wrk run, so each one completes under load. */
const RELOAD_MARGIN_MS = 1500;
const RELOAD_TIMEOUT_MS = 60_000;

export interface ReloadOptions { quick: boolean; reloads?: number; durationS?: number; workers?: number; log: (m: string) => void }

export interface ReloadRow { mode: 'keep-alive' | 'Connection: close'; reloads: number; reloadMs: number[]; wrk: WrkResult }
export interface ReloadRun { workers: number; durationS: number; rows: ReloadRow[]; zeroErrors: boolean }

/** Reloads back to back until `until` (performance.now()) or `max` reloads; returns each one's duration. */
async function reloadLoop(r: RingdControl, until: number, max: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < max && performance.now() < until) {
    const t0 = performance.now();
    await r.ok('reload', { name: 'web', waiting: true }, RELOAD_TIMEOUT_MS);
    out.push(performance.now() - t0);
  }
  return out;
}

export async function runReload(o: ReloadOptions): Promise<ReloadRun> {
  const durationS = o.durationS ?? (o.quick ? QUICK_DURATION_S : DEFAULT_DURATION_S);
  const maxReloads = o.reloads ?? Number.POSITIVE_INFINITY;
  const modes: ReloadRow['mode'][] = o.quick ? ['keep-alive'] : ['keep-alive', 'Connection: close'];
  const workers = o.workers ?? RELOAD_WORKERS;
  const cmd = `${process.execPath} ${fixture('http-worker.mjs')} --fd $(circus.sockets.web)`;
  const r = await startRingdControl(`[sockets.web]\nport = 0\n\n[watchers.web]\ncmd = ${JSON.stringify(cmd)}\n` +
    `numprocesses = ${workers}\nready_notify = "fd"\nready_timeout = "20s"\ngraceful_timeout = "15s"\n`, { prefix: 'bench-reload' });
  const rows: ReloadRow[] = [];
  try {
    const port = ((await r.ok('listsockets')).sockets as { port: number }[])[0].port;
    const url = `http://127.0.0.1:${port}/`;
    for (const mode of modes) {
      const keepAlive = mode === 'keep-alive';
      o.log(`reload: ${mode}, ${durationS} s without reloads`);
      rows.push({ mode, reloads: 0, reloadMs: [], wrk: await runWrk(url, { durationS, keepAlive }) });
      o.log(`reload: ${mode}, ${durationS} s while reloading`);
      const wrk = runWrk(url, { durationS, keepAlive });
      const reloadMs = await reloadLoop(r, performance.now() + durationS * 1000 - RELOAD_MARGIN_MS, maxReloads);
      rows.push({ mode, reloads: reloadMs.length, reloadMs, wrk: await wrk });
      if (reloadMs.length === 0) throw new Error(`no reload fitted in ${durationS} s: use a longer --duration`);
    }
  } finally {
    await r.stop();
  }
  return { workers, durationS, rows, zeroErrors: rows.every((x) => x.wrk.failed === 0) };
}

export function reloadMarkdown(run: ReloadRun): string {
  const errors = (w: WrkResult): string => (w.failed === 0 ? '0' : `**${w.failed}** ${Object.entries(w.errors).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const base = (mode: string) => run.rows.find((x) => x.mode === mode && x.reloads === 0)!.wrk;
  const table = markdownTable(
    ['wrk mode', 'reloads', 'reload ms (median)', 'requests', 'req/s', 'errors', 'p50 ms', 'p99 ms', 'max ms', 'p99 ÷ p99 without reloads'],
    run.rows.map((x) => [x.mode, String(x.reloads), x.reloadMs.length ? fmt([...x.reloadMs].sort((a, b) => a - b)[Math.floor(x.reloadMs.length / 2)]) : '–',
      String(x.wrk.requests), fmt(x.wrk.rps), errors(x.wrk), fmt(x.wrk.p50Ms), fmt(x.wrk.p99Ms), fmt(x.wrk.maxMs),
      x.reloads ? fmt(x.wrk.p99Ms / base(x.mode).p99Ms) : '–']),
  );
  return `${run.workers} http-workers (Node) on one TCP socket held by ringd, wrk -t1 -c20 for ${run.durationS} s per row; ` +
    `\`reload web --waiting\` back to back during the reload rows.\n\n${table}\n\n` +
    `Errors during reloads: ${run.zeroErrors ? '0 (goal met)' : '**not 0** (goal missed)'}.\n`;
}
