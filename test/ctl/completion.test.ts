// ringctl's shell completion in a real bash (and zsh when installed): commands, options, values, live names from a real ringd and fleet, the cache.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandEntries } from '../../ctl/program.ts';
import { installTarget } from '../../ctl/completion/scripts.ts';
import { fromCompWords } from '../../ctl/completion/words.ts';
import { fleetClient, fleetDir, startFleetAgent, startRingmaster, waitFleet, type Ringmaster } from '../support/fleet.ts';
import { startNats, type TestNats } from '../support/nats.ts';
import { staticImports } from '../support/imports.ts';
import { freePort } from '../support/ports.ts';
import { startRingdControl, type RingdControl } from '../support/ringd-control.ts';
import type { Ringd } from '../support/ringd.ts';
import { tmpDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

const RINGCTL = fileURLToPath(new URL('../../bin/ringctl.js', import.meta.url));
const dir = tmpDir('ringctl-completion');
const bin = join(dir, 'bin');
mkdirSync(bin);
writeFileSync(join(bin, 'ringctl'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(RINGCTL)} "$@"\n`, { mode: 0o755 });
const ENV = {
  ...process.env, PATH: `${bin}:${process.env.PATH}`, HOME: join(dir, 'home'), XDG_CACHE_HOME: join(dir, 'cache'), RING_NATS: '', CIRCUSCTL_ENDPOINT: '',
};

interface Run { code: number | null; stdout: string; stderr: string }

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...ENV, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Words as bash puts them in COMP_WORDS: split after and before `=` and `:` (COMP_WORDBREAKS). */
const bashWords = (...words: string[]): string[] => words.flatMap((w) => (w === '' ? [''] : w.split(/([=:]+)/).filter(Boolean)));

const CALL = 'fn=$(complete -p ringctl | sed -E "s/.* -F ([^ ]+) .*/\\1/"); COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); "$fn"; printf "%s\\n" "${COMPREPLY[@]}"';
let script = '';

/** COMPREPLY after the function `complete -p ringctl` names ran on COMP_WORDS = words, the cursor on the last word. */
async function complete(words: string[], env: Record<string, string> = {}): Promise<string[]> {
  const r = await run('bash', ['--norc', '--noprofile', '-c', `source "$1"; shift; ${CALL}`, 'bash', script, 'ringctl', ...words], env);
  assert.deepEqual([r.code, r.stderr], [0, ''], 'completion prints no errors');
  return r.stdout.split('\n').filter(Boolean);
}

before(async () => {
  const r = await run('ringctl', ['completion', 'bash']);
  assert.equal(r.code, 0, r.stderr);
  script = join(dir, 'ringctl.bash');
  writeFileSync(script, r.stdout);
});

describe('ringctl completion: the catalogue', () => {
  it('`source <(ringctl completion bash)` registers a function that completes command names as the catalogue has them', async () => {
    const r = await run('bash', ['--norc', '--noprofile', '-c', `source <(ringctl completion bash); ${CALL}`, 'bash', 'ringctl', 're']);
    assert.equal(r.stderr, '');
    const expected = commandEntries().map((c) => c.name).filter((n) => n.startsWith('re')).sort();
    assert.deepEqual(r.stdout.split('\n').filter(Boolean), expected);
    assert.ok(expected.includes('reloadconfig') && expected.includes('restart'));
  });

  it('every visible command, the hidden __complete excluded', async () => {
    const all = await complete(['']);
    for (const c of commandEntries()) assert.ok(all.includes(c.name), c.name);
    assert.ok(all.includes('completion') && all.includes('shell') && all.includes('help'));
    assert.ok(!all.includes('__complete'));
  });

  it('options of the command, global options when none of its own match', async () => {
    assert.deepEqual(await complete(['incr', '--w']), ['--wait']);
    assert.deepEqual(await complete(['start', '--ma']), ['--match']);
    assert.deepEqual(await complete(['status', '--end']), ['--endpoint']);
    assert.ok((await complete(['--'])).includes('--nats'));
  });

  it('option values: choices, signals, watcher option keys; positional arguments follow the catalogue', async () => {
    assert.deepEqual(await complete(['start', '--match', '']), ['glob', 'regex', 'simple']);
    assert.deepEqual(await complete(bashWords('start', '--match=re')), ['regex']);
    const signals = await complete(['signal', 'web', '']);
    assert.ok(signals.includes('HUP') && signals.includes('TERM') && signals.includes('USR1'), signals.join(' '));
    assert.deepEqual(await complete(['signal', 'web', 'SIGH']), ['SIGHUP']);
    assert.ok((await complete(['kill', 'web', '--signum', 'K'])).includes('KILL'));
    assert.deepEqual(await complete(['get', 'web', 'numproc']), ['numprocesses']);
    assert.ok((await complete(['set', 'web', 'grace'])).includes('graceful_timeout'));
    assert.deepEqual(await complete(['set', 'web', 'numprocesses', '']), []);
    assert.deepEqual(await complete(['completion', '']), ['bash', 'zsh']);
    assert.deepEqual(await complete(['help', 'numw']), ['numwatchers']);
  });

  it('an unreachable target or a bad context file gives no names and no error', async () => {
    const ep = `tcp://127.0.0.1:${await freePort()}`;
    assert.deepEqual(await complete(bashWords('--endpoint', ep, 'rollout', '')), ['reload', 'restart']);
    assert.deepEqual(await complete(bashWords('--endpoint', ep, 'start', '')), []);
    assert.deepEqual(await complete(['--context', join(dir, 'missing.toml'), 'start', '']), []);
    const direct = await run('ringctl', ['__complete', '4', '--', 'ringctl', '--endpoint', ep, 'start', '']);
    assert.deepEqual(direct, { code: 0, stdout: '', stderr: '' });
  });

  it('the words bash split at `=`, `:` and `@` are joined again; only the text after the last one is replaced', () => {
    const nats = fromCompWords(['ringctl', '--nats', 'nats', ':', '//u', ':', 'p', '@', 'h', ':', '4222', 'start', 'w'], 12);
    assert.deepEqual(nats, { words: ['ringctl', '--nats', 'nats://u:p@h:4222', 'start', 'w'], cword: 4, strip: 0 });
    assert.deepEqual(fromCompWords(['ringctl', 'status', '--label', 'role', '='], 4), { words: ['ringctl', 'status', '--label', 'role='], cword: 3, strip: 5 });
    assert.deepEqual(fromCompWords(['ringctl', 'get', "'web'", '"num'], 3), { words: ['ringctl', 'get', 'web', 'num'], cword: 3, strip: 0 });
  });

  it('--install writes the script where each shell looks for it', () => {
    const env = { HOME: '/home/ann' };
    assert.equal(installTarget('bash', 0, env).file, '/etc/bash_completion.d/ringctl');
    assert.equal(installTarget('bash', 1000, env).file, '/home/ann/.local/share/bash-completion/completions/ringctl');
    assert.equal(installTarget('zsh', 1000, env).file, '/home/ann/.zfunc/_ringctl');
    assert.match(installTarget('zsh', 1000, env).note, /fpath=\(~\/\.zfunc \$fpath\)/);
    assert.match(installTarget('zsh', 0, env).file, /site-functions\/_ringctl$/);
  });

  it('zsh loads the script after compinit (skipped without zsh)', async (t) => {
    if (spawnSync('sh', ['-c', 'command -v zsh']).status !== 0) return t.skip('zsh is not installed');
    const r = await run('zsh', ['-f', '-c', 'autoload -U compinit; compinit -u -D; source <(ringctl completion zsh); print -r -- ${_comps[ringctl]}']);
    assert.deepEqual([r.code, r.stderr, r.stdout], [0, '', '_ringctl\n']);
  });
});

