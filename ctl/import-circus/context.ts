/** Shared state of one conversion: section kinds, option lookup with Circus's precedence, notes and value setters. */
import path from 'node:path';
import type { IniEntry, IniSection } from './ini.ts';
import type { Notes } from './notes.ts';
import { translateVariables, type VariableContext } from './substitute.ts';
import { Rejected } from './values.ts';

export type TomlTable = Record<string, unknown>;

export type SectionKind =
  | { kind: 'circus' }
  | { kind: 'env' }
  | { kind: 'env-patterns'; patterns: string[] }
  | { kind: 'watcher'; name: string }
  | { kind: 'socket'; name: string }
  | { kind: 'plugin'; name: string }
  | { kind: 'default' }
  | { kind: 'unknown' };

/** What a section header names. Kinds are matched ignoring case (Circus itself was case-sensitive: see `exact`). */
export function classify(header: string): SectionKind & { exact: boolean } {
  const lower = header.toLowerCase();
  const prefixed = (prefix: string): string | undefined => (lower.startsWith(prefix) ? header.slice(prefix.length).trim() : undefined);
  const exact = (prefix: string): boolean => header.startsWith(prefix);
  if (header === 'DEFAULT') return { kind: 'default', exact: true };
  if (lower === 'circus') return { kind: 'circus', exact: header === 'circus' };
  if (lower === 'env') return { kind: 'env', exact: header === 'env' };
  let rest: string | undefined;
  if ((rest = prefixed('env:')) !== undefined) {
    return { kind: 'env-patterns', patterns: rest.split(',').map((p) => p.trim()).filter((p) => p !== ''), exact: exact('env:') };
  }
  if ((rest = prefixed('watcher:')) !== undefined && rest !== '') return { kind: 'watcher', name: rest, exact: exact('watcher:') };
  if ((rest = prefixed('socket:')) !== undefined && rest !== '') return { kind: 'socket', name: rest.toLowerCase(), exact: exact('socket:') };
  if ((rest = prefixed('plugin:')) !== undefined && rest !== '') return { kind: 'plugin', name: rest, exact: exact('plugin:') };
  return { kind: 'unknown', exact: true };
}

/** An option of a section under its lower-cased name. */
export interface Option {
  key: string;
  entry: IniEntry;
}

export class Context {
  /** Environment names the ini defines, lower-cased → as spelled ([env] and [env:…] sections). */
  readonly envNames = new Map<string, string>();
  /** Circus socket name (lower-cased) → Ringmaster socket name. */
  readonly sockets = new Map<string, string>();

  constructor(readonly notes: Notes, readonly defaults: IniEntry[]) {}

  note(section: IniSection, entry: IniEntry | undefined, message: string, key = entry?.key ?? ''): void {
    this.notes.add(entry?.file ?? section.file, section.header, key, message, entry?.line ?? section.line);
  }

  /**
   * The options of a section as Circus sees them: the first occurrence of a key wins, [DEFAULT]
   * fills in absent keys. Keys are lower-cased (a key written in another case is noted: Circus
   * compared names exactly and ignored it); repeated keys are noted.
   */
  options(section: IniSection): Option[] {
    const out: Option[] = [];
    for (const dup of section.ignored) {
      const first = section.entries.find((e) => e.key === dup.key);
      const where = first === undefined ? '' : first.file === dup.file ? ` (line ${first.line})` : ` (${first.file}:${first.line})`;
      this.note(section, dup, `repeated option ignored: Circus keeps the first value${where}`);
    }
    const own = new Set(section.entries.map((e) => e.key));
    const entries = [...section.entries, ...this.defaults.filter((e) => !own.has(e.key))];
    for (const entry of entries) {
      const key = entry.key.toLowerCase();
      const previous = out.find((o) => o.key === key);
      if (previous) {
        this.note(section, entry, `same option as ${previous.entry.key} (line ${previous.entry.line}) in another case; ignored`);
        continue;
      }
      if (key !== entry.key) this.note(section, entry, `converted as ${key}; Circus compares option names exactly and would have ignored ${entry.key}`);
      out.push({ key, entry });
    }
    return out;
  }

  /** Variable context for values of `section`; `option` inlines watcher options (spawn-time values). */
  vars(section: IniSection, entry: IniEntry, option?: (name: string) => string | undefined): VariableContext {
    return {
      envNames: this.envNames,
      socketName: (name) => this.sockets.get(name),
      option,
      note: (message) => this.note(section, entry, message),
    };
  }

  /** The value of `entry` with Circus variables translated. */
  text(section: IniSection, entry: IniEntry, option?: (name: string) => string | undefined): string {
    return translateVariables(entry.value, this.vars(section, entry, option));
  }

  /** Set `table[key]` to a converted value, or note why it could not be converted. */
  set(table: TomlTable, key: string, value: unknown, section: IniSection, entry: IniEntry): void {
    if (value instanceof Rejected) this.note(section, entry, `expected ${value.reason}; not converted`);
    else table[key] = value;
  }

  /** A path value: kept as written; a relative one is noted (its base folder changes). */
  path(section: IniSection, entry: IniEntry): string {
    const value = this.text(section, entry).trim();
    if (value !== '' && !path.isAbsolute(value) && !value.startsWith('$(')) {
      this.note(section, entry, `relative path ${JSON.stringify(value)}: Circus resolved it against circusd's working folder, Ringmaster resolves it against the folder of the TOML file; make it absolute if they differ`);
    }
    return value;
  }
}
