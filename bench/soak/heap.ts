// What a soaked daemon's memory is made of, from Node's own diagnostic report: the daemon runs with
// `--report-on-signal` (heapProbeEnv), the soak sends the signal and reads the JSON it writes. Splits RSS into the V8
// heap (used, committed, young generation), memory allocated outside it, and the rest (code, stacks, allocator).
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../test/support/wait.ts';

/** The signal no daemon of ours handles: ringd takes HUP/USR1/TERM/INT, ringmaster TERM/INT. */
const REPORT_SIGNAL = 'SIGUSR2';
const REPORT_TIMEOUT_MS = 10_000;
const MB = 1024 * 1024;

export interface HeapSample {
  /** Live and not-yet-collected objects of the V8 heap. */
  usedMb: number;
  /** Memory V8 holds for its heap (all spaces). */
  committedMb: number;
  /** Of which the young generation (semi-spaces): V8 grows it under allocation pressure and rarely gives it back. */
  newSpaceMb: number;
  /** Buffers and other memory V8 objects keep outside the heap. */
  externalMb: number;
}

/** Environment that makes a Node daemon write a compact report into dir when it gets REPORT_SIGNAL. */
export function heapProbeEnv(dir: string): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  return { NODE_OPTIONS: `--report-on-signal --report-signal=${REPORT_SIGNAL} --report-compact --report-directory=${dir}` };
}

/** Asks pid for a report in dir (given heapProbeEnv(dir)) and reads it; null when the daemon does not answer. */
export async function probeHeap(pid: number, dir: string): Promise<HeapSample | null> {
  const mine = (f: string) => f.startsWith('report.') && f.includes(`.${pid}.`) && f.endsWith('.json');
  for (const f of readdirSync(dir).filter(mine)) rmSync(join(dir, f), { force: true });
  try {
    process.kill(pid, REPORT_SIGNAL);
    const file = await waitFor(() => readdirSync(dir).find(mine), { what: `a report from ${pid}`, timeoutMs: REPORT_TIMEOUT_MS, intervalMs: 50 });
    const path = join(dir, file);
    // The report is written in one go but may still be growing when first listed: parse once it is whole.
    const report = await waitFor(() => { try { return JSON.parse(readFileSync(path, 'utf8')); } catch { return false; } },
      { what: `the report of ${pid} to be complete`, timeoutMs: REPORT_TIMEOUT_MS, intervalMs: 50 });
    rmSync(path, { force: true });
    const heap = report.javascriptHeap;
    return {
      usedMb: heap.usedMemory / MB,
      committedMb: heap.totalCommittedMemory / MB,
      newSpaceMb: heap.heapSpaces.new_space.memorySize / MB,
      externalMb: heap.externalMemory / MB,
    };
  } catch {
    return null;
  }
}
