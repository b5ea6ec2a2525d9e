/** The modules a source file loads before running: its static imports, followed through the repository's own files (type-only imports skipped). */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const STATIC_IMPORT = /^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

/** Every module `file` loads statically: repository files as absolute paths, packages and node: modules by name. */
export function staticImports(file: string): Set<string> {
  const seen = new Set<string>();
  const visit = (f: string) => {
    for (const m of readFileSync(f, 'utf8').matchAll(STATIC_IMPORT)) {
      const spec = m[1];
      const target = spec.startsWith('.') ? path.resolve(path.dirname(f), spec) : spec;
      if (seen.has(target)) continue;
      seen.add(target);
      if (spec.startsWith('.')) visit(target);
    }
  };
  visit(path.resolve(file));
  return seen;
}
