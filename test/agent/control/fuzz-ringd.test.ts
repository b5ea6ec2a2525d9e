// Thousands of random and malformed frames against a real ringd's control endpoint, from a seeded PRNG (the seed is
// printed; FUZZ_SEED=<n> replays a run, FUZZ_FRAMES=<n> changes the count): random bytes, truncated and corrupted
// requests, wrong types for every property of the catalogue's commands, huge strings, deep JSON, invalid UTF-8,
// multi-frame messages, and quit/rm/stop/… with invalid properties. Valid mutating requests only ever target a
// throwaway watcher (`fuzzbox`) or watchers the fuzzer adds itself (`fuzzadd…`), run nothing but `sleep` and stay
// small: every frame is checked, with the catalogue's own validator, before it is sent. Afterwards ringd must be alive, answer, and
// its other processes must be the very same.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, findCommand, parseProps, type CommandDef, type PropSpec, type PropsSpec } from '../../../protocol/commands/index.ts';
import { pidAlive } from '../../support/proc.ts';
import { startRingdControl, stopAllRingd, waitPids, type RawDealer, type RingdControl } from '../../support/ringd-control.ts';
import { prng } from '../../support/prng.ts';
import { checkReply } from '../../fuzz/lib/replies.ts';

const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const FRAMES = Number(process.env.FUZZ_FRAMES ?? 3000);
const MAX_REQUEST_BYTES = 65_536;
const PROTECTED = ['sleeper', 'web', 'ticker'];

let r: RingdControl;
before(async () => {
  r = await startRingdControl(`
[watchers.sleeper]
cmd = "sleep 600"
numprocesses = 2

[watchers.web]
cmd = "sleep 601"
numprocesses = 2

[watchers.ticker]
cmd = "sh -c 'while true; do echo tick; sleep 0.2; done'"

# the only watcher valid mutating requests may touch
[watchers.fuzzbox]
cmd = "sleep 603"
graceful_timeout = "1s"
`, { prefix: 'ringd-fuzz', agent: `max_request_bytes = ${MAX_REQUEST_BYTES}\nloglevel = "info"` });
});
after(async () => {
  await stopAllRingd();
});

const rnd = prng(SEED);
const int = (n: number) => Math.floor(rnd() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)];
const chance = (p: number) => rnd() < p;

function bytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(256);
  return b;
}

const CHARS = ['a', 'z', 'Z', '0', ' ', '"', '\\', '/', '\n', '\t', '\u0000', '\u001f', 'é', '≥', '😀', '\ud800', '{', '}', '[', ']', ':', ','];
function str(max = 20): string {
  let s = '';
  const n = int(max + 1);
  for (let i = 0; i < n; i++) s += chance(0.6) ? String.fromCharCode(97 + int(26)) : pick(CHARS);
  return s;
}

type J = null | boolean | number | string | J[] | { [k: string]: J };
function jsonValue(depth = 0): J {
  switch (int(depth > 3 ? 5 : 7)) {
    case 0: return null;
    case 1: return chance(0.5);
    case 2: return pick([0, -1, 1, 2, 15, 1.5, -0.5, 1e308, -1e308, 2 ** 53 + 1, 4294967296, 1e-300]);
    case 3: return str();
    case 4: return pick(['', 'true', 'false', '1', '-1', '1.5', 'TERM', 'KILL', 'sleeper', 'fuzzbox', 'glob', '*', 'NaN']);
    case 5: return Array.from({ length: int(4) }, () => jsonValue(depth + 1));
    default: return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(['name', 'nb', 'a', str(6), 'numprocesses', 'cmd']), jsonValue(depth + 1)]));
  }
}

/** A value certain to be rejected for a property of this kind (null would mean "absent", so never null). */
function invalidValue(spec: PropSpec<unknown>): J {
  switch (spec.kind) {
    case 'string': return pick<J>([123, true, false, [], {}, 1.5, ['a'], { a: 1 }]);
    case 'integer': return pick<J>(['abc', 1.5, true, [], {}, '1.5', '', '0x10', ' 1', '1e3', [1]]);
    case 'number': return pick<J>(['abc', true, [], {}, '', ' ', 'x1', '1s', [1]]);
    case 'boolean': return pick<J>(['yes', 2, -1, [], {}, 'TRUE', 0.5, 'no', '1']);
    case 'signal': return pick<J>(['NOSIG', 0, 65, -1, 1.5, [], {}, true, 'SIG', '', '99', 'SIGTERMX']);
    case 'strings': return pick<J>(['abc', [1], [null], {}, 5, true, [['a']]]);
    case 'object': return pick<J>(['abc', [], 5, true, ['a']]);
    case 'choice': return pick<J>(['bogus', 5, true, [], 'GLOB', '']);
  }
}

