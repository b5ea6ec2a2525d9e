/** Durations in the config: numbers of seconds or strings such as "250ms", "30s", "1m30s" → milliseconds. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)/y;
const NUMERIC = /^(\d+(?:\.\d+)?|\.\d+)$/;

/**
 * Milliseconds for a config duration, or undefined when the value is not a valid duration.
 * Numbers (and numeric strings) are seconds ≥ 0, fractions allowed; strings combine `<n><unit>`
 * parts with units ms, s, m, h, d (case-insensitive), e.g. "1.5s", "1m30s", "1h 5m".
 * The result is rounded to a whole millisecond.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return undefined;
    return Math.round(value * 1000);
  }
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (text === '') return undefined;
  if (NUMERIC.test(text)) return Math.round(Number(text) * 1000);
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]];
    pos = PART.lastIndex;
    while (text[pos] === ' ') pos++;
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

/** Human form of a duration in milliseconds, e.g. 90_000 → "1m30s", 250 → "250ms", 0 → "0s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms']) {
    const size = UNIT_MS[unit];
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
