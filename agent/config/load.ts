/** Reads the main config file and its includes, merges them and validates everything into a Config. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type ConfigIssue } from '../../protocol/errors.ts';
import { expandGlob, hasGlobChars } from './glob.ts';
import { Issues, joinKey } from './issues.ts';
import { checkCycles, checkDependsOn, startOrder } from './order.ts';
import { expected, Invalid, pathPatterns, show } from './parsers.ts';
import { AGENT_OPTIONS, DISCOVERY_OPTIONS, MAIN_ONLY_KEYS, TOP_LEVEL_KEYS } from './schema.ts';
import { NATS_OPTIONS, natsConfigProblems } from './nats.ts';
import { fsReason, readSection, readToml, type Source } from './sections.ts';
import { isPlainTable } from './substitute.ts';
import { unknownMessage } from './suggest.ts';
import type { AgentConfig, Config, DiscoveryConfig, NatsConfig, WatcherConfig } from './types.ts';
import { buildWatcher, readEnvTable, substituteEnv, type WatcherSource } from './watcher.ts';
import { checkSocketRefs, collectSockets } from './sockets.ts';

/** Included files in order (globs sorted, duplicates and the main file dropped), as absolute paths. */
async function resolveIncludes(main: Source, issues: Issues): Promise<string[]> {
  const raw = main.data.include;
  if (raw === undefined) return [];
  const patterns = pathPatterns.parse(raw, { dir: main.dir });
  if (patterns instanceof Invalid) {
    issues.add(main.display, 'include', patterns.message);
    return [];
  }
  const files: string[] = [];
  for (const pattern of patterns) {
    if (hasGlobChars(pattern)) {
      files.push(...(await expandGlob(pattern, main.dir)));
      continue;
    }
    const abs = path.resolve(main.dir, pattern);
    try {
      if ((await fs.stat(abs)).isFile()) files.push(abs);
      else issues.add(main.display, 'include', `${show(pattern)} is not a file`);
    } catch (err) {
      issues.add(main.display, 'include', `cannot include ${show(pattern)}: ${fsReason(err)}`);
    }
  }
  return [...new Set(files)].filter((f) => f !== main.abs);
}

function displayName(abs: string, mainDir: string): string {
  const rel = path.relative(mainDir, abs);
  return rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
}

function checkTopLevel(src: Source, main: Source, issues: Issues): void {
  for (const [key, value] of Object.entries(src.data)) {
    if (!TOP_LEVEL_KEYS.includes(key)) {
      const what = isPlainTable(value) ? 'section' : 'option';
      const message = key.toLowerCase() === 'circus' ? `unknown ${what}; Circus's [circus] is called [agent] in ringd` : unknownMessage(what, key, TOP_LEVEL_KEYS);
      issues.add(src.display, joinKey('', key), message);
    } else if (src !== main && MAIN_ONLY_KEYS.includes(key)) {
      issues.add(src.display, key, `only allowed in the main file (${main.display})`);
    }
  }
}

/** Every watcher table of every file; a name defined twice (ignoring case) is reported. */
function collectWatchers(sources: readonly Source[], issues: Issues): WatcherSource[] {
  const seen = new Map<string, WatcherSource>();
  for (const src of sources) {
    const raw = src.data.watchers;
    if (raw === undefined) continue;
    if (!isPlainTable(raw)) {
      issues.add(src.display, 'watchers', expected('a table of watchers ([watchers.NAME])', raw).message);
      continue;
    }
    for (const [name, table] of Object.entries(raw)) {
      const previous = seen.get(name.toLowerCase());
      if (previous === undefined) {
        seen.set(name.toLowerCase(), { name, file: src.display, dir: src.dir, raw: table });
      } else if (previous.name === name) {
        issues.add(src.display, joinKey('watchers', name), `watcher "${name}" is already defined in ${previous.file}`);
      } else {
        issues.add(src.display, joinKey('watchers', name), `watcher "${name}" clashes with "${previous.name}" defined in ${previous.file} (names are case-insensitive)`);
      }
    }
  }
  return [...seen.values()];
}

/** Load and validate `file` and its includes; returns the Config, or every issue found. */
export async function checkConfig(file: string): Promise<{ config?: Config; issues: ConfigIssue[] }> {
  const issues = new Issues();
  const main = await readToml(path.resolve(file), file, issues);
  if (main === undefined) return { issues: issues.list };

  const sources: Source[] = [main];
  const displays = [main.display];
  for (const abs of await resolveIncludes(main, issues)) {
    displays.push(displayName(abs, main.dir));
    const src = await readToml(abs, displays[displays.length - 1], issues);
    if (src) sources.push(src);
  }
  for (const src of sources) checkTopLevel(src, main, issues);

  let rawEnv: Record<string, string> = {};
  for (const src of sources) rawEnv = { ...rawEnv, ...readEnvTable(src.data.env, src.display, 'env', issues) };
  const env = substituteEnv(rawEnv, process.env);
  const agent = readSection<AgentConfig>(main, 'agent', AGENT_OPTIONS, env, issues);
  const discovery = readSection<DiscoveryConfig>(main, 'discovery', DISCOVERY_OPTIONS, env, issues);
  const nats = readSection<NatsConfig>(main, 'nats', NATS_OPTIONS, env, issues);
  for (const p of natsConfigProblems(nats)) issues.add(main.display, joinKey('nats', p.key), p.message);

  const built = collectWatchers(sources, issues).map((src) => buildWatcher(src, env, issues));
  const nodes = built.map((b) => b.config);
  checkDependsOn(nodes, issues);
  checkCycles(nodes, issues);
  const sockets = collectSockets(sources.map((s) => ({ display: s.display, dir: s.dir, raw: s.data.sockets })), env, issues);
  checkSocketRefs(nodes, sockets, issues);

  if (issues.count > 0) {
    // Group by file (main first, then includes in order), keeping the order found within a file.
    const rank = (file: string): number => displays.indexOf(file);
    return { issues: [...issues.list].sort((a, b) => rank(a.file) - rank(b.file)) };
  }
  const watchers = built.map((b) => b.config as WatcherConfig);
  const config: Config = { file: main.abs, files: sources.map((s) => s.abs), agent, discovery, nats, env, watchers: startOrder(watchers), sockets };
  return { config, issues: [] };
}

/** Load and validate `file` and its includes. Throws a ConfigError listing every issue found. */
export async function loadConfig(file: string): Promise<Config> {
  const { config, issues } = await checkConfig(file);
  if (config === undefined) throw new ConfigError(issues);
  return config;
}
