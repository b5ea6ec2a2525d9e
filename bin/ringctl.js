#!/usr/bin/env node
// Runs ringctl from dist/ when `npm run build` made it and no source is newer than it (start-up is
// then about three times faster: no TypeScript to load); otherwise from the sources through tsx.
// A TAB (`__complete`) first tries the fast path, which answers from the on-disk cache alone.
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
const builtAt = mtime(new URL('dist/ctl/main.js', root));
const built = builtAt >= sources;

/** A module of ringctl (path without extension), built or through tsx. */
async function load(module) {
  if (built) return import(new URL(`dist/${module}.js`, root).href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(new URL(`${module}.ts`, root).href);
}

// Which code answers, so that the completion spec cached for the fast path is the one it made.
process.env.RINGCTL_SPEC_STAMP = built ? `dist-${builtAt}` : `src-${sources}`;
const args = process.argv.slice(2);
let answered = false;
if (args[0] === '__complete' && process.env.RINGCTL_COMPLETION_FAST !== '0') {
  const { fastComplete } = await load('ctl/completion/fast');
  const out = await fastComplete(args.slice(1), process.env.RINGCTL_SPEC_STAMP);
  if (out !== undefined) {
    process.stdout.write(out);
    answered = true;
  }
}
if (!answered) await load('ctl/main');
