/** Shared timing for the synchronous micro-benchmarks: best and median of REPS runs after a warm-up. */

export const REPS = 7;

export interface Timing { best: number; median: number }

/** Best and median of REPS runs of fn (after one warm-up run), in ms. */
export function measure(fn: () => void): Timing {
  fn();
  const times: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { best: times[0], median: times[Math.floor(REPS / 2)] };
}

/** Median and range of a set of samples (NaN fields when there are none). */
export interface Summary { median: number; min: number; max: number; n: number }

/** Nearest-rank percentile (p in 0..1) of samples; NaN when there are none. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}

export function summarize(xs: number[]): Summary {
  const s = xs.filter((x) => !Number.isNaN(x));
  if (s.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  return { median: percentile(s, 0.5), min: Math.min(...s), max: Math.max(...s), n: s.length };
}

/** A number with about 3 significant digits ("12.3", "0.045", "1234"); "n/a" for NaN, "∞" for Infinity. */
export function fmt(x: number): string {
  if (Number.isNaN(x)) return 'n/a';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : a === 0 ? '0' : x.toPrecision(2);
}

/** "median (min–max)", or just the value when min = max. */
export function fmtSummary(s: Summary): string {
  return s.n <= 1 || s.min === s.max ? fmt(s.median) : `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}
