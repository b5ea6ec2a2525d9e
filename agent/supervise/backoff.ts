/** The restart policy: how long a crashed slot waits before its next start, and when it gives up. */

export interface BackoffPolicy {
  base: number;
  max: number;
  jitter: number;
  maxRetry: number;
}

/**
 * Delay before restart number `failures` (1 = first crash in a row): the first restart is
 * immediate, then base, 2·base, 4·base … capped at max, each shortened by a random jitter.
 */
export function backoffDelay(policy: BackoffPolicy, failures: number, random: () => number = Math.random): number {
  if (failures <= 1) return 0;
  const raw = Math.min(policy.max, policy.base * 2 ** (failures - 2));
  return Math.round(raw * (1 - policy.jitter * random()));
}

/** True when `failures` consecutive failures exceed max_retry (-1 never gives up). */
export function givesUp(policy: BackoffPolicy, failures: number): boolean {
  return policy.maxRetry >= 0 && failures > policy.maxRetry;
}
