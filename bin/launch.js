// How bin/ringd.js, ringmaster.js and ringctl.js start: from dist/ when `npm run build` made it and
// no source is newer than it (start-up is then two to three times faster, with less memory: no
// TypeScript to load); otherwise from the sources through tsx, so a stale build is never used.
import { readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const SOURCES = ['ctl/', 'agent/', 'protocol/', 'controller/', 'tui/'];

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = new URL(e.name + (e.isDirectory() ? '/' : ''), dir);
    t = Math.max(t, e.isDirectory() ? newest(p) : /\.tsx?$/.test(e.name) ? statSync(p).mtimeMs : 0);
  }
  return t;
}

function mtime(url) {
  try {
    return statSync(url).mtimeMs;
  } catch {
    return -1;
  }
}

const sources = Math.max(...SOURCES.map((d) => newest(new URL(d, root))));
const builtAt = mtime(new URL('dist/package.json', root));
/** Whether the compiled code in dist/ is used. */
export const built = builtAt >= sources;
/** Which code runs: a stamp that changes with every build or edit. */
export const stamp = built ? `dist-${builtAt}` : `src-${sources}`;

/** A module of Ringmaster (its path without extension), compiled or through tsx. */
export async function load(module) {
  if (built) return import(new URL(`dist/${module}.js`, root).href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(new URL(`${module}.ts`, root).href);
}

/**
 * ringctl's entry point `entry` (main, fast): from the esbuild bundle in dist/ringctl/ that `npm run build` makes (one
 * file to load instead of ~150: a quarter of a short command's time), else like load(module).
 */
export async function loadCli(entry, module) {
  const bundled = new URL(`dist/ringctl/${entry}.js`, root);
  if (built && mtime(bundled) >= 0) return import(bundled.href);
  return load(module);
}
