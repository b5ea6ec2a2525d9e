/**
 * Encoding, signing, decoding and verification of discovery datagrams. The signature is an
 * HMAC-SHA256 of SIGNATURE_DOMAIN + the datagram text before `,"sig":…`, so no canonical JSON
 * form is needed: the receiver checks exactly the bytes that were sent.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  DATAGRAM_KINDS, DISCOVERY_VERSION, ID_PATTERN, LABEL_KEY_PATTERN, LABEL_MAX_CHARS, MAX_ANNOUNCED_URLS, MAX_DATAGRAM_BYTES,
  MAX_LABELS, MAX_LABELS_BYTES, ROLES, SIGNATURE_DOMAIN, type Announce, type Datagram, type DropReason, type Role,
} from './types.ts';

const SIG_SUFFIX = /,"sig":"([A-Za-z0-9_-]{43})"\}$/;
const MAX_TEXT = 256;

export type Decoded =
  | { ok: true; msg: Datagram; signed: boolean }
  | { ok: false; reason: DropReason; detail: string };

export interface DecodeOptions {
  /** Fleet key: when set, only datagrams signed with it and fresh within maxSkewMs pass. */
  key?: Buffer;
  maxSkewMs: number;
  now?: number;
}

function mac(key: Buffer, body: string): Buffer {
  return createHmac('sha256', key).update(SIGNATURE_DOMAIN).update(body).digest();
}

function serialize(msg: Datagram, key: Buffer | undefined): Buffer {
  const body = JSON.stringify(msg);
  if (!key) return Buffer.from(body);
  const sig = mac(key, body.slice(0, -1)).toString('base64url');
  return Buffer.from(`${body.slice(0, -1)},"sig":"${sig}"}`);
}

/**
 * The datagram's bytes, signed when `key` is given. An announce too large for one datagram loses
 * entries from the end of its `nats` then `ctl` lists until it fits; anything else too large throws.
 */
export function encodeDatagram(msg: Datagram, key?: Buffer): Buffer {
  let out = serialize(msg, key);
  if (msg.k === 'announce') {
    const trimmed: Announce = { ...msg, nats: [...msg.nats], ctl: [...msg.ctl] };
    while (out.length > MAX_DATAGRAM_BYTES && (trimmed.nats.length > 0 || trimmed.ctl.length > 0)) {
      if (trimmed.nats.length > 0) trimmed.nats.pop();
      else trimmed.ctl.pop();
      out = serialize(trimmed, key);
    }
  }
  if (out.length > MAX_DATAGRAM_BYTES) throw new Error(`discovery ${msg.k} is ${out.length} bytes, more than ${MAX_DATAGRAM_BYTES}`);
  return out;
}

class Malformed extends Error {}

const need = (cond: boolean, what: string): void => {
  if (!cond) throw new Malformed(what);
};

function text(o: Record<string, unknown>, key: string, pattern?: RegExp): string {
  const v = o[key];
  need(typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT && (!pattern || pattern.test(v)), `"${key}" must be ${pattern ? `a string matching ${pattern}` : 'a non-empty string'}`);
  return v as string;
}

function count(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  need(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0, `"${key}" must be an integer ≥ 0`);
  return v as number;
}

function urls(o: Record<string, unknown>, key: string): string[] {
  const v = o[key];
  need(Array.isArray(v) && v.length <= MAX_ANNOUNCED_URLS && v.every((u) => typeof u === 'string' && u.length > 0 && u.length <= MAX_TEXT),
    `"${key}" must be a list of at most ${MAX_ANNOUNCED_URLS} URLs`);
  return [...(v as string[])];
}

function roles(v: unknown): Role[] {
  need(Array.isArray(v) && v.length > 0 && v.every((r) => (ROLES as readonly unknown[]).includes(r)), `"want" must be a list of roles (${ROLES.join(', ')})`);
  return [...new Set(v as Role[])];
}

