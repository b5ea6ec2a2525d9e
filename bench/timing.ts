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