const NAMES = [...PROTECTED, 'fuzzbox', 'Fuzzbox', 'nope', '*', 's*', '', 'SLEEPER', '.*', 'web|sleeper'];
/** A plausible value (often valid, sometimes not). */
function plausibleValue(key: string, spec: PropSpec<unknown>): J {
  if (key === 'name') return chance(0.9) ? pick(NAMES) : str();
  switch (spec.kind) {
    case 'string': return chance(0.5) ? pick(NAMES) : str();
    case 'integer': return pick([0, 1, 2, 3, 1000000, '2', -3]);
    case 'number': return pick([0, 0.5, 1, '1', 30]);
    case 'boolean': return pick([true, false, 'true', 0, 1]);
    case 'signal': return pick(['HUP', 'USR1', 'TERM', 15, '9', 'sigint', 'KILL']);
    case 'strings': return pick([[], ['numprocesses'], ['cmd', 'bogus'], [str()]]);
    case 'object': return pick([{}, { numprocesses: 2 }, { bogus: 1 }, { numprocesses: 'x' }, jsonValue()]);
    case 'choice': return pick([...(spec.choices ?? []), 'bogus']);
  }
}

const ENVELOPE_KEYS = ['id', 'command', 'properties', 'msg_type'];
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The command ringd would run for this body (same envelope rules and the catalogue's own validator), or null. */
function wouldRun(body: Buffer): { def: CommandDef<PropsSpec>; props: Record<string, unknown> } | null {
  let msg: unknown;
  try {
    msg = JSON.parse(utf8.decode(body));
  } catch {
    return null;
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return null;
  const m = msg as Record<string, unknown>;
  if (Object.keys(m).some((k) => !ENVELOPE_KEYS.includes(k))) return null;
  if (typeof m.command !== 'string') return null;
  if (m.msg_type !== undefined && m.msg_type !== 'cast' && m.msg_type !== 'call') return null;
  const def = findCommand(m.command);
  if (!def) return null;
  try {
    return { def, props: parseProps(def, m.properties) as Record<string, unknown> };
  } catch {
    return null;
  }
}

// What a valid mutating request may carry: option keys ringd either applies harmlessly or rejects (a, bogus).
const SAFE_OPTION_KEYS = new Set(['numprocesses', 'graceful_timeout', 'env', 'warmup_delay', 'a', 'bogus']);

/** A valid mutating request that only touches fuzz* watchers, never runs anything but `sleep`, never spawns many processes. */
function harmless(def: CommandDef<PropsSpec>, props: Record<string, unknown>): boolean {
  if (typeof props.name !== 'string' || !/^fuzz[a-z0-9]*$/i.test(props.name)) return false;
  if (props.nb !== undefined && !((props.nb as number) <= 2)) return false;
  if (def.name === 'add' && !(typeof props.cmd === 'string' && /^(sleep( [\w.]*)?|\s*|"|')$/.test(props.cmd))) return false;
  const options = props.options;
  if (options !== undefined) {
    for (const [k, v] of Object.entries(options as Record<string, unknown>)) {
      if (!SAFE_OPTION_KEYS.has(k)) return false;
      if (k === 'numprocesses' && !(typeof v === 'number' && v <= 3)) return false;
    }
  }
  return true;
}

/** True when ringd would run this frame as a request that changes something outside the throwaway watchers. */
function dangerous(frame: Buffer): boolean {
  const run = wouldRun(frame);
  return run !== null && run.def.mutates && !harmless(run.def, run.props);
}

let ids = 0;
function id(): J {
  switch (int(12)) {
    case 0: return null;
    case 1: return int(1e6);
    case 2: return { a: [1, 2] };
    case 3: return [str()];
    case 4: return str(40);
    case 5: return true;
    default: return `f-${++ids}`;
  }
}

const req = (command: string, properties?: J, extra: Record<string, J> = {}): Buffer =>
  Buffer.from(JSON.stringify({ id: id(), command, ...(properties === undefined ? {} : { properties }), ...extra }));

/** Read-only requests with valid properties: the bases of truncation and corruption. */
function readOnlyRequest(): Buffer {
  const name = pick([...PROTECTED, 'fuzzbox']);
  return pick([
    () => req('list', {}), () => req('list', { name }), () => req('status', {}), () => req('status', { name }),
    () => req('stats', { name }), () => req('get', { name, keys: ['numprocesses', 'graceful_timeout'] }),
    () => req('options', { name }), () => req('numprocesses', {}), () => req('globaloptions', { option: 'endpoint' }),
    () => req('dstats', {}), () => req('listsockets', {}), () => req('health', {}), () => req('tail', { name, lines: 3 }),
    () => req('numwatchers'),
  ])();
}

function corrupt(frame: Buffer): Buffer {
  const b = Buffer.from(frame);
  const edits = 1 + int(3);
  let out = b;
  for (let e = 0; e < edits; e++) {
    const at = int(out.length);
    switch (int(4)) {
      case 0: out[at] ^= 1 << int(8); break;
      case 1: out[at] = int(256); break;
      case 2: out = Buffer.concat([out.subarray(0, at), bytes(1 + int(3)), out.subarray(at)]); break;
      default: out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + int(3))]); break;
    }
  }
  return out;
}

/** Wrong types for the properties of a random command of the catalogue (at least one certainly invalid). */
function wrongTypes(): Buffer {
  const def = pick(COMMANDS);
  const props: Record<string, J> = {};
  const entries = Object.entries(def.properties);
  for (const [key, spec] of entries) if (chance(0.6)) props[key] = plausibleValue(key, spec);
  if (entries.length > 0) {
    const [key, spec] = pick(entries);
    props[key] = invalidValue(spec);
  } else {
    props[str(8) || 'x'] = jsonValue();
  }
  if (chance(0.1)) props[pick(['bogus', 'waiting ', 'Name', str(5)])] = jsonValue();
  return req(chance(0.2) ? def.name.toUpperCase() : def.name, props, chance(0.1) ? { msg_type: 'cast' } : {});
}

/** quit, rm, stop and other destructive commands aimed at the real watchers, each with an invalid property. */
function destructiveInvalid(): Buffer {
  const def = findCommand(pick(['quit', 'rm', 'stop', 'restart', 'reload', 'kill', 'decr', 'signal', 'set', 'reloadconfig', 'start', 'add']))!;
  const props: Record<string, J> = {};
  for (const [key, spec] of Object.entries(def.properties)) {
    if (key === 'name') props.name = pick(PROTECTED);
    else if (spec.required || chance(0.5)) props[key] = plausibleValue(key, spec);
  }
  const keys = Object.keys(def.properties);
  if (keys.length > 0 && chance(0.8)) {
    const key = pick(keys);
    props[key] = invalidValue(def.properties[key]);
  } else {
    props[pick(['bogus', 'force', 'all', 'nostop '])] = true;
  }
  return req(def.name, props, chance(0.2) ? { msg_type: 'cast' } : {});
}

let added = 0;
/** Valid mutating requests, bounded, on the throwaway watcher or on watchers added by the fuzzer. */
function throwaway(): Buffer {
  const waiting = chance(0.3);
  const cast: Record<string, J> = chance(0.1) ? { msg_type: 'cast' } : {};
  const name = chance(0.8) ? 'fuzzbox' : 'FuzzBox';
  return pick([
    () => req('incr', { name, nb: 1, waiting }, cast),
    () => req('decr', { name, nb: 1, waiting }, cast),
    () => req('set', { name, options: { numprocesses: int(3) } }, cast),
    () => req('set', { name, options: { graceful_timeout: 1 + int(3) }, waiting }, cast),
    () => req('restart', { name, waiting }, cast),
    () => req('reload', { name, sequential: chance(0.5), waiting }, cast),
    () => req('stop', { name, waiting }, cast),
    () => req('start', { name, waiting }, cast),
    () => req('kill', { name, graceful_timeout: 0.5, waiting }, cast),
    () => req('signal', { name, signum: pick(['HUP', 'USR1', 'CONT']) }, cast),
    () => req('add', { name: `fuzzadd${++added}`, cmd: 'sleep 1000', options: chance(0.5) ? jsonValue() : { numprocesses: 1 } }, cast),
    () => req('add', { name: `fuzzadd${++added}`, cmd: pick(['', ' ', '"', "'", 'sleep 1000']), args: [str()], options: {} }, cast),
    () => req('rm', { name: `fuzzadd${1 + int(Math.max(1, added))}`, waiting }, cast),
  ])();
}

function huge(): Buffer {
  const size = chance(0.5) ? 10_000 + int(MAX_REQUEST_BYTES - 11_000) : MAX_REQUEST_BYTES + int(1_000_000);
  const big = 'x'.repeat(size);
  return pick([
    () => req('status', { name: big }),
    () => req('get', { name: 'web', keys: [big] }),
    () => req(big, {}),
    () => Buffer.from(JSON.stringify({ id: big, command: 'list' })),
    () => Buffer.from(big),
    () => req('add', { name: `fuzzadd${++added}`, cmd: `sleep ${big}`, waiting: true }),
  ])();
}

function deep(): Buffer {
  const depth = pick([100, 1000, 10_000, 30_000]);
  const arr = '['.repeat(depth) + ']'.repeat(depth);
  const obj = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  return Buffer.from(pick([
    () => arr,
    () => '['.repeat(depth),
    () => obj,
    () => `{"id":${arr},"command":"list","properties":{}}`,
    () => `{"id":"d","command":"status","properties":{"name":${arr}}}`,
    () => `{"id":"d","command":"set","properties":{"name":"fuzzbox","options":{"env":${obj}}}}`,
    () => `{"id":"d","command":"add","properties":{"name":"fuzzadd${++added}","cmd":"sleep 1000","options":${obj}}}`,
    () => `{"id":"d","command":"list","properties":${obj}}`,
    () => `{"id":${obj},"command":"nosuch"}`,
  ])());
}

function badUtf8(): Buffer {
  const base = readOnlyRequest();
  const at = 1 + int(base.length - 2);
  const junk = pick([[0xff], [0xfe, 0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]]);
  return Buffer.concat([base.subarray(0, at), Buffer.from(junk), base.subarray(at)]);
}

function envelopeFuzz(): Buffer {
  const body: Record<string, J> = {};
  if (chance(0.8)) body.id = id();
  if (chance(0.8)) body.command = chance(0.5) ? jsonValue() : pick(['list', 'LIST', ' list', 'list ', '', 'stop\u0000', 'status']);
  if (chance(0.7)) body.properties = chance(0.5) ? jsonValue() : pick([[], 'x', 5, true, null, {}]);
  if (chance(0.3)) body.msg_type = pick(['cast', 'call', 'CAST', '', 5, null, {}]);
  if (chance(0.2)) body[pick(['extra', 'ID', 'Command', str(4)])] = jsonValue();
  return Buffer.from(JSON.stringify(body));
}

interface Frame { frames: Buffer[]; kind: string }

function generate(): Frame {
  const roll = rnd();
  let kind: string;
  let make: () => Buffer[];
  if (roll < 0.10) { kind = 'random bytes'; make = () => [bytes(int(2000))]; }
  else if (roll < 0.15) { kind = 'random text'; make = () => [Buffer.from(str(200))]; }
  else if (roll < 0.23) { kind = 'truncated'; make = () => { const b = readOnlyRequest(); return [b.subarray(0, int(b.length))]; }; }
  else if (roll < 0.33) { kind = 'corrupted'; make = () => [corrupt(chance(0.9) ? readOnlyRequest() : throwaway())]; }
  else if (roll < 0.58) { kind = 'wrong types'; make = () => [wrongTypes()]; }
  else if (roll < 0.65) { kind = 'random JSON'; make = () => [Buffer.from(JSON.stringify(jsonValue()))]; }
  else if (roll < 0.73) { kind = 'envelope'; make = () => [envelopeFuzz()]; }
  else if (roll < 0.77) { kind = 'huge'; make = () => [huge()]; }
  else if (roll < 0.81) { kind = 'deep'; make = () => [deep()]; }
  else if (roll < 0.86) { kind = 'invalid UTF-8'; make = () => [badUtf8()]; }
  else if (roll < 0.92) {
    kind = 'multi-frame';
    make = () => Array.from({ length: 2 + int(4) }, () => pick([
      () => Buffer.alloc(0), () => bytes(int(40)), () => readOnlyRequest(), () => wrongTypes(), () => Buffer.from(str(10)),
    ])());
  }
  else if (roll < 0.97) { kind = 'destructive, invalid'; make = () => [destructiveInvalid()]; }
  else { kind = 'throwaway'; make = () => [throwaway()]; }
  // Never a request that ringd would run to change something beyond the throwaway watchers (multi-frame messages
  // included: ["", body] is a REQ envelope). A rejected draw is simply drawn again.
  for (;;) {
    const frames = make();
    if (!frames.some(dangerous)) return { kind, frames };
  }
}

test(`ringd survives ${FRAMES} random and malformed control frames (seed ${SEED}) undisturbed`, async (t) => {
  t.diagnostic(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED}), ${FRAMES} frames`);
  const before: Record<string, number[]> = {};
  for (const w of PROTECTED) before[w] = await waitPids(r, w, w === 'ticker' ? 1 : 2);
  const d: RawDealer = r.raw();
  const kinds = new Map<string, number>();
  const sentAt = Date.now();
  for (let i = 0; i < FRAMES; i++) {
    const { kind, frames } = generate();
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    await d.send(frames);
    if (i % 250 === 249) {
      // ringd still answers a valid request in the middle of it all
      const s = await r.control.call('status', { name: 'sleeper' }, { timeoutMs: 30_000 });
      assert.equal(s.status, 'active', `after frame ${i + 1} (seed ${SEED})`);
    }
  }
  // A valid request on the fuzzing socket itself, as the last frame: its reply ends the flood.
  await d.send(JSON.stringify({ id: 'fuzz-end', command: 'status', properties: {} }));
  await new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const poll = () => {
      if (d.received.some((f) => f[f.length - 1].toString().includes('"id": "fuzz-end"'))) return resolve();
      if (Date.now() > deadline) return reject(new Error(`no reply to the final status on the fuzzing socket (seed ${SEED})`));
      setTimeout(poll, 50);
    };
    poll();
  });
  t.diagnostic(`${FRAMES} frames in ${Date.now() - sentAt} ms, ${d.received.length} replies; ` +
    `${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  d.received.forEach((frames, i) => checkReply(frames[frames.length - 1].toString('utf8'), `reply ${i} (seed ${SEED})`));
  assert.ok(d.received.length > FRAMES / 2, `most frames were answered (${d.received.length} replies)`);

  assert.ok(pidAlive(r.pid) && r.ringd.child.exitCode === null, `ringd is still running (seed ${SEED})\n${r.ringd.output().slice(-3000)}`);
  const status = await r.ok('status');
  for (const w of PROTECTED) assert.equal((status.statuses as Record<string, string>)[w], 'active', `${w} (seed ${SEED})`);
  for (const w of PROTECTED) {
    assert.deepEqual(await r.pids(w), before[w], `${w}'s processes were not disturbed (seed ${SEED})`);
    assert.ok(before[w].every(pidAlive));
  }
  // The dispatcher turns every failure into an error reply; the transport's fallback ("control handler failed") only
  // catches what escapes it: nothing may.
  const lines = r.ringd.output().split('\n');
  const escapes = lines.filter((l) => /control handler failed|uncaught|unhandled|internal error/i.test(l));
  assert.deepEqual(escapes, [], `every frame was handled by the dispatcher (seed ${SEED})`);
});

test('deeply nested JSON gets an ordinary error reply: no stack overflow in replies, property errors or option checks', async () => {
  const d = r.raw();
  const depth = 10_000; // 20 kB of brackets: well under max_request_bytes, and JSON.parse reads it fine
  const arr = '['.repeat(depth) + ']'.repeat(depth);
  const obj = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  const problems: string[] = [];
  const expect = async (what: string, body: string, ok: (reply: Record<string, unknown>) => boolean, want: string) => {
    const reply = JSON.parse(await d.request(body, 30_000)) as Record<string, unknown>;
    const got = `errno ${String(reply.errno)}, id ${JSON.stringify(reply.id)}, reason ${JSON.stringify(String(reply.reason).slice(0, 100))}`;
    if (!ok(reply)) problems.push(`${what}: expected ${want}; got ${got}`);
  };
  const sane = (reply: Record<string, unknown>) => !/call stack|internal error/i.test(String(reply.reason));
  // An id that cannot be echoed: still an error of the request itself (errno 1 or 3), not an internal error (errno 5).
  await expect('deep id', `{"id":${arr},"command":"list","properties":{}}`,
    (rep) => (rep.errno === 1 || rep.errno === 3) && sane(rep), 'errno 1 or 3 from the dispatcher');
  // A wrongly typed property: errno 3 naming it, as for any other wrong type.
  await expect('deep name', `{"id":"deep-name","command":"status","properties":{"name":${arr}}}`,
    (rep) => rep.errno === 3 && rep.id === 'deep-name' && /^property 'name' must be a string/.test(String(rep.reason)),
    "errno 3, \"property 'name' must be a string…\"");
  // Options that are no watcher options: errno 3 from the option checker.
  await expect('deep options', `{"id":"deep-add","command":"add","properties":{"name":"fuzzdeep","cmd":"sleep 1000","options":${obj}}}`,
    (rep) => rep.errno === 3 && rep.id === 'deep-add' && sane(rep), 'errno 3 naming the bad option');
  assert.deepEqual(problems, []);
  assert.ok(pidAlive(r.pid));
});
