// ringctl argument vectors, fuzzed (FUZZ_CASES, default 10,000; FUZZ_SEED replays): the program built from the
// catalogue (ctl/program.ts, exitOverride) runs each argv in process against ringd's own control server and dispatcher
// over a real arbiter. Every run ends with an exit code of docs/ctl.md, and every error is one plain line: no stack
// trace, no hang. Then a few argvs through the real bin/ringctl.js against a real ringd. The corpus
// (test/fuzz/corpus/cli/, one JSON argv per file) is replayed first. FUZZ_TRACE=FILE appends each argv to FILE.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { ControlServer } from '../../agent/transport/control.ts';
import { UsageError } from '../../ctl/args.ts';
import { EXIT } from '../../ctl/errors.ts';
import { buildProgram, commandEntries } from '../../ctl/program.ts';
import { errorReply } from '../../protocol/replies.ts';
import { startControl, type TestControl } from '../support/control.ts';
import { ringctl } from '../support/ringctl.ts';
import { startRingdControl, stopAllRingd, type RingdControl } from '../support/ringd-control.ts';
import { tmpDir } from '../support/tmp.ts';
import { corpus } from './lib/corpus.ts';
import { fuzzSettings, Rand } from './lib/rand.ts';
import { plainReason } from './lib/replies.ts';
import { dangerous, FUZZ_WATCHERS, PROTECTED_WATCHERS, THROWAWAY_WATCHER } from './lib/requests.ts';
import { killLeftovers } from './lib/leftovers.ts';

const MAX_REQUEST_BYTES = 65_536;
/** A run taking longer than this is a hang. */
const HANG_MS = 30_000;
const REAL_RUNS = 10;
/**
 * ringctl prints with process.stdout.write, captured here while a run lasts. The test runner reports through the same
 * stream, a moment after each test ends: each in-process test first lets that report out.
 */
const REPORT_SETTLE_MS = 300;
const settle = () => new Promise((r) => setTimeout(r, REPORT_SETTLE_MS));
/** Commands that never end by themselves (they stream until Ctrl-C): not fuzzed in process. */
const ENDLESS = new Set(['listen']);
const CODES = new Set<number>(Object.values(EXIT));
const MUTATING = new Set(commandEntries().filter((e) => e.mutates).map((e) => e.name));
const { seed, cases } = fuzzSettings();

let t: TestControl;
let server: ControlServer;
let ringd: RingdControl;
const saved = { home: process.env.HOME, nats: process.env.RING_NATS, endpoint: process.env.CIRCUSCTL_ENDPOINT };
before(async () => {
  t = await startControl(FUZZ_WATCHERS);
  // The fuzz guard: a request that would change more than the throwaway watcher is refused before the dispatcher.
  server = await ControlServer.bind({
    endpoint: 'tcp://127.0.0.1:0', maxRequestBytes: MAX_REQUEST_BYTES,
    handle: async (body) => (dangerous(body) ? errorReply('refused by the fuzz guard', 3, (JSON.parse(body.toString()) as { id?: string }).id) : t.dispatcher.handle(body)),
  });
  ringd = await startRingdControl(FUZZ_WATCHERS, { prefix: 'fuzz-cli' });
  Object.assign(process.env, { HOME: tmpDir('fuzz-cli-home'), CIRCUSCTL_ENDPOINT: server.endpoint });
  delete process.env.RING_NATS; // fleet mode must find no NATS: nothing here may reach a real server
});
after(async () => {
  for (const [k, v] of Object.entries({ HOME: saved.home, RING_NATS: saved.nats, CIRCUSCTL_ENDPOINT: saved.endpoint })) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await server?.close();
  await t?.close();
  await stopAllRingd();
  killLeftovers();
});

const ENTRIES = commandEntries().filter((e) => !ENDLESS.has(e.name));
const WORDS = [...PROTECTED_WATCHERS, THROWAWAY_WATCHER, 'nope', '*', '1', '0', '-1', '2.5', 'TERM', 'KILL', '9', 'true', 'x'.repeat(300), '{}', '{"numprocesses": 2}',
  '[1]', 'numprocesses', 'graceful_timeout', 'sleep 1000', '""', "'", '--', '-', '=', 'é😀', '\u0000', 'a=b', 'role=web'];

