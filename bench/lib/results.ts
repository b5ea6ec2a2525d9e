/**
 * What every benchmark run leaves behind: a Markdown report (printed too) and the raw JSON, in
 * bench/results/ (git-ignored) or --out DIR, with a description of the machine and the exact command.
 * A figure that came out missing or NaN is a problem: the run then fails.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

export interface Machine {
  cpus: number;
  cpu: string;
  memGb: number;
  os: string;
  kernel: string;
  node: string;
  /** 1-minute load average when the run started and when it ended. */
  loadStart: number;
  loadEnd?: number;
}

function osName(): string {
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os.type();
    const debian = readFileSync('/etc/debian_version', 'utf8').trim();
    return `${pretty} (${debian})`;
  } catch {
    return os.type();
  }
}

export function describeMachine(): Machine {
  return {
    cpus: os.availableParallelism(), cpu: os.cpus()[0]?.model ?? 'unknown cpu', memGb: Math.round(os.totalmem() / 2 ** 30),
    os: osName(), kernel: os.release(), node: process.version, loadStart: os.loadavg()[0],
  };
}

export function machineLine(m: Machine): string {
  const load = m.loadEnd === undefined ? m.loadStart.toFixed(2) : `${m.loadStart.toFixed(2)} → ${m.loadEnd.toFixed(2)}`;
  return `${m.cpus} cores (${m.cpu}), ${m.memGb} GB, ${m.os}, Linux ${m.kernel}, Node ${m.node}; load average (1 min) ${load}`;
}

/** Paths (as "a.b[2].c") of every number in value that is NaN, and of every null or undefined leaf under `figures`. */
export function missingFigures(value: unknown, path = ''): string[] {
  if (typeof value === 'number') return Number.isNaN(value) ? [path] : [];
  if (value === null || value === undefined) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => missingFigures(v, `${path}[${i}]`));
  if (typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => missingFigures(v, path ? `${path}.${k}` : k));
  return [];
}

/** JSON has no Infinity: ratios against a zero (an idle peer's CPU) are written as "Infinity". */
const jsonSafe = (_k: string, v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) && !Number.isNaN(v) ? String(v) : v);

export interface Written { markdown: string; json: string }

/** Writes <dir>/<mode>-<timestamp>.md and .json; returns their paths. */
export function writeResults(dir: string, mode: string, markdown: string, data: unknown): Written {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const base = join(dir, `${mode}-${stamp}`);
  writeFileSync(`${base}.md`, `${markdown}\n`);
  writeFileSync(`${base}.json`, `${JSON.stringify(data, jsonSafe, 2)}\n`);
  return { markdown: `${base}.md`, json: `${base}.json` };
}