describe('ringctl completion: the fast path of a TAB', () => {
  it('loads neither commander, the catalogue, the config loader, zeromq nor NATS', () => {
    const loaded = [...staticImports(fileURLToPath(new URL('../../ctl/completion/fast.ts', import.meta.url)))];
    const heavy = loaded.filter((m) => /^(commander|zeromq|@nats-io|smol-toml)|\/(protocol|controller)\/|\/config\/(?!shlex)|\/(program|context|live|spec)\.ts$/.test(m));
    assert.deepEqual(heavy, []);
    assert.ok(loaded.some((m) => m.endsWith('/completion/engine.ts')), 'it computes the candidates itself');
  });

  it('the first TAB saves the spec of the command line; the next ones answer from it, with no names cached as without them', async () => {
    const env = { XDG_CACHE_HOME: join(dir, 'fast-cache') };
    assert.deepEqual(await complete(['sta'], env), ['start', 'stats', 'status']);
    const saved = readdirSync(join(dir, 'fast-cache', 'ringmaster'));
    assert.equal(saved.length, 1, `one file: the spec (${saved.join(', ')})`);
    assert.deepEqual(await complete(['signal', 'web', 'HU'], env), ['HUP']);
    assert.deepEqual(await complete(['get', 'web', 'graceful_t'], env), ['graceful_timeout']);
    assert.deepEqual(await complete(['import-circus', '--o'], env), ['--output']);
  });
});

