// Salt without Salt (Debian 12 has no salt package): renders the ringmaster formula with salt_render.py, then
// applies the rendered states the way salt-call would, for the state functions the formula uses — file.managed
// (check_cmd on a temporary file, written only when the content differs), file.directory (clean), cmd.run
// (onchanges, unless, stateful) — running their exact commands. Other states go to handlers given by the test.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const RENDER = fileURLToPath(new URL('salt_render.py', import.meta.url));
/** Debian's python3 (where apt installs python3-jinja2), else whichever is on PATH. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export interface SaltState {
  id: string;
  state: string;
  fun: string;
  args: Record<string, unknown>;
  sls: string;
  /** The file.managed template rendered with its context. */
  rendered?: string;
}

export interface Rendered {
  pillar: Record<string, unknown>;
  states: SaltState[];
}

export interface StateResult {
  result: boolean;
  changed: boolean;
  comment: string;
}

export interface ApplyOptions {
  /** Rewrites the formula's absolute paths into the scratch root (applied to names, contents and commands). */
  remap: (text: string) => string;
  /** Environment of every command (PATH leading to ringd / ringctl / ringmaster). */
  env: NodeJS.ProcessEnv;
  /** States handled by the test (service.running…): `changes` tells whether a watched requisite changed. */
  handlers: Record<string, (s: SaltState, changes: boolean) => Promise<StateResult>>;
  /** SLS whose states are taken as done (the package install: npm, systemctl). */
  assumeDone: string[];
}

export interface Applied {
  results: Map<string, StateResult>;
  /** Every command run, in order (check_cmd, unless and names). */
  commands: string[];
}

/** Why the renderer cannot run here (python3 with jinja2 and yaml is needed), or undefined. */
export function rendererProblem(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import jinja2, yaml'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `${PYTHON} cannot import jinja2 and yaml (apt-get install python3-jinja2 python3-yaml): ${r.stderr || r.error?.message}`;
}

