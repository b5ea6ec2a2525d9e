/** The [env] section and [env:PATTERN,…] sections, matched against watcher names like Python's fnmatch. */
import type { Context } from './context.ts';
import type { IniSection } from './ini.ts';

/** Python's fnmatch.translate for POSIX (case-sensitive): `*`, `?`, `[seq]`, `[!seq]`. */
export function fnmatchRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j++;
      if (j >= pattern.length) {
        re += '\\[';
      } else {
        let set = pattern.slice(i + 1, j).replace(/\\/g, '\\\\');
        if (set.startsWith('!')) set = `^${set.slice(1)}`;
        else if (set.startsWith('^')) set = `\\${set}`;
        re += `[${set}]`;
        i = j;
      }
    } else re += c.replace(/[\\^$.|+(){}[\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

export interface EnvPatternSection {
  section: IniSection;
  patterns: string[];
  /** The section's variables (see envTable), filled in by prepareEnvSections. */
  vars?: Record<string, string>;
}

/** Record every environment name the ini defines, for case-insensitive `$(circus.env.X)` lookups. */
export function registerEnvNames(sections: readonly IniSection[], ctx: Context): void {
  for (const section of sections) {
    for (const entry of section.entries) {
      if (!ctx.envNames.has(entry.key.toLowerCase())) ctx.envNames.set(entry.key.toLowerCase(), entry.key);
    }
  }
}

/** The variables of one env section (names keep their case; the first occurrence of a name wins). */
export function envTable(section: IniSection, ctx: Context): Record<string, string> {
  const env: Record<string, string> = {};
  for (const dup of section.ignored) ctx.note(section, dup, 'repeated variable ignored: Circus keeps the first value');
  for (const entry of section.entries) env[entry.key] = ctx.text(section, entry);
  return env;
}

/** Convert each [env:…] section once, and report patterns that match no watcher (Circus's names). */
export function prepareEnvSections(sections: readonly EnvPatternSection[], watcherNames: readonly string[], ctx: Context): void {
  for (const s of sections) {
    s.vars = envTable(s.section, ctx);
    if (s.patterns.length === 0) {
      ctx.note(s.section, undefined, 'no watcher pattern after "env:"; ignored');
      continue;
    }
    for (const p of s.patterns) {
      if (!watcherNames.some((n) => fnmatchRegExp(p).test(n))) ctx.note(s.section, undefined, `pattern ${JSON.stringify(p)} matches no watcher; ignored`);
    }
  }
}

/**
 * The env of the watcher called `name` (Circus's name): every [env:…] section with a pattern
 * matching it, merged in file order (later sections win, as in Circus).
 */
export function watcherEnv(name: string, sections: readonly EnvPatternSection[]): Record<string, string> {
  let env: Record<string, string> = {};
  for (const s of sections) {
    if (s.patterns.some((p) => fnmatchRegExp(p).test(name))) env = { ...env, ...(s.vars ?? {}) };
  }
  return env;
}
