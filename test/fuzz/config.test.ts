// TOML configs, fuzzed (FUZZ_CASES, default 10,000; FUZZ_SEED replays): valid configs (examples/, the full fixture)
// mutated and loaded with ringd's own loader. Every result is a config or a list of problems, each naming its file
// and saying plainly what is wrong; nothing throws or hangs. Then real processes: `ringd --check-config` on a batch,
// and a running ringd reloaded (SIGHUP) with mutated configs: it refuses the bad ones, keeps running and answering.
// The corpus (test/fuzz/corpus/config/) is replayed first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkConfig } from '../../agent/config/index.ts';
import { fixture } from '../support/fixtures.ts';
import { agentSection } from '../support/ringd.ts';
import { startRingdControl, stopAllRingd, type RingdControl } from '../support/ringd-control.ts';
import { tmpDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { corpus } from './lib/corpus.ts';
import { fuzzSettings, Rand } from './lib/rand.ts';
import { plainReason } from './lib/replies.ts';
import { defang, mutateToml } from './lib/toml.ts';

/** Real processes: `ringd --check-config` runs, and SIGHUP reloads of a running ringd. */
const CHECK_CONFIG_RUNS = 12;
const RELOADS = 30;
const RINGD_MAIN = fileURLToPath(new URL('../../agent/main.ts', import.meta.url));
const BASES = [fileURLToPath(new URL('../../examples/local.toml', import.meta.url)), fileURLToPath(new URL('../../examples/web.toml', import.meta.url)), fixture('fault-full.toml')]
  .map((f) => readFileSync(f, 'utf8'));
const { seed, cases } = fuzzSettings();

const dir = tmpDir('fuzz-config');
mkdirSync(join(dir, 'conf.d'));
writeFileSync(join(dir, 'conf.d', 'extra.toml'), '[watchers.extra]\ncmd = "sleep 602"\n');
const file = join(dir, 'ringd.toml');

/** An include that could leave the test's folder (an absolute path, ..) is pointed back into it. */
const confine = (text: string) => text.split('\n').map((l) => (/^\s*include\s*=/.test(l) && /["'\s[]\/|\.\./.test(l) ? 'include = "conf.d/*.toml"' : l)).join('\n');

/** Loads `text` as the main config; checks the outcome is a config or plain, located problems. */
async function check(text: string, where: string): Promise<'valid' | 'invalid'> {
  writeFileSync(file, text);
  let result: Awaited<ReturnType<typeof checkConfig>>;
  try {
    result = await checkConfig(file);
  } catch (err) {
    assert.fail(`${where}: the loader threw instead of listing problems: ${(err as Error).stack}\n--- config ---\n${text}`);
  }
  if (result.config) {
    assert.deepEqual(result.issues, [], where);
    return 'valid';
  }
  assert.ok(result.issues.length > 0, `${where}: neither a config nor a problem`);
  for (const issue of result.issues) {
    assert.ok(typeof issue.file === 'string' && issue.file.length > 0, `${where}: a problem without its file: ${JSON.stringify(issue)}`);
    plainReason(issue.message, `${where}: ${issue.key}`);
  }
  return 'invalid';
}

let ringd: RingdControl;
before(async () => {
  ringd = await startRingdControl('[watchers.keeper]\ncmd = "sleep 600"\n', { prefix: 'fuzz-config-ringd' });
});
after(async () => {
  await stopAllRingd();
});

test('the config corpus is replayed: each input gets a config or plain problems', async () => {
  for (const e of corpus('config')) await check(confine(e.data.toString('utf8')), `corpus ${e.name}`);
});

test(`${cases} mutated configs (seed ${seed}) load to a config or to plain problems naming the file`, async (tc) => {
  tc.diagnostic(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
  const r = new Rand(seed);
  const outcomes = { valid: 0, invalid: 0 };
  for (let i = 0; i < cases; i++) {
    const text = confine(mutateToml(r, r.pick(BASES)));
    outcomes[await check(text, `case ${i} (seed ${seed})`)]++;
  }
  tc.diagnostic(`${outcomes.valid} still valid, ${outcomes.invalid} refused`);
  assert.ok(outcomes.valid > 0 && outcomes.invalid > 0);
});

test(`ringd --check-config on ${CHECK_CONFIG_RUNS} mutated configs: exit 0 or 1, plain words, no stack trace`, () => {
  const r = new Rand(seed ^ 0xc0f);
  for (let i = 0; i < CHECK_CONFIG_RUNS; i++) {
    writeFileSync(file, confine(mutateToml(r, r.pick(BASES))));
    const run = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), RINGD_MAIN, '--check-config', file], { encoding: 'utf8', timeout: 60_000 });
    assert.ok(run.status === 0 || run.status === 1, `run ${i}: exit ${run.status} (seed ${seed})\n${run.stderr}`);
    if (run.status === 1) plainReason(run.stderr + run.stdout, `run ${i} (seed ${seed})`);
  }
});

test(`a running ringd reloaded with ${RELOADS} mutated configs refuses the bad ones and keeps answering (seed ${seed})`, async () => {
  const r = new Rand(seed ^ 0x41d);
  const header = `${agentSection(ringd.dir)}\n`;
  const base = '[watchers.keeper]\ncmd = "sleep 600"\n\n[watchers.web]\ncmd = "sleep 601"\nnumprocesses = 2\ngraceful_timeout = "1s"\nmax_age = "1h"\n';
  for (let i = 0; i < RELOADS; i++) {
    const body = defang(mutateToml(r, base));
    writeFileSync(ringd.configPath, `${header}${body}`);
    const from = ringd.ringd.output().length;
    process.kill(ringd.pid, 'SIGHUP');
    const said = await waitFor(() => /reloaded: |reload refused/.exec(ringd.ringd.output().slice(from))?.[0], { what: `reload ${i} to be applied or refused`, timeoutMs: 60_000 });
    const status = await ringd.control.call('status', {}, { timeoutMs: 30_000 });
    assert.equal(status.status, 'ok', `reload ${i} (${said}, seed ${seed}): ${JSON.stringify(status)}\n--- config ---\n${body}`);
    if (said === 'reload refused') plainReason(ringd.ringd.output().slice(from), `reload ${i} (seed ${seed})`);
  }
  assert.equal(ringd.ringd.child.exitCode, null, 'ringd is still running');
  writeFileSync(ringd.configPath, `${header}[watchers.keeper]\ncmd = "sleep 600"\n`);
  process.kill(ringd.pid, 'SIGHUP');
  await waitFor(async () => JSON.stringify(Object.keys(((await ringd.ok('status')).statuses) as object)) === '["keeper"]', { what: 'the last, valid reload', timeoutMs: 60_000 });
});