/** One argv: global options, a command (usually a real one), words and options (its own and others'). */
function argv(r: Rand): string[] {
  const out: string[] = [];
  for (let n = r.int(3); n > 0; n--) out.push(...r.pick([['--json'], ['--timeout', r.pick(['2', '0', '-1', 'abc', '1e9'])], ['--curve-server-key', r.str(40)], ['-e', r.pick(['bogus', '', 'http://x'])], ['--bogus'], ['-V'], ['--help']]));
  const entry = r.pick(ENTRIES);
  out.push(r.chance(0.9) ? (r.chance(0.1) ? entry.name.toUpperCase() : entry.name) : r.pick(['nosuch', 'ipython', '', r.str(8)]));
  const options = Object.keys(entry.properties);
  for (let n = r.int(6); n > 0; n--) {
    const o = r.pick(options.length ? options : ['name']);
    out.push(...r.pick<() => string[]>([
      () => [r.pick(WORDS)], () => [r.pick(WORDS)], () => [r.str(10)], () => [`--${o}`, r.pick(WORDS)], () => [`--${o}=${r.pick(WORDS)}`], () => [`--no-${o}`],
      () => [r.pick(['--wait', '--waiting', '--json', '--terminate', '--all', '--help'])], () => ['--host', r.pick(WORDS)], () => ['--label', r.pick(WORDS)], () => [`--${r.str(6)}`],
    ])());
  }
  return out.filter((w) => !ENDLESS.has(w.toLowerCase()));
}

/** Runs one argv in process: the exit code and what it printed. */
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let code: number | undefined;
  let out = '';
  let err = '';
  const program = buildProgram((c) => (code ??= c));
  program.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  for (const c of program.commands) c.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) }).exitOverride();
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      program.parseAsync(args, { from: 'user' }),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`hang: no result within ${HANG_MS} ms`)), HANG_MS); }),
    ]);
  } catch (e) {
    if ((e as Error).message.startsWith('hang:')) throw e;
    if (e instanceof CommanderError) code ??= ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(e.code) ? EXIT.ok : EXIT.usage;
    else if (e instanceof UsageError) code ??= EXIT.usage;
    else throw new Error(`an error escaped the program: ${(e as Error).stack}`);
  } finally {
    clearTimeout(timer);
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
  return { code: code ?? EXIT.ok, out, err };
}

function checkRun(args: string[], res: { code: number; err: string }, where: string): void {
  assert.ok(CODES.has(res.code), `${where}: exit code ${res.code} for ${JSON.stringify(args)}`);
  if (res.err.trim()) plainReason(res.err, `${where}: ${JSON.stringify(args)}`);
}

test('the cli corpus is replayed in process: an exit code and plain words for each', async () => {
  await settle();
  for (const e of corpus('cli')) {
    const args = JSON.parse(e.data.toString('utf8')) as string[];
    checkRun(args, await run(args), `corpus ${e.name}`);
  }
});

test(`${cases} fuzzed argument vectors in process (seed ${seed}): an exit code, plain errors, no hang`, async (tc) => {
  tc.diagnostic(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
  await settle();
  const before = Object.fromEntries(PROTECTED_WATCHERS.map((w) => [w, t.pids(w)]));
  const r = new Rand(seed);
  const codes = new Map<number, number>();
  const slow: Array<[number, string]> = [];
  for (let i = 0; i < cases; i++) {
    const args = argv(r);
    if (process.env.FUZZ_TRACE) appendFileSync(process.env.FUZZ_TRACE, `${JSON.stringify(args)}\n`);
    const t0 = performance.now();
    const res = await run(args).catch((e: Error) => assert.fail(`case ${i} (seed ${seed}) ${JSON.stringify(args)}: ${e.message}`));
    slow.push([performance.now() - t0, JSON.stringify(args)]);
    checkRun(args, res, `case ${i} (seed ${seed})`);
    codes.set(res.code, (codes.get(res.code) ?? 0) + 1);
  }
  tc.diagnostic(`slowest: ${slow.sort((a, b) => b[0] - a[0]).slice(0, 8).map(([ms, a]) => `${Math.round(ms)} ms ${a}`).join('; ')}`);
  tc.diagnostic(`exit codes: ${[...codes].sort().map(([c, n]) => `${c}: ${n}`).join(', ')}`);
  for (const w of PROTECTED_WATCHERS) assert.deepEqual(t.pids(w), before[w], w);
});

test(`${REAL_RUNS} fuzzed argument vectors through bin/ringctl.js against a real ringd: exit codes and plain errors`, async () => {
  const r = new Rand(seed ^ 0xc11);
  for (let i = 0; i < REAL_RUNS; i++) {
    let args = argv(r);
    // The real ringd is not guarded; a NUL byte cannot be passed in a real argv.
    while (args.some((a) => MUTATING.has(a.toLowerCase()) || a.includes('\u0000'))) args = argv(r);
    const res = await ringctl(['--endpoint', ringd.endpoints.control, ...args.filter((a) => a !== '-e')]);
    assert.ok(res.code !== null && CODES.has(res.code), `run ${i}: exit ${res.code} for ${JSON.stringify(args)}\n${res.stderr}`);
    if (res.stderr.trim()) plainReason(res.stderr, `run ${i}: ${JSON.stringify(args)}`);
  }
  assert.equal((await ringd.ok('status')).status, 'ok');
});
