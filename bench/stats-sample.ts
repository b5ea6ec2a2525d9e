/** Benchmark of ProcSampler over 500 `sleep` processes against an fs.readFileSync baseline. Usage: stats-sample.ts [count] */

import fs from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcSampler } from '../agent/stats/process-info.ts';
import { statsMessages } from '../agent/stats/stream.ts';
import { parseStat, readStat } from '../agent/supervise/proc.ts';
import { parseStatExtra } from '../agent/stats/procfs.ts';
import { measure, REPS, type Timing } from './timing.ts';

const COUNT = Number(process.argv[2] ?? 500);


const spawned: ChildProcess[] = [];

function killAll(): void {
  for (const c of spawned) {
    if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) continue;
    try {
      process.kill(c.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

/** The same fields ProcSampler reports, read the naive way: readFileSync of stat, status and cmdline. */
function baseline(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`);
    const st = parseStat(stat, stat.length);
    const extra = parseStatExtra(stat, stat.length);
    const uid = Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1]);
    const argv0 = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
    return (st?.rss ?? 0) + (extra?.nice ?? 0) + uid + argv0.length;
  } catch {
    return 0; // vanished
  }
}

async function main(): Promise<void> {
  try {
    for (let i = 0; i < COUNT; i++) spawned.push(spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' }));
    const pids = spawned.map((c) => c.pid).filter((p): p is number => p !== undefined);
    const deadline = Date.now() + 30_000;
    while (!pids.every((p) => readStat(p)?.comm === 'sleep')) {
      if (Date.now() > deadline) throw new Error('sleeps did not start in 30 s');
      await sleep(50);
    }
    let sink = 0;
    const warm = new ProcSampler();
    const group = { name: 'bench', processes: pids.map((pid, i) => ({ pid, wid: i + 1, started: Date.now() })) };
    const rows: [string, Timing][] = [
      ['baseline: readFileSync stat + status + cmdline', measure(() => {
        for (const pid of pids) sink += baseline(pid);
      })],
      ['ProcSampler.sample, steady state (with children)', measure(() => {
        for (const pid of pids) sink += warm.sample(pid)?.pid ?? 0;
      })],
      ['ProcSampler.sample, steady state, children: false', measure(() => {
        for (const pid of pids) sink += warm.sample(pid, { children: false })?.pid ?? 0;
      })],
      ['ProcSampler.sample, first cycle (new sampler)', measure(() => {
        const cold = new ProcSampler();
        for (const pid of pids) sink += cold.sample(pid)?.pid ?? 0;
        cold.close();
      })],
      ['statsMessages, one group (steady state)', measure(() => {
        sink += statsMessages([group], [{ pid: process.pid, name: 'ringd' }], warm).length;
      })],
    ];
    warm.close();
    const base = rows[0][1].median;
    console.log(`${pids.length} sleep processes; µs per process, best / median of ${REPS} rounds`);
    console.log('');
    console.log(`| ${'method'.padEnd(50)} | best µs | median µs | vs baseline (median) |`);
    console.log(`|${'-'.repeat(52)}|--------:|----------:|---------------------:|`);
    for (const [name, t] of rows) {
      const per = (ms: number): string => ((ms * 1000) / pids.length).toFixed(1);
      console.log(`| ${name.padEnd(50)} | ${per(t.best).padStart(7)} | ${per(t.median).padStart(9)} | ${`${(base / t.median).toFixed(1)}×`.padStart(20)} |`);
    }
    if (sink < 0) console.log(sink);
  } finally {
    killAll();
  }
}

await main();
