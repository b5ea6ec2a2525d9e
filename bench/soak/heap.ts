// What a soaked daemon's memory is made of, from V8 inside it: the daemon preloads probe.mjs (probeEnv), the soak sends
// it a signal and reads what it writes. Splits RSS into the V8 heap (used, committed, young generation) and memory
// outside it; now and then after a full collection, which gives the live heap, the figure a leak shows in.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../test/support/wait.ts';

const PROBE = fileURLToPath(new URL('./probe.mjs', import.meta.url));
const PROBE_SIGNAL = 'SIGWINCH';
const PROBE_TIMEOUT_MS = 10_000;
const MB = 1024 * 1024;

export interface HeapSample {
  /** Objects in the V8 heap: live ones and, unless `liveMb` is set, garbage not collected yet. */
  usedMb: number;
  /** Memory V8 holds for its heap (all spaces). */
  committedMb: number;
  /** Of which the young generation (semi-spaces): V8 grows it under allocation pressure and rarely gives it back. */
  newSpaceMb: number;
  /** Buffers and other memory V8 objects keep outside the heap. */
  externalMb: number;
  /** The heap after a full collection, when this sample asked for one. */
  liveMb?: number;
}

/** Environment of a daemon the soak probes: the probe preloaded, writing into dir (created). */
export function probeEnv(dir: string): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  return { NODE_OPTIONS: `--import=${PROBE}`, RING_SOAK_PROBE: dir };
}

/** Reads pid's heap (started with probeEnv(dir)); `collect` runs a full collection first. null when it does not answer. */
export async function probeHeap(pid: number, dir: string, collect = false): Promise<HeapSample | null> {
  const out = join(dir, `${pid}.json`);
  rmSync(out, { force: true });
  if (collect) writeFileSync(join(dir, `${pid}.gc`), '');
  try {
    process.kill(pid, PROBE_SIGNAL);
    await waitFor(() => existsSync(out), { what: `the heap figures of ${pid}`, timeoutMs: PROBE_TIMEOUT_MS, intervalMs: 20 });
    const h = JSON.parse(readFileSync(out, 'utf8')) as { collected: boolean; used: number; committed: number; young: number; external: number };
    return {
      usedMb: h.used / MB, committedMb: h.committed / MB, newSpaceMb: h.young / MB, externalMb: h.external / MB,
      ...(h.collected ? { liveMb: h.used / MB } : {}),
    };
  } catch {
    return null;
  }
}
