/**
 * Reply bodies exactly as circusd writes them: Python json.dumps separators (", " and ": "),
 * key order status, time, payload…, id, and `time` always a float in epoch seconds.
 */

/** Keys whose numbers are Python floats in circusd's output (epoch seconds). */
const FLOAT_KEYS = new Set(['time']);

/** JSON with Python's default separators; `time` values written as floats. */
export function pyJson(value: unknown, key?: string): string {
  if (Array.isArray(value)) return `[${value.map((v) => pyJson(v === undefined ? null : v)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${pyJson(v, k)}`).join(', ')}}`;
  }
  if (typeof value === 'number' && key !== undefined && FLOAT_KEYS.has(key) && Number.isInteger(value)) return `${value}.0`;
  return JSON.stringify(value) ?? 'null';
}

export function okReply(payload: Record<string, unknown>, id: unknown): string {
  const { status, ...rest } = payload;
  return pyJson({ status: status ?? 'ok', time: Date.now() / 1000, ...rest, id: id ?? null });
}

export function errorReply(reason: string, errno: number, id: unknown): string {
  return pyJson({ status: 'error', reason, tb: null, time: Date.now() / 1000, errno, id: id ?? null });
}
