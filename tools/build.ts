// `npm run build`: tsc compiles every module into dist/ (what ringd and ringmaster run), package.json goes beside it
// (agent/version.ts reads it), and ringctl is also bundled by esbuild into dist/ringctl/: a short-lived CLI pays
// Node's per-module cost (resolve, read, compile) for each of the ~150 files it loads, a quarter of `ringctl status`.
// The bundle keeps dynamic imports lazy (code splitting: the TUI and Ink load only for `ringctl tui`) and leaves the
// native addons and Ink's packages to node_modules.
//   node --import tsx tools/build.ts [--out DIR]     (default dist/)
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
/** Where the bundle goes inside the output folder; bin/launch.js loads ringctl from there. */
export const CLI_BUNDLE_DIR = 'ringctl';
/** ringctl's entry points, by the name bin/ringctl.js loads. */
const CLI_ENTRIES = { main: 'ctl/main.ts', fast: 'ctl/completion/fast.ts' };
/** Loaded from node_modules, never bundled: native addons, and Ink with React (their optional imports do not resolve). */
const CLI_EXTERNAL = ['zeromq', 'koffi', 'ink', 'react', 'react/*', 'react-devtools-core'];
/** Bundled CommonJS packages may call require(): give the ES module one. */
const REQUIRE_SHIM = "import { createRequire as __ringRequire } from 'node:module'; const require = __ringRequire(import.meta.url);";

/** Bundles ringctl into <out>/ringctl/: entry points main.js and fast.js and their shared chunks, all in one folder. */
export async function bundleCli(out: string): Promise<void> {
  await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(CLI_ENTRIES).map(([name, file]) => [name, join(ROOT, file)])),
    outdir: join(out, CLI_BUNDLE_DIR),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: CLI_EXTERNAL,
    banner: { js: REQUIRE_SHIM },
    jsx: 'automatic',
    logLevel: 'warning',
  });
}

/** tsc into out; on type errors tsc still emits, and says so. */
export function compile(out: string, extra: string[] = []): { ok: boolean; output: string } {
  const r = spawnSync(process.execPath, [TSC, '-p', ROOT, '--outDir', out, ...extra], { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}

/** package.json beside the build, last: its time stamp is what tells bin/launch.js the build is complete and fresh. */
export function markBuilt(out: string): void {
  copyFileSync(join(ROOT, 'package.json'), join(out, 'package.json'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const out = values.out ?? join(ROOT, 'dist');
  const tsc = compile(out);
  if (!tsc.ok) {
    process.stderr.write(`${tsc.output}\n`);
    process.exit(1);
  }
  await bundleCli(out);
  markBuilt(out);
}
