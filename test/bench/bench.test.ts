// Smoke test of the benchmark harness (`npm run bench -- MODE --quick`): tiny sizes, every mode, every peer installed
// here (PM2 is installed into the bench cache at first use). It checks that each run completes with every figure
// present (the harness itself fails on a missing or NaN figure), never the figures' values.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpDir } from '../support/tmp.ts';

const MAIN = fileURLToPath(new URL('../../bench/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUN_TIMEOUT_MS = 150_000;
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

interface Outcome { code: number | null; output: string; results: Record<string, unknown> | undefined }

/** Runs `bench/main.ts MODE --quick --out DIR` and reads the JSON it wrote. */
function bench(mode: string, ...args: string[]): Promise<Outcome> {
  const out = tmpDir(`bench-smoke-${mode}`);
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, mode, '--quick', '--out', out, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  return new Promise((resolve) => child.once('close', (code) => {
    clearTimeout(timer);
    const json = readdirSync(out).find((f) => f.endsWith('.json'));
    const results = json ? (JSON.parse(readFileSync(join(out, json), 'utf8')) as { results: Record<string, unknown> }).results : undefined;
    resolve({ code, output, results });
  }));
}

test('bench --quick: host, reload and fleet complete with every figure present', async (t) => {
  const [host, reload, fleet] = await Promise.all([bench('host'), has('wrk') ? bench('reload') : undefined, bench('fleet')]);

  assert.equal(host.code, 0, host.output);
  const h = host.results as { peers: { name: string }[]; skipped: { name: string; why: string }[]; cases: unknown[] };
  const peers = h.peers.map((p) => p.name);
  assert.ok(peers.includes('ringd') && peers.includes('ringd+nats'), host.output);
  if (has('supervisord')) assert.ok(peers.includes('supervisord'), `supervisord is installed but was not measured:\n${host.output}`);
  for (const s of h.skipped) t.diagnostic(`host: ${s.name} skipped: ${s.why}`);
  assert.equal(h.cases.length, 2, 'one case per workload (sleep, http)');
  assert.match(host.output, /\| cold start: launch → all N running, ms/);

  if (reload) {
    assert.equal(reload.code, 0, reload.output);
    assert.equal((reload.results as { zeroErrors: boolean }).zeroErrors, true, reload.output);
  } else t.diagnostic('reload: skipped, wrk is not installed (apt-get install wrk)');

  assert.equal(fleet.code, 0, fleet.output);
  assert.equal((fleet.results as { rows: unknown[] }).rows.length, 2, 'one row per topology');
});

test('bench: a bad option is refused with a plain message', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'host', '--n', 'many'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--n takes positive integers separated by commas, got "many"/);
});
