/** Runs wrk (Debian package `wrk`) against a loopback URL and parses its summary, latency percentiles included. */
import { spawn, spawnSync } from 'node:child_process';

export const WRK_THREADS = 1;
export const WRK_CONNECTIONS = 20;
/** wrk stops by itself after its duration; this much longer and it is killed. */
const WRK_GRACE_MS = 30_000;

export interface WrkResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Socket errors by kind (connect, read, write, timeout) and non-2xx/3xx responses. */
  errors: Record<'connect' | 'read' | 'write' | 'timeout' | 'non2xx', number>;
  /** Sum of errors. */
  failed: number;
}

export function wrkPath(): string | undefined {
  return spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).stdout.trim() || undefined;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
const toMs = (v: string | undefined, unit: string | undefined): number => (v === undefined ? Number.NaN : Number(v) * (UNIT_MS[unit ?? 'ms'] ?? Number.NaN));

export function parseWrk(out: string): WrkResult {
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\b`, 'm').exec(out);
    return toMs(m?.[1], m?.[2]);
  };
  const max = /Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)\b/.exec(out);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = {
    connect: Number(sock?.[1] ?? 0), read: Number(sock?.[2] ?? 0), write: Number(sock?.[3] ?? 0), timeout: Number(sock?.[4] ?? 0),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
  };
  return {
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? Number.NaN), rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN),
    p50Ms: pct('50'), p99Ms: pct('99'), maxMs: toMs(max?.[1], max?.[2]), errors, failed: Object.values(errors).reduce((a, b) => a + b, 0),
  };
}

/** Runs wrk for durationS against url (keep-alive, or a new connection per request) and resolves with its figures. */
export function runWrk(url: string, o: { durationS: number; keepAlive: boolean; connections?: number }): Promise<WrkResult> {
  const bin = wrkPath();
  if (!bin) return Promise.reject(new Error('wrk is not installed (apt-get install wrk)'));
  const args = [`-t${WRK_THREADS}`, `-c${o.connections ?? WRK_CONNECTIONS}`, `-d${o.durationS}s`, '--latency',
    ...(o.keepAlive ? [] : ['-H', 'Connection: close']), url];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), o.durationS * 1000 + WRK_GRACE_MS);
  return new Promise((resolve, reject) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`wrk ${args.join(' ')} exited ${code}:\n${out}`));
      else resolve(parseWrk(out));
    });
  });
}
