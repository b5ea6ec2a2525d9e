/** importCircus: reads a Circus ini (and its includes) and returns the equivalent Ringmaster TOML plus notes. */
import { classify, Context } from './context.ts';
import { envTable, prepareEnvSections, registerEnvNames, type EnvPatternSection } from './env.ts';
import { readCircusFiles } from './files.ts';
import { convertCircus } from './agent.ts';
import type { IniSection } from './ini.ts';
import { Notes, type ImportNote } from './notes.ts';
import { reportPlugin } from './plugins.ts';
import { renderToml } from './render.ts';
import { convertSockets, type SocketSection } from './sockets.ts';
import { convertWatchers, type WatcherSection } from './watcher.ts';

export interface ImportResult {
  /** One TOML document (includes merged in), loadable by ringd. */
  toml: string;
  /** What could not be converted, or converted with a change of meaning, and why. */
  notes: ImportNote[];
}

interface Sorted {
  circus: IniSection[];
  env: IniSection[];
  envPatterns: EnvPatternSection[];
  watchers: WatcherSection[];
  sockets: SocketSection[];
  plugins: IniSection[];
  defaults: IniSection[];
}

/** Sort sections by kind; unknown sections and section names in an unusual case are noted. */
function sortSections(sections: readonly IniSection[], notes: Notes): Sorted {
  const out: Sorted = { circus: [], env: [], envPatterns: [], watchers: [], sockets: [], plugins: [], defaults: [] };
  for (const section of sections) {
    const kind = classify(section.header);
    if (!kind.exact) {
      notes.add(section.file, section.header, '', 'converted, but Circus reads only lower-case section kinds ([watcher:…], [socket:…], …) and ignored this one', section.line);
    }
    switch (kind.kind) {
      case 'circus': out.circus.push(section); break;
      case 'env': out.env.push(section); break;
      case 'env-patterns': out.envPatterns.push({ section, patterns: kind.patterns }); break;
      case 'watcher': out.watchers.push({ section, name: kind.name }); break;
      case 'socket': out.sockets.push({ section, name: kind.name }); break;
      case 'plugin': out.plugins.push(section); break;
      case 'default': out.defaults.push(section); break;
      default:
        notes.add(section.file, section.header, '', 'unknown section (Circus knows circus, watcher:NAME, socket:NAME, plugin:NAME, env and env:NAMES); not converted', section.line);
    }
  }
  return out;
}

/**
 * Convert the Circus ini `file` (and the files its [circus] include / include_dir name) into one
 * Ringmaster TOML document. Throws a CircusImportError when the main file cannot be read or an
 * ini file has syntax errors (with their line numbers); everything else that cannot be converted
 * is skipped and explained in `notes`.
 */
export async function importCircus(file: string): Promise<ImportResult> {
  const notes = new Notes();
  const read = await readCircusFiles(file, notes);
  const sorted = sortSections(read.doc.sections, notes);

  const defaults = sorted.defaults.flatMap((s) => s.entries);
  for (const s of sorted.defaults) {
    notes.add(s.file, s.header, '', 'its options were applied to every [circus], [watcher:…] and [socket:…] section that lacks them, as configparser does', s.line);
  }
  const ctx = new Context(notes, defaults);
  registerEnvNames([...sorted.env, ...sorted.envPatterns.map((e) => e.section)], ctx);

  // [circus] sections with different case spellings merge as one agent table (first value wins).
  let agent = {};
  for (const section of sorted.circus) agent = { ...convertCircus(section, ctx, read.main), ...agent };
  let env: Record<string, string> = {};
  for (const section of sorted.env) env = { ...envTable(section, ctx), ...env };

  const sockets = convertSockets(sorted.sockets, ctx);
  prepareEnvSections(sorted.envPatterns, sorted.watchers.map((w) => w.name), ctx);
  const watchers = convertWatchers(sorted.watchers, sorted.envPatterns, ctx);
  for (const section of sorted.plugins) reportPlugin(section, ctx);

  // Notes in file order (main file first), then by line.
  const rank = (n: ImportNote): number => (read.files.includes(n.file) ? read.files.indexOf(n.file) : read.files.length);
  const list = [...notes.list].sort((a, b) => rank(a) - rank(b) || (a.line ?? 0) - (b.line ?? 0));
  const toml = renderToml({ main: read.main, files: read.files, agent, env, sockets, watchers, notes: list });
  return { toml, notes: list };
}
