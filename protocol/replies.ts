/**
 * Reply bodies exactly as circusd writes them: Python json.dumps separators (", " and ": "),
 * key order status, time, payload…, id, and `time` always a float in epoch seconds.
 */

/** JSON with Python's default separators. */
export function pyJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => pyJson(v === undefined ? null : v)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${pyJson(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Epoch seconds as a Python float literal ("1795810266.9313436", never "1795810266"). */
export function pyTime(ms = Date.now()): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s}.0` : String(s);
}

function reply(head: Record<string, unknown>, time: string, rest: Record<string, unknown>): string {
  const body = pyJson({ ...head, time: 0, ...rest });
  return body.replace('"time": 0', `"time": ${time}`);
}

export function okReply(payload: Record<string, unknown>, id: unknown): string {
  const { status, ...rest } = payload;
  return reply({ status: status ?? 'ok' }, pyTime(), { ...rest, id: id ?? null });
}

export function errorReply(reason: string, errno: number, id: unknown): string {
  return reply({ status: 'error', reason, tb: null }, pyTime(), { errno, id: id ?? null });
}
