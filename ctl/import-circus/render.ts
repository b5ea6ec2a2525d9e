/** Writes the converted configuration as one TOML document (smol-toml) with explanatory comments. */
import { stringify } from 'smol-toml';
import type { TomlTable } from './context.ts';
import { renderNote, type ImportNote } from './notes.ts';
import type { ConvertedWatcher } from './watcher.ts';

export interface Converted {
  /** The main ini file, as given. */
  main: string;
  /** Every file read, main first. */
  files: string[];
  agent: TomlTable;
  env: Record<string, string>;
  sockets: ReadonlyMap<string, TomlTable>;
  watchers: readonly ConvertedWatcher[];
  notes: readonly ImportNote[];
}

/** `# text` for every line of text. */
function comment(text: string): string {
  return text.split('\n').map((line) => (line === '' ? '#' : `# ${line}`)).join('\n');
}

function header(c: Converted): string {
  const lines = [`Ringmaster configuration converted from ${c.main} by ringctl import-circus.`];
  if (c.files.length > 1) lines.push(`Included files merged in: ${c.files.slice(1).join(', ')}.`);
  lines.push('Relative paths are resolved against the folder of this file (Circus used its working folder).');
  if (c.notes.length === 0) {
    lines.push('Everything was converted.');
  } else {
    lines.push(`${c.notes.length} note(s): what could not be converted, or changed meaning:`);
    for (const note of c.notes) lines.push(`  - ${renderNote(note)}`);
  }
  return comment(lines.join('\n'));
}

function block(value: Record<string, unknown>): string {
  return stringify(value).trim();
}

/** The TOML text: header, [agent], [env], [sockets.*], then each watcher with the file it came from. */
export function renderToml(c: Converted): string {
  const parts = [header(c)];
  if (Object.keys(c.agent).length > 0) parts.push(block({ agent: c.agent }));
  if (Object.keys(c.env).length > 0) parts.push(block({ env: c.env }));
  for (const [name, table] of c.sockets) parts.push(block({ sockets: { [name]: table } }));
  for (const w of c.watchers) {
    const from = w.files.length > 0 ? `from ${w.files.join(' and ')}` : '';
    parts.push(`${comment(from)}\n${block({ watchers: { [w.name]: w.table } })}`);
  }
  return `${parts.join('\n\n')}\n`;
}
