/** Reads a Circus ini file and the files its [circus] include / include_dir name, into one merged document. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { expandGlob, hasGlobChars } from '../../agent/config/glob.ts';
import { emptyDocument, IniSyntaxError, parseIni, type IniDocument, type IniEntry } from './ini.ts';
import type { Notes } from './notes.ts';

/** The main file cannot be read or parsed (or an included file cannot be parsed): nothing to convert. */
export class CircusImportError extends Error {
  readonly file: string;
  /** Line numbers of syntax errors, when that is the reason. */
  readonly lines: number[];

  constructor(file: string, message: string, lines: number[] = []) {
    super(message);
    this.name = 'CircusImportError';
    this.file = file;
    this.lines = lines;
  }
}

export interface CircusFiles {
  doc: IniDocument;
  /** How messages name the main file (as given). */
  main: string;
  /** Absolute folder of the main file: includes are relative to it. */
  mainDir: string;
  /** Display names of every file read, main first. */
  files: string[];
}

function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a folder, not a file';
  return err instanceof Error ? err.message : String(err);
}

/** Include paths are shown relative to the main file's folder when they are inside it. */
function displayName(abs: string, mainDir: string): string {
  const rel = path.relative(mainDir, abs);
  return rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
}

function parseInto(text: string, display: string, doc: IniDocument): void {
  try {
    parseIni(text, display, doc);
  } catch (err) {
    if (err instanceof IniSyntaxError) {
      const lines = err.problems.map((p) => p.line);
      throw new CircusImportError(display, `${display}: syntax error:\n${err.problems.map((p) => `  line ${p.line}: ${p.message}`).join('\n')}`, lines);
    }
    throw err;
  }
}

/** The include / include_dir entries of the main file's [circus] section. */
function includeEntries(doc: IniDocument, main: string): { include: IniEntry[]; includeDir: IniEntry[] } {
  const circus = doc.sections.find((s) => s.header.toLowerCase() === 'circus');
  const pick = (key: string): IniEntry[] => (circus?.entries ?? []).filter((e) => e.key.toLowerCase() === key && e.file === main).slice(0, 1);
  return { include: pick('include'), includeDir: pick('include_dir') };
}

/** Files named by one include pattern (Circus: relative to the main file's folder; globs expanded). */
async function expandPattern(pattern: string, entry: IniEntry, mainDir: string, notes: Notes): Promise<string[]> {
  if (hasGlobChars(pattern)) {
    const found = await expandGlob(pattern, mainDir);
    if (found.length === 0) notes.add(entry.file, 'circus', entry.key, `${JSON.stringify(pattern)} matches no file (Circus ignored it too, with a warning)`, entry.line);
    return found;
  }
  const abs = path.resolve(mainDir, pattern);
  try {
    if ((await fs.stat(abs)).isFile()) return [abs];
    notes.add(entry.file, 'circus', entry.key, `${JSON.stringify(pattern)} is not a file; ignored`, entry.line);
  } catch (err) {
    notes.add(entry.file, 'circus', entry.key, `cannot include ${JSON.stringify(pattern)}: ${fsReason(err)}; ignored (as Circus did)`, entry.line);
  }
  return [];
}

/**
 * Read `file` and its includes (Circus reads only the main file's `include` and `include_dir`;
 * `include_dir` adds `DIR/*.ini`). Included files merge into the main document: a repeated section
 * adds options, and an option already set keeps its first value.
 */
export async function readCircusFiles(file: string, notes: Notes): Promise<CircusFiles> {
  const mainAbs = path.resolve(file);
  const mainDir = path.dirname(mainAbs);
  let text: string;
  try {
    text = await fs.readFile(mainAbs, 'utf8');
  } catch (err) {
    throw new CircusImportError(file, `${file}: cannot read the file: ${fsReason(err)}`);
  }
  const doc = emptyDocument();
  parseInto(text, file, doc);

  const { include, includeDir } = includeEntries(doc, file);
  const wanted: string[] = [];
  for (const entry of include) {
    for (const pattern of entry.value.split(/\s+/).filter((p) => p !== '')) wanted.push(...(await expandPattern(pattern, entry, mainDir, notes)));
  }
  for (const entry of includeDir) {
    for (const dir of entry.value.split(/\s+/).filter((p) => p !== '')) {
      const found = await expandGlob(path.join(dir, '*.ini'), mainDir);
      if (found.length === 0) notes.add(entry.file, 'circus', entry.key, `folder ${JSON.stringify(dir)} has no *.ini file`, entry.line);
      wanted.push(...found);
    }
  }

  const files = [file];
  for (const abs of [...new Set(wanted)].filter((f) => f !== mainAbs)) {
    const display = displayName(abs, mainDir);
    let included: string;
    try {
      included = await fs.readFile(abs, 'utf8');
    } catch (err) {
      notes.add(display, '', '', `cannot read the included file: ${fsReason(err)}; skipped (as Circus did)`);
      continue;
    }
    parseInto(included, display, doc);
    files.push(display);
  }
  return { doc, main: file, mainDir, files };
}
