// Checks shared by the fuzz suites: a control reply is well-formed whatever the request, and its reason is plain.
import assert from 'node:assert/strict';

/** Texts that mean something escaped the error handling instead of being refused in plain words. */
export const NOT_PLAIN = /\bat [\w.<>]+ \(|TypeError|ReferenceError|RangeError|SyntaxError: Unexpected|\[object Object\]|\bundefined\b|call stack|internal error/;

/** A Circus reply: status first, then time (or reason), id last; errors carry tb, errno 0–6 and a plain reason. */
export function checkReply(text: string, where: string): Record<string, unknown> {
  let reply: unknown;
  try {
    reply = JSON.parse(text);
  } catch {
    assert.fail(`${where}: a reply that is not JSON: ${text.slice(0, 300)}`);
  }
  assert.ok(reply !== null && typeof reply === 'object' && !Array.isArray(reply), `${where}: ${text.slice(0, 300)}`);
  const r = reply as Record<string, unknown>;
  const keys = Object.keys(r);
  assert.equal(keys[0], 'status', `${where}: ${text.slice(0, 300)}`);
  assert.ok(keys[1] === 'time' || keys[1] === 'reason', `${where}: ${text.slice(0, 300)}`);
  assert.equal(keys[keys.length - 1], 'id', `${where}: ${text.slice(0, 300)}`);
  if (r.status === 'error') {
    assert.deepEqual(keys, ['status', 'reason', 'tb', 'time', 'errno', 'id'], `${where}: ${text.slice(0, 300)}`);
    assert.ok(Number.isInteger(r.errno) && (r.errno as number) >= 0 && (r.errno as number) <= 6, `${where}: errno ${String(r.errno)}`);
    plainReason(String(r.reason), where);
  }
  return r;
}

/** A rejection reason is a sentence: non-empty, no stack trace, no leaked JavaScript value. */
export function plainReason(reason: string, where: string): void {
  assert.ok(reason.trim().length > 0, `${where}: an empty reason`);
  assert.doesNotMatch(reason, NOT_PLAIN, `${where}: not a plain reason: ${reason.slice(0, 300)}`);
}