/** Checks a label table (shared with the config loader); returns a message naming the first problem. */
export function labelProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'labels must be a table of strings';
  const entries = Object.entries(v);
  if (entries.length > MAX_LABELS) return `at most ${MAX_LABELS} labels, got ${entries.length}`;
  for (const [k, val] of entries) {
    if (!LABEL_KEY_PATTERN.test(k)) return `label name "${k}" must match ${LABEL_KEY_PATTERN}`;
    if (typeof val !== 'string' || val.length > LABEL_MAX_CHARS || /[\u0000-\u001f]/.test(val)) {
      return `label "${k}" must be a string of at most ${LABEL_MAX_CHARS} printable characters`;
    }
  }
  const bytes = Buffer.byteLength(JSON.stringify(v));
  if (bytes > MAX_LABELS_BYTES) return `labels take ${bytes} bytes as JSON, at most ${MAX_LABELS_BYTES} fit in an announcement`;
  return undefined;
}

function shape(o: Record<string, unknown>): Datagram {
  need((DATAGRAM_KINDS as readonly unknown[]).includes(o.k), `"k" must be one of ${DATAGRAM_KINDS.join(', ')}`);
  need((ROLES as readonly unknown[]).includes(o.role), `"role" must be one of ${ROLES.join(', ')}`);
  const head = {
    v: DISCOVERY_VERSION, role: o.role as Role, id: text(o, 'id', ID_PATTERN), boot: text(o, 'boot'), seq: count(o, 'seq'), ts: count(o, 'ts'),
  } as const;
  switch (o.k as Datagram['k']) {
    case 'goodbye':
      return { ...head, k: 'goodbye' };
    case 'query':
      return o.want === undefined ? { ...head, k: 'query' } : { ...head, k: 'query', want: roles(o.want) };
    case 'announce': {
      const problem = labelProblem(o.labels);
      need(problem === undefined, `"labels": ${problem}`);
      return {
        ...head, k: 'announce', host: text(o, 'host'), ver: text(o, 'ver'), ivl: count(o, 'ivl'),
        ctl: urls(o, 'ctl'), nats: urls(o, 'nats'), w: count(o, 'w'), p: count(o, 'p'),
        labels: Object.fromEntries(Object.entries(o.labels as Record<string, string>)),
      };
    }
  }
}

/** Decodes and verifies one received datagram; never throws. Replays are the caller's business (see ReplayGuard). */
export function decodeDatagram(buf: Buffer, opts: DecodeOptions): Decoded {
  if (buf.length > MAX_DATAGRAM_BYTES) return { ok: false, reason: 'oversize', detail: `${buf.length} bytes (at most ${MAX_DATAGRAM_BYTES})` };
  const body = buf.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'malformed', detail: 'not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'malformed', detail: 'not a JSON object' };
  const o = parsed as Record<string, unknown>;
  if (o.v !== DISCOVERY_VERSION) {
    return typeof o.v === 'number' ? { ok: false, reason: 'version', detail: `version ${o.v} (this side speaks ${DISCOVERY_VERSION})` }
      : { ok: false, reason: 'malformed', detail: '"v" (version) missing' };
  }
  const sig = SIG_SUFFIX.exec(body);
  if (opts.key) {
    if (!sig) return { ok: false, reason: 'unsigned', detail: 'no signature, and a fleet key is configured' };
    const expected = mac(opts.key, body.slice(0, sig.index));
    const given = Buffer.from(sig[1], 'base64url');
    // The 43rd character carries 2 unused bits that decoding ignores: only the canonical spelling is the signature.
    const canonical = given.toString('base64url') === sig[1];
    if (!canonical || !timingSafeEqual(expected, given)) return { ok: false, reason: 'forged', detail: 'signature does not match the fleet key' };
  }
  let msg: Datagram;
  try {
    msg = shape(o);
  } catch (err) {
    if (err instanceof Malformed) return { ok: false, reason: 'malformed', detail: err.message };
    throw err;
  }
  const now = opts.now ?? Date.now();
  if (opts.key && Math.abs(now - msg.ts) > opts.maxSkewMs) {
    return { ok: false, reason: 'stale', detail: `timestamp ${((now - msg.ts) / 1000).toFixed(1)}s off (window ±${opts.maxSkewMs / 1000}s)` };
  }
  return { ok: true, msg, signed: sig !== null && opts.key !== undefined };
}