describe('ringctl completion: live names from ringd, cached', () => {
  let r: RingdControl;
  before(async () => {
    r = await startRingdControl('[watchers.web]\ncmd = "sleep 600"\n\n[watchers.worker]\ncmd = "sleep 600"\n\n[watchers.api]\ncmd = "sleep 600"\n');
  });
  after(async () => {
    await r?.stop();
  });

  it('watcher names from the target the line names (--endpoint, --endpoint=, CIRCUSCTL_ENDPOINT)', async () => {
    const ep = r.endpoints.control;
    assert.deepEqual(await complete(bashWords('--endpoint', ep, 'start', 'w')), ['web', 'worker']);
    assert.deepEqual(await complete(bashWords(`--endpoint=${ep}`, 'signal', '')), ['api', 'web', 'worker']);
    assert.deepEqual(await complete(['stop', '--name', 'a'], { CIRCUSCTL_ENDPOINT: ep }), ['api']);
    assert.deepEqual(await complete(bashWords('-e', ep, 'rollout', '')), ['api', 'reload', 'restart', 'web', 'worker']);
  });

  it('names are cached per target: within the TTL ringd is not asked; after it, the stale names answer once while they are fetched again, then none', async () => {
    const ep = r.endpoints.control;
    assert.deepEqual(await complete(bashWords('--endpoint', ep, 'restart', '')), ['api', 'web', 'worker']);
    assert.ok(readdirSync(join(dir, 'cache', 'ringmaster')).some((f) => /^complete-\w+\.json$/.test(f)));
    await r.stop();
    const long = { RINGCTL_COMPLETION_TTL: '3600' };
    assert.deepEqual(await complete(bashWords('--endpoint', ep, 'restart', ''), long), ['api', 'web', 'worker'], 'from the cache: ringd is gone');
    // Past the TTL a TAB does not wait for the target: it answers from the names it has and a
    // detached ringctl fetches them again (the full path alone would answer nothing, after a timeout).
    assert.deepEqual(await complete(bashWords('--endpoint', ep, 'restart', ''), { RINGCTL_COMPLETION_TTL: '0' }), ['api', 'web', 'worker'], 'stale names, refreshed behind');
    await waitFor(async () => (await complete(bashWords('--endpoint', ep, 'restart', ''), { RINGCTL_COMPLETION_TTL: '1' })).length === 0,
      { what: 'the cached names to expire', timeoutMs: 60_000, intervalMs: 200 });
  });
});

describe('ringctl completion: hosts, labels and watchers of a fleet', () => {
  let nats: TestNats;
  let ctl: Ringmaster;
  const agents: Ringd[] = [];
  before(async () => {
    nats = await startNats();
    const fleet = fleetDir('ring-ctl-completion');
    ctl = startRingmaster(fleet, [nats.url], { id: 'ctl-1' });
    agents.push(startFleetAgent(fleet, [nats.url], { id: 'web-1', labels: { role: 'web' }, watchers: '[watchers.web]\ncmd = "sleep 600"' }));
    agents.push(startFleetAgent(fleet, [nats.url], { id: 'db-1', labels: { role: 'db', dc: 'par1' }, watchers: '[watchers.pg]\ncmd = "sleep 600"' }));
    const nc = await fleetClient([nats.url]);
    await waitFleet(nc, (s) => s.agents.filter((a) => a.state === 'alive' && a.inventory).length === 2, 'two agents with their inventory');
    await nc.close();
  });
  after(async () => {
    for (const a of agents) await a.stop('SIGKILL');
    await ctl?.stop('SIGKILL');
    await nats?.stop();
  });

  it('watchers are the union over the fleet; --host and --label complete from its members', async () => {
    const n = bashWords('--nats', nats.url);
    assert.deepEqual(await complete([...n, 'start', '']), ['pg', 'web']);
    assert.deepEqual(await complete([...n, 'status', '--host', '']), ['db-1', 'web-1']);
    assert.deepEqual(await complete([...n, 'status', '--host', 'web-1,d']), ['web-1,db-1']);
    assert.deepEqual(await complete([...n, 'status', '--label', '']), ['dc=par1', 'role=db', 'role=web']);
    assert.deepEqual(await complete(bashWords('status', '--label', 'role=w'), { RING_NATS: nats.url }), ['web']);
  });
});
