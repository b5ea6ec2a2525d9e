/**
 * A private build of the sources, as `npm run build` makes dist/ (tools/build.ts: tsc, ringctl's bundle, package.json
 * beside them), in a temp dir of its own: the "ringd-built" peer and its ringctl run from it, and dist/ is never touched.
 */
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCli, CLI_BUNDLE_DIR, compile, markBuilt } from '../../tools/build.ts';
import { tmpDir } from '../../test/support/tmp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Build { dir: string; ringd: string; ringctl: string }

/** Compiles the tree (type errors elsewhere do not stop tsc from emitting); undefined plus why when it did not work. */
export async function buildPrivateCopy(): Promise<{ build?: Build; why?: string }> {
  const dir = tmpDir('bench-build');
  const tsc = compile(dir, ['--declaration', 'false', '--sourceMap', 'false']);
  const build = { dir, ringd: join(dir, 'agent', 'main.js'), ringctl: join(dir, CLI_BUNDLE_DIR, 'main.js') };
  if (!existsSync(build.ringd)) return { why: `tsc emitted no agent/main.js: ${tsc.output.split('\n').slice(0, 3).join(' ')}` };
  try {
    await bundleCli(dir);
  } catch (e) {
    return { why: `esbuild could not bundle ringctl: ${(e as Error).message.split('\n')[0]}` };
  }
  markBuilt(dir);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return { build };
}
