/** Micro-benchmark of /proc scanning: readStat and findTree vs an fs.readFileSync baseline. Usage: proc-scan.ts [extraSleeps] */

import fs from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { listPids, parseStat, readStat } from '../agent/supervise/proc.ts';
import { findTree } from '../agent/supervise/tree.ts';
import { measure, REPS } from './timing.ts';

const extra = Number(process.argv[2] ?? 0);

async function main(): Promise<void> {
  const spawned: ChildProcess[] = [];
  for (let i = 0; i < extra; i++) spawned.push(spawn('sleep', ['1000'], { stdio: 'ignore', detached: true }));
  if (extra > 0) await sleep(200);
  try {
    const pids = listPids();
    const n = pids.length;
    let sink = 0;
    const rows: [string, string, { best: number; median: number }, number][] = [
      ['fs.readFileSync /proc/PID/stat + parse (baseline)', 'µs/proc', measure(() => {
        for (const pid of pids) {
          try {
            const b = fs.readFileSync(`/proc/${pid}/stat`);
            sink += parseStat(b, b.length)?.rss ?? 0;
          } catch {
            // vanished
          }
        }
      }), 1000 / n],
      ['readStat (open/readSync/close, shared buffer)', 'µs/proc', measure(() => {
        for (const pid of pids) sink += readStat(pid)?.rss ?? 0;
      }), 1000 / n],
      ['listPids', 'ms/call', measure(() => { sink += listPids().length; }), 1],
      ['findTree {pid, pgid, sid} (no marker)', 'ms/call', measure(() => {
        sink += findTree({ pid: process.pid + 1, pgid: process.pid + 1, sid: process.pid + 1 }).length;
      }), 1],
      ['findTree with marker (environ of every process)', 'ms/call', measure(() => {
        sink += findTree({ pid: process.pid + 1, pgid: process.pid + 1, marker: 'bench-absent-marker' }).length;
      }), 1],
    ];
    console.log(`/proc holds ${n} processes (${extra} extra sleeps); best / median of ${REPS} runs`);
    console.log(`| ${'measure'.padEnd(50)} | unit    | best     | median   |`);
    console.log(`|${'-'.repeat(52)}|---------|----------|----------|`);
    for (const [name, unit, t, scale] of rows) {
      console.log(`| ${name.padEnd(50)} | ${unit} | ${(t.best * scale).toFixed(2).padStart(8)} | ${(t.median * scale).toFixed(2).padStart(8)} |`);
    }
    if (sink < 0) console.log(sink);
  } finally {
    for (const c of spawned) if (c.pid !== undefined) c.kill('SIGKILL');
  }
}

await main();
