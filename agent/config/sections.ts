/**
 * Reading a TOML config file and its plain-option sections, shared by ringd's loader and
 * ringmaster's: parse errors with line and column, unsafe keys refused, $(circus.env.X)
 * substitution, unknown keys with a did-you-mean, defaults applied.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { Issues, joinKey } from './issues.ts';
import { expected } from './parsers.ts';
import { applyOptions } from './schema.ts';
import type { OptionDef } from './option-def.ts';
import { envLookup, isPlainTable, substituteDeep } from './substitute.ts';

/** One parsed file. `display` is how messages name it. */
export interface Source {
  abs: string;
  display: string;
  dir: string;
  data: Record<string, unknown>;
}

export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a folder, not a file';
  return err instanceof Error ? err.message : String(err);
}

export async function readToml(abs: string, display: string, issues: Issues): Promise<Source | undefined> {
  let text: string;
  try {
    text = await fs.readFile(abs, 'utf8');
  } catch (err) {
    issues.add(display, '', `cannot read the file: ${fsReason(err)}`);
    return undefined;
  }
  try {
    // Keys such as __proto__ could alter the objects built from the document: refuse them.
    return { abs, display, dir: path.dirname(abs), data: parse(text, { unsafeKeyBehaviour: 'throw' }) };
  } catch (err) {
    if (err instanceof TomlError) {
      let reason = err.message.split('\n')[0].replace(/^Invalid TOML document: /, '');
      if (reason.includes('unsafe property')) reason = 'keys named "__proto__" or "constructor" are not allowed';
      issues.add(display, '', `TOML syntax error at line ${err.line}, column ${err.column}: ${reason}`);
    } else {
      issues.add(display, '', `TOML syntax error: ${err instanceof Error ? err.message : String(err)}`);
    }
    return undefined;
  }
}

/** A section of plain options ([agent], [discovery], [nats], [controller]), defaults applied. */
export function readSection<C>(src: Source, name: string, defs: readonly OptionDef<C>[], env: Record<string, string>, issues: Issues): C {
  const raw = src.data[name] ?? {};
  const out: Partial<C> = {};
  if (!isPlainTable(raw)) {
    issues.add(src.display, name, expected('a table', raw).message);
    return out as C;
  }
  const table = substituteDeep(raw, envLookup(env, process.env));
  if (!isPlainTable(table)) return out as C;
  issues.checkKeys(src.display, name, table, defs.map((o) => o.key));
  applyOptions(defs, table, { dir: src.dir }, out, (key, msg) => issues.add(src.display, joinKey(name, key), msg));
  return out as C;
}
