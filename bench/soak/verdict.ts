// The soak's verdict on a curve of samples (live, or a saved run's JSON): over the second half (after warm-up), does a
// daemon's memory or fd count trend upward, and did a zombie ever stay? Memory is judged without V8's young generation:
// V8 resizes it between 1 and 2 × --max-semi-space-size (16 MB by default, so up to 32 MB) with the allocation rate and
// keeps a size for minutes, which shows as steps in RSS that are bounded by design; a leak shows in the rest.
import { markdownTable } from '../lib/table.ts';
import type { HeapSample } from './heap.ts';
import { slope, type Sample } from './sample.ts';

/** Growth over the second half (the fitted trend, not one sample) beyond which memory leaks. */
export const MAX_MEMORY_GROWTH_MB = 8;
/** fds not explained by children gained over the second half beyond which they leak. */
export const MAX_FD_GROWTH = 5;
/** Live heap (after a full collection) gained over the second half, as fitted, beyond which the JavaScript heap leaks. */
export const MAX_LIVE_GROWTH_MB = 4;
/** Samples at each end of the second half whose median fd count is compared: resizes in flight jitter single samples. */
const FD_WINDOW = 6;

export type Point = Sample & { heap: HeapSample | null };
export type Curve = Array<{ t: number; ringd: Point | null; ringmaster: Point | null }>;
export type Daemon = 'ringd' | 'ringmaster';

export interface Verdict {
  name: Daemon;
  rssFirst: number;
  rssLast: number;
  /** MB per hour over the second half: RSS, RSS without the young generation (the verdict), V8 heap in use. */
  rssTrend: number;
  memoryTrend: number;
  heapTrend: number;
  youngRange: [number, number];
  cpuMean: number;
  fdsFirst: number;
  fdsLast: number;
  fdGrowth: number;
  zombies: number;
  /** Live heap (after a full collection) at the first and last such sample of the second half, and its trend (MB/h). */
  live?: { first: number; last: number; trend: number };
  flat: boolean;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export function verdict(curve: Curve, name: Daemon): Verdict {
  const pts = curve.slice(Math.floor(curve.length / 2)).flatMap((c) => (c[name] ? [c[name]] : []));
  const first = curve.find((c) => c[name])?.[name];
  const last = pts[pts.length - 1];
  const trend = (y: (p: Point) => number | undefined) => {
    const xy = pts.flatMap((p) => { const v = y(p); return v === undefined ? [] : [[p.t / 3600, v]]; });
    return slope(xy.map((v) => v[0]), xy.map((v) => v[1]));
  };
  const memoryTrend = trend((p) => (p.heap ? p.rssMb - p.heap.newSpaceMb : undefined));
  const young = pts.flatMap((p) => (p.heap ? [p.heap.newSpaceMb] : []));
  const fdGrowth = median(pts.slice(-FD_WINDOW).map((p) => p.extraFds)) - median(pts.slice(0, FD_WINDOW).map((p) => p.extraFds));
  const zombies = Math.max(0, ...curve.map((c) => c[name]?.zombies ?? 0));
  const windowH = pts.length > 1 ? (pts[pts.length - 1].t - pts[0].t) / 3600 : 0;
  const lives = pts.flatMap((p) => (p.heap?.liveMb !== undefined ? [p.heap.liveMb] : []));
  const live = lives.length > 1 ? { first: lives[0], last: lives[lives.length - 1], trend: trend((p) => p.heap?.liveMb) } : undefined;
  return {
    name, rssFirst: first?.rssMb ?? 0, rssLast: last?.rssMb ?? 0,
    rssTrend: trend((p) => p.rssMb), memoryTrend, heapTrend: trend((p) => p.heap?.usedMb),
    youngRange: [Math.min(...young), Math.max(...young)],
    cpuMean: pts.reduce((a, p) => a + p.cpuPct, 0) / Math.max(1, pts.length),
    fdsFirst: first?.fds ?? 0, fdsLast: last?.fds ?? 0, fdGrowth, zombies, live,
    flat: (!live || live.trend * windowH < MAX_LIVE_GROWTH_MB) && young.length > 0 && memoryTrend * windowH < MAX_MEMORY_GROWTH_MB && fdGrowth <= MAX_FD_GROWTH && zombies === 0 && last !== undefined,
  };
}

export function verdictTable(results: Verdict[]): string {
  const mb = (x: number) => x.toFixed(1);
  return markdownTable(
    ['process', 'RSS first → last (MB)', 'RSS trend (MB/h)', 'young gen. (MB)', 'RSS − young gen. trend (MB/h)', 'live heap (MB)', 'live heap trend (MB/h)', 'CPU mean', 'fds first → last', 'zombies', 'verdict'],
    results.map((r) => [r.name, `${mb(r.rssFirst)} → ${mb(r.rssLast)}`, mb(r.rssTrend), `${r.youngRange[0]}–${r.youngRange[1]}`, mb(r.memoryTrend),
      r.live ? `${mb(r.live.first)} → ${mb(r.live.last)}` : '–', r.live ? mb(r.live.trend) : '–', `${r.cpuMean.toFixed(1)} %`,
      `${r.fdsFirst} → ${r.fdsLast} (${r.fdGrowth >= 0 ? '+' : ''}${r.fdGrowth} unexplained)`, String(r.zombies), r.flat ? 'flat' : 'GROWS']),
  );
}
