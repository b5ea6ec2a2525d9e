/** A small glob expander for `include` (`*`, `?` within a segment, `**` across folders), over readdir. */
import fs from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import path from 'node:path';

/** True when a path contains glob syntax (`*` or `?`). */
export function hasGlobChars(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

/** A RegExp matching one path segment against a pattern segment (`*` = any run, `?` = one char). */
export function segmentRegExp(segment: string): RegExp {
  let re = '^';
  for (const c of segment) {
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[\\^$.|+(){}[\]]/g, '\\$&');
  }
  return new RegExp(`${re}$`);
}

async function listDir(dir: string): Promise<Dirent[]> {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

async function walk(dir: string, segments: string[], index: number, out: Set<string>): Promise<void> {
  if (index === segments.length) {
    if (await isFile(dir)) out.add(dir);
    return;
  }
  const segment = segments[index];
  if (segment === '**') {
    await walk(dir, segments, index + 1, out);
    for (const entry of await listDir(dir)) {
      // Real directories only: following symlinked folders could loop.
      if (entry.isDirectory() && !entry.name.startsWith('.')) await walk(path.join(dir, entry.name), segments, index, out);
    }
    return;
  }
  if (!hasGlobChars(segment)) {
    await walk(path.join(dir, segment), segments, index + 1, out);
    return;
  }
  const re = segmentRegExp(segment);
  const showHidden = segment.startsWith('.');
  for (const entry of await listDir(dir)) {
    if (re.test(entry.name) && (showHidden || !entry.name.startsWith('.'))) {
      await walk(path.join(dir, entry.name), segments, index + 1, out);
    }
  }
}

/**
 * Absolute paths of the regular files matching `pattern` (relative to `baseDir` unless absolute),
 * sorted. Wildcards do not match names starting with "." unless the pattern segment does.
 * A pattern that matches nothing yields an empty list.
 */
export async function expandGlob(pattern: string, baseDir: string): Promise<string[]> {
  const absolute = path.resolve(baseDir, pattern);
  const root = path.parse(absolute).root;
  const segments = absolute.slice(root.length).split(path.sep).filter((s) => s !== '');
  const out = new Set<string>();
  await walk(root, segments, 0, out);
  return [...out].sort();
}
