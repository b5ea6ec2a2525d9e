// Control request bodies for the ZeroMQ and NATS fuzz suites, drawn from the command catalogue: junk, truncated and
// corrupted requests, wrong types for every property, odd envelopes, huge and deep JSON, invalid UTF-8, valid reads
// and bounded mutations. A body that would change anything beyond the throwaway watchers (`fuzz*`) is never produced:
// each one is checked with the catalogue's own validator (the dispatcher's rules) and drawn again when it would.
import { COMMANDS, findCommand, parseProps, type CommandDef, type PropSpec, type PropsSpec } from '../../../protocol/commands/index.ts';
import { corrupt, deepJson, type Json, type Rand } from './rand.ts';

/** Watchers a fuzzed request may name; only `fuzz*` ones may be changed. */
export const PROTECTED_WATCHERS = ['sleeper', 'web'];
export const THROWAWAY_WATCHER = 'fuzzbox';
const NAMES = [...PROTECTED_WATCHERS, THROWAWAY_WATCHER, 'Fuzzbox', 'nope', '*', 's*', '', 'SLEEPER', 'fuzzadd1'];
const ENVELOPE = ['id', 'command', 'properties', 'msg_type'];
const SAFE_OPTIONS = new Set(['numprocesses', 'graceful_timeout', 'warmup_delay', 'bogus', 'env', 'cmd']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The command and properties the dispatcher would run for this body, or null when it would refuse it. */
export function wouldRun(body: Buffer, subjectCommand?: string): { def: CommandDef<PropsSpec>; props: Record<string, unknown>; cast: boolean } | null {
  let msg: unknown;
  try {
    msg = body.length === 0 && subjectCommand ? { command: subjectCommand } : JSON.parse(utf8.decode(body));
  } catch {
    return null;
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return null;
  const m = { ...(msg as Record<string, unknown>) };
  if (subjectCommand && m.command === undefined) m.command = subjectCommand;
  if (Object.keys(m).some((k) => !ENVELOPE.includes(k)) || typeof m.command !== 'string') return null;
  if (m.msg_type !== undefined && m.msg_type !== 'cast' && m.msg_type !== 'call') return null;
  const def = findCommand(m.command);
  if (!def) return null;
  try {
    return { def, props: parseProps(def, m.properties) as Record<string, unknown>, cast: m.msg_type === 'cast' };
  } catch {
    return null;
  }
}

/** Whether a control endpoint answers this message (a valid cast gets no reply; anything refused does). */
export function expectsReply(frames: Buffer[], maxBytes: number): boolean {
  return frames.length !== 1 || frames[0].length > maxBytes || !wouldRun(frames[0])?.cast;
}

/** A valid mutating request is harmless when it only touches fuzz* watchers, runs nothing but `sleep`, stays small. */
function harmless(def: CommandDef<PropsSpec>, props: Record<string, unknown>): boolean {
  if (def.name === 'quit' || def.name === 'reloadconfig') return false;
  if (typeof props.name !== 'string' || !/^fuzz[a-z0-9]*$/i.test(props.name)) return false;
  if (props.nb !== undefined && !((props.nb as number) <= 2)) return false;
  if (def.name === 'add' && !(typeof props.cmd === 'string' && /^sleep( \d+)?$/.test(props.cmd) && ((props.args as unknown[] | undefined) ?? []).length === 0)) return false;
  for (const [k, v] of Object.entries((props.options ?? {}) as Record<string, unknown>)) {
    if (!SAFE_OPTIONS.has(k)) return false;
    if (k === 'numprocesses' && !(typeof v === 'number' && v <= 3)) return false;
    if (k === 'cmd' && !(typeof v === 'string' && /^sleep \d+$/.test(v))) return false;
  }
  return true;
}

/** True when the dispatcher would run this body as a request that changes something outside the throwaway watchers. */
export function dangerous(body: Buffer, subjectCommand?: string): boolean {
  const run = wouldRun(body, subjectCommand);
  return run !== null && run.def.mutates && !harmless(run.def, run.props);
}

/** A value certain to be rejected for a property of this kind. */
function invalidValue(r: Rand, spec: PropSpec<unknown>): Json {
  const bad: Record<string, Json[]> = {
    string: [123, true, [], {}, 1.5], integer: ['abc', 1.5, true, [], {}, '1e3', ' 1'], number: ['abc', true, [], {}, '', '1s'],
    boolean: ['yes', 2, -1, [], {}, 'TRUE'], signal: ['NOSIG', 0, 65, -1, 1.5, [], 'SIG'], strings: ['abc', [1], [null], {}, 5],
    object: ['abc', [], 5, true], choice: ['bogus', 5, true, [], ''],
  };
  return r.pick(bad[spec.kind]);
}

function plausibleValue(r: Rand, key: string, spec: PropSpec<unknown>): Json {
  if (key === 'name') return r.chance(0.9) ? r.pick(NAMES) : r.str();
  const good: Record<string, Json[]> = {
    string: [...NAMES, r.str()], integer: [0, 1, 2, 1_000_000, '2', -3], number: [0, 0.5, 1, '1', 30], boolean: [true, false, 'true', 0, 1],
    signal: ['HUP', 'USR1', 'TERM', 15, '9', 'KILL'], strings: [[], ['numprocesses'], [r.str()]],
    object: [{}, { numprocesses: 2 }, { bogus: 1 }, { cmd: 'sleep 7' }, r.json(['numprocesses', 'cmd', 'env'])],
    choice: [...(spec.choices ?? []), 'bogus'],
  };
  return r.pick(good[spec.kind]);
}

let ids = 0;
const idOf = (r: Rand): Json => r.pick<() => Json>([() => null, () => r.int(1e6), () => ({ a: [1] }), () => r.str(30), () => `f-${++ids}`, () => `f-${++ids}`])();

function request(r: Rand, command: string, properties?: Json, extra: Record<string, Json> = {}): Buffer {
  return Buffer.from(JSON.stringify({ id: idOf(r), command, ...(properties === undefined ? {} : { properties }), ...extra }));
}

/** A valid read-only request (the base of truncations and corruptions). */
export function readOnly(r: Rand): Buffer {
  const name = r.pick([...PROTECTED_WATCHERS, THROWAWAY_WATCHER]);
  return r.pick<() => Buffer>([
    () => request(r, 'list', {}), () => request(r, 'status', { name }), () => request(r, 'stats', { name }),
    () => request(r, 'get', { name, keys: ['numprocesses'] }), () => request(r, 'options', { name }), () => request(r, 'dstats', {}),
    () => request(r, 'health'), () => request(r, 'tail', { name, lines: 3 }), () => request(r, 'inventory'), () => request(r, 'numwatchers'),
  ])();
}

/** Wrong types for the properties of a random catalogue command (at least one certainly invalid). */
function wrongTypes(r: Rand): Buffer {
  const def = r.pick(COMMANDS);
  const props: Record<string, Json> = {};
  const entries = Object.entries(def.properties);
  for (const [key, spec] of entries) if (r.chance(0.6)) props[key] = plausibleValue(r, key, spec);
  if (entries.length) {
    const [key, spec] = r.pick(entries);
    props[key] = invalidValue(r, spec);
  } else {
    props[r.str(8) || 'x'] = r.json();
  }
  return request(r, r.chance(0.2) ? def.name.toUpperCase() : def.name, props, r.chance(0.1) ? { msg_type: 'cast' } : {});
}

/** Bounded, valid mutations on the throwaway watcher (or random ones that the safety check turns down). */
function mutation(r: Rand): Buffer {
  const def = r.pick(COMMANDS.filter((c) => c.mutates));
  const props: Record<string, Json> = {};
  for (const [key, spec] of Object.entries(def.properties)) {
    if (key === 'name') props.name = r.chance(0.8) ? THROWAWAY_WATCHER : r.pick(NAMES);
    else if (key === 'cmd') props.cmd = 'sleep 1000';
    else if (key === 'nb') props.nb = 1;
    else if (spec.required || r.chance(0.4)) props[key] = plausibleValue(r, key, spec);
  }
  if (def.name === 'add') props.name = `fuzzadd${r.int(5)}`;
  return request(r, def.name, props, r.chance(0.1) ? { msg_type: 'cast' } : {});
}

function envelope(r: Rand): Buffer {
  const body: Record<string, Json> = {};
  if (r.chance(0.8)) body.id = idOf(r);
  if (r.chance(0.8)) body.command = r.chance(0.5) ? r.json() : r.pick(['list', 'LIST', ' list', '', 'stop\u0000', 'status']);
  if (r.chance(0.7)) body.properties = r.chance(0.5) ? r.json(['name', 'nb']) : r.pick<Json>([[], 'x', 5, true, null, {}]);
  if (r.chance(0.3)) body.msg_type = r.pick<Json>(['cast', 'call', 'CAST', '', 5, null, {}]);
  if (r.chance(0.2)) body[r.pick(['extra', 'ID', r.str(4)])] = r.json();
  return Buffer.from(JSON.stringify(body));
}

function badUtf8(r: Rand): Buffer {
  const base = readOnly(r);
  const at = 1 + r.int(base.length - 2);
  const junk = r.pick([[0xff], [0xfe, 0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]);
  return Buffer.concat([base.subarray(0, at), Buffer.from(junk), base.subarray(at)]);
}

/** One fuzzed body and the kind of input it is; `subjectCommand` (NATS) fills an absent command. */
export function fuzzBody(r: Rand, maxBytes: number, subjectCommand?: string): { kind: string; body: Buffer } {
  const kinds: Array<[string, number, () => Buffer]> = [
    ['random bytes', 8, () => r.bytes(r.int(2000))],
    ['random text', 5, () => Buffer.from(r.str(200))],
    ['empty', 2, () => Buffer.alloc(0)],
    ['truncated', 8, () => { const b = readOnly(r); return b.subarray(0, r.int(b.length)); }],
    ['corrupted', 10, () => corrupt(r, r.chance(0.8) ? readOnly(r) : mutation(r))],
    ['wrong types', 22, () => wrongTypes(r)],
    ['random JSON', 6, () => Buffer.from(JSON.stringify(r.json(['id', 'command', 'properties'])))],
    ['envelope', 8, () => envelope(r)],
    ['huge', 2, () => Buffer.from(JSON.stringify({ id: 'h', command: 'status', properties: { name: 'x'.repeat(r.chance(0.5) ? maxBytes + r.int(100_000) : r.int(maxBytes - 100)) } }))],
    ['deep', 3, () => Buffer.from(r.chance(0.5) ? deepJson(r) : `{"id":"d","command":"status","properties":{"name":${deepJson(r)}}}`)],
    ['invalid UTF-8', 5, () => badUtf8(r)],
    ['valid read', 8, () => readOnly(r)],
    ['mutation', 13, () => mutation(r)],
  ];
  const total = kinds.reduce((n, k) => n + k[1], 0);
  for (;;) { // a draw that would be dangerous is drawn again, kind included (an empty body on ctl.quit always would be)
    let roll = r.int(total);
    const [kind, , make] = kinds.find((k) => (roll -= k[1]) < 0)!;
    const body = make();
    if (!dangerous(body, subjectCommand)) return { kind, body };
  }
}

/** The protected watchers and the throwaway one, as a config fragment. */
export const FUZZ_WATCHERS = `
[watchers.sleeper]
cmd = "sleep 600"
numprocesses = 2

[watchers.web]
cmd = "sleep 601"

[watchers.${THROWAWAY_WATCHER}]
cmd = "sleep 603"
graceful_timeout = "1s"
`;