/** Renders SLS `sls` (default the whole formula) for a minion, the example pillar merged with `extra`. */
export function renderSalt(minion: string, extra: Record<string, unknown> = {}, sls = 'ringmaster'): Rendered {
  const r = spawnSync(PYTHON, [RENDER, join(REPO, 'deploy/salt'), join(REPO, 'deploy/salt/pillar'), minion, sls, JSON.stringify(extra)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`salt_render.py failed for ${minion}: ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout) as Rendered;
}

/** The state ids a requisite list names ([{file: id}, …]), optionally of one kind. */
export function requisites(s: SaltState, key: string): string[] {
  const list = (s.args[key] as Record<string, string>[] | undefined) ?? [];
  return list.map((r) => Object.values(r)[0]);
}

function sh(command: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function pillarValue(pillar: Record<string, unknown>, path: string): unknown {
  return path.split(':').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], pillar);
}

/** Applies the states once, in definition order with requisites first; like one `salt-call state.apply`. */
export async function applyStates(r: Rendered, opts: ApplyOptions): Promise<Applied> {
  const byId = new Map(r.states.map((s) => [s.id, s]));
  const needs = new Map(r.states.map((s) => [s.id, new Set(['require', 'onchanges', 'watch'].flatMap((k) => requisites(s, k)))]));
  for (const s of r.states) for (const target of requisites(s, 'require_in')) needs.get(target)?.add(s.id);
  const results = new Map<string, StateResult>();
  const commands: string[] = [];
  const run = async (command: string) => {
    const cmd = opts.remap(command);
    commands.push(cmd);
    return sh(cmd, opts.env);
  };

  const managed = async (s: SaltState): Promise<StateResult> => {
    const file = opts.remap(String(s.args.name));
    const content = opts.remap(s.rendered ?? (s.args.contents_pillar ? String(pillarValue(r.pillar, String(s.args.contents_pillar))) : String(s.args.contents ?? '')));
    if (existsSync(file) && readFileSync(file, 'utf8') === content) return { result: true, changed: false, comment: 'unchanged' };
    if (s.args.check_cmd) {
      const tmp = join(tmpdir(), `__salt.tmp.${randomBytes(4).toString('hex')}`); // as Salt: no extension
      writeFileSync(tmp, content);
      const check = await run(`${String(s.args.check_cmd)} ${tmp}`).finally(() => rmSync(tmp, { force: true }));
      if (check.code !== 0) return { result: false, changed: false, comment: `check_cmd failed: ${check.stdout}${check.stderr}` };
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    if (s.args.mode) chmodSync(file, Number.parseInt(String(s.args.mode), 8));
    return { result: true, changed: true, comment: 'written' };
  };

  const directory = (s: SaltState): StateResult => {
    const dir = opts.remap(String(s.args.name));
    mkdirSync(dir, { recursive: true });
    if (!s.args.clean) return { result: true, changed: false, comment: 'present' };
    const keep = new Set([...(needs.get(s.id) ?? [])].map((id) => opts.remap(String(byId.get(id)?.args.name))));
    const stray = readdirSync(dir).map((f) => join(dir, f)).filter((f) => !keep.has(f));
    for (const f of stray) rmSync(f, { recursive: true, force: true });
    return { result: true, changed: stray.length > 0, comment: stray.length ? `removed ${stray.join(' ')}` : 'clean' };
  };

  const cmdRun = async (s: SaltState): Promise<StateResult> => {
    const watched = requisites(s, 'onchanges');
    if (watched.length && !watched.some((id) => results.get(id)?.changed)) return { result: true, changed: false, comment: 'no onchanges requisite changed' };
    if (s.args.unless && (await run(String(s.args.unless))).code === 0) return { result: true, changed: false, comment: 'unless condition is true' };
    const out = await run(String(s.args.name));
    if (out.code !== 0) return { result: false, changed: false, comment: `exit ${out.code}: ${out.stdout}${out.stderr}` };
    if (!s.args.stateful) return { result: true, changed: true, comment: out.stdout };
    const data = JSON.parse(out.stdout) as { changed?: unknown }; // Salt's stateful: stdout is one JSON object
    return { result: true, changed: data.changed === true || data.changed === 'yes', comment: out.stdout };
  };

  const apply = async (id: string, path: string[] = []): Promise<StateResult> => {
    const done = results.get(id);
    if (done) return done;
    if (path.includes(id)) throw new Error(`requisite loop: ${[...path, id].join(' → ')}`);
    const s = byId.get(id);
    if (!s) throw new Error(`requisite ${id} names no state (from ${path.at(-1)})`);
    const deps: StateResult[] = [];
    for (const d of needs.get(id) ?? []) deps.push(await apply(d, [...path, id])); // one at a time, as Salt
    let result: StateResult;
    if (deps.some((d) => !d.result)) result = { result: false, changed: false, comment: 'one or more requisite failed' };
    else if (opts.assumeDone.includes(s.sls) || s.state === 'pkg') result = { result: true, changed: false, comment: 'assumed done' };
    else if (`${s.state}.${s.fun}` === 'file.managed') result = await managed(s);
    else if (`${s.state}.${s.fun}` === 'file.directory') result = directory(s);
    else if (`${s.state}.${s.fun}` === 'cmd.run') result = await cmdRun(s);
    else {
      const handler = opts.handlers[`${s.state}.${s.fun}`];
      if (!handler) throw new Error(`no handler for ${s.state}.${s.fun} (state ${id})`);
      result = await handler(s, requisites(s, 'watch').some((w) => results.get(w)?.changed));
    }
    results.set(id, result);
    return result;
  };

  for (const s of r.states) await apply(s.id);
  return { results, commands };
}

/** "id: comment" of every state whose result is false. */
export function failures(a: Applied): string[] {
  return [...a.results].filter(([, v]) => !v.result).map(([id, v]) => `${id}: ${v.comment}`);
}

/** The ids of the states that changed something. */
export function changedStates(a: Applied): string[] {
  return [...a.results].filter(([, v]) => v.changed).map(([id]) => id);
}
