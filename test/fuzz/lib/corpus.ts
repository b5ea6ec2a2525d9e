// The corpus: inputs that once failed a fuzz suite, kept as files under test/fuzz/corpus/<kind>/ and replayed first
// by that suite on every run. A file's name says what it broke; its bytes are the input as sent.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CorpusEntry {
  name: string;
  data: Buffer;
}

const ROOT = fileURLToPath(new URL('../corpus/', import.meta.url));

/** Every input kept for `kind`, in name order (none when the folder does not exist). */
export function corpus(kind: string): CorpusEntry[] {
  let names: string[];
  try {
    names = readdirSync(`${ROOT}${kind}`).filter((n) => !n.startsWith('.')).sort();
  } catch {
    return [];
  }
  return names.map((name) => ({ name, data: readFileSync(`${ROOT}${kind}/${name}`) }));
}
