/**
 * Monotonic time for deadlines and durations (backoff, max_age, stop and ready deadlines, liveness,
 * leases): milliseconds on an epoch-like scale that never jumps when the wall clock is set.
 * Wall-clock time (Date.now) stays for what is shown or sent as a time of day.
 */

/** performance.timeOrigin + performance.now(): close to Date.now() at start, then monotonic. */
export function monotonicMs(): number {
  return performance.timeOrigin + performance.now();
}
