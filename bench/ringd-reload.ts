/**
 * ringd's own zero-downtime reload under load: a real ringd holds a TCP socket for N Node workers;
 * wrk (or the project's load generator when wrk is missing) runs while `reload web` is sent 10
 * times over the control endpoint, next to a baseline of the same length with no reload.
 * Usage: node --import tsx bench/ringd-reload.ts [numprocesses=2] [reloads=10]
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { fixture } from '../test/support/fixtures.ts';
import { startRingdControl, stopAllRingd } from '../test/support/ringd-control.ts';
import { startLoad } from '../test/support/load.ts';

const N = Number(process.argv[2] ?? 2);
const RELOADS = Number(process.argv[3] ?? 10);
const wrk = spawnSync('sh', ['-c', 'command -v wrk']).stdout.toString().trim();

const r = await startRingdControl(`[sockets.web]\nport = 0\n[watchers.web]\ncmd = ${JSON.stringify(
  `${process.execPath} ${fixture('http-worker.mjs')} --fd $(circus.sockets.web)`)}\nnumprocesses = ${N}\nready_notify = "fd"\n`);
const port = ((await r.ok('listsockets')).sockets as { port: number }[])[0].port;
const url = `http://127.0.0.1:${port}/`;
const rows: string[][] = [];

async function measure(label: string, keepAlive: boolean, reload: boolean): Promise<void> {
  const began = Date.now();
  const reloads = async () => { for (let i = 0; i < RELOADS; i++) await r.ok('reload', { name: 'web', waiting: true }, 60_000); };
  if (wrk) {
    const seconds = 20;
    const args = ['-t1', '-c20', `-d${seconds}s`, ...(keepAlive ? [] : ['-H', 'Connection: close']), url];
    const job = promisify(execFile)(wrk, args, { encoding: 'utf8' });
    let done = 0;
    if (reload) { await reloads(); done = (Date.now() - began) / 1000; }
    const out = (await job).stdout;
    if (reload && done > seconds) throw new Error(`the reloads took ${done}s, longer than the wrk run`);
    const reqs = /(\d+) requests in/.exec(out)?.[1] ?? '?';
    const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? '?';
    const errors = /Socket errors: (.*)/.exec(out)?.[1] ?? 'none';
    const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? '0';
    const max = /Latency\s+\S+\s+\S+\s+(\S+)/.exec(out)?.[1] ?? '?';
    rows.push([`wrk ${label}`, reload ? String(RELOADS) : 'none', reqs, rps, `${errors}; non-2xx ${non2xx}`, max]);
  } else {
    const load = startLoad({ host: '127.0.0.1', port }, { concurrency: 20, keepAlive, maxDurationMs: 60_000 });
    if (reload) await reloads(); else await new Promise((res) => setTimeout(res, 20_000));
    const res = await load.stop();
    rows.push([`node client ${label}`, reload ? String(RELOADS) : 'none', String(res.requests), String(res.rps),
      JSON.stringify(res.errors), `${res.maxLatencyMs}ms`]);
  }
}

try {
  for (const keepAlive of [true, false]) {
    const label = keepAlive ? 'keep-alive' : 'Connection: close';
    await measure(label, keepAlive, false);
    await measure(label, keepAlive, true);
  }
} finally {
  await stopAllRingd();
}
console.log(`ringd reload under load: ${N} Node workers on one TCP socket, 20 connections${wrk ? '' : ' (wrk not installed: node client)'}\n`);
console.log('| load | reloads | requests | req/s | errors | max latency |\n|---|---|---|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
