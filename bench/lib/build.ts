/**
 * A private compiled copy of the sources, as `npm run build` makes dist/ (tsc, then package.json beside it), in a
 * temp dir of its own: the "ringd-built" peer runs from it, and dist/ (shared with ringctl) is never touched.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpDir } from '../../test/support/tmp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const BUILD_TIMEOUT_MS = 300_000;

export interface Build { dir: string; ringd: string; ringctl: string }

/** Compiles the tree (type errors elsewhere do not stop tsc from emitting); undefined plus why when it did not work. */
export function buildPrivateCopy(): { build?: Build; why?: string } {
  const dir = tmpDir('bench-build');
  const r = spawnSync(process.execPath, [TSC, '-p', ROOT, '--outDir', dir, '--declaration', 'false', '--sourceMap', 'false'],
    { encoding: 'utf8', timeout: BUILD_TIMEOUT_MS });
  const build = { dir, ringd: join(dir, 'agent', 'main.js'), ringctl: join(dir, 'ctl', 'main.js') };
  if (!existsSync(build.ringd) || !existsSync(build.ringctl)) {
    return { why: `tsc emitted no agent/main.js: ${(r.stdout + r.stderr).trim().split('\n').slice(0, 3).join(' ')}` };
  }
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return { build };
}
