/**
 * Respawn latency: time from kill -9 of a running child to its replacement's spawn event, for
 * ringd's supervisor against a bare spawn-on-exit loop measured in the same run (the floor Node
 * and this machine allow). Usage: node --import tsx bench/respawn.ts [rounds=30]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../agent/config/index.ts';
import { silentLogger } from '../agent/log.ts';
import { Arbiter } from '../agent/supervise/arbiter.ts';
import { setChildSubreaper } from '../agent/supervise/native.ts';
import { percentile } from './timing.ts';

const rounds = Number(process.argv[2] ?? 30);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function stats(xs: number[]): string[] {
  return [percentile(xs, 0.5), percentile(xs, 0.95), Math.max(...xs)].map((x) => x.toFixed(1));
}

async function baseline(): Promise<number[]> {
  const out: number[] = [];
  let child: ChildProcess;
  let killedAt = 0;
  let onSpawn: () => void = () => {};
  const start = () => {
    child = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    child.once('spawn', () => onSpawn());
    child.once('exit', () => start());
  };
  start();
  await sleep(100);
  for (let i = 0; i < rounds; i++) {
    const spawned = new Promise<void>((r) => { onSpawn = r; });
    killedAt = performance.now();
    child!.kill('SIGKILL');
    await spawned;
    out.push(performance.now() - killedAt);
    await sleep(50);
  }
  child!.removeAllListeners('exit');
  child!.kill('SIGKILL');
  return out;
}

async function ringd(): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-respawn-'));
  writeFileSync(join(dir, 'r.toml'), '[watchers.w]\ncmd = "sleep 600"\nbackoff_reset_after = "10ms"\n');
  setChildSubreaper(); // as ringd's daemon does: it lets a respawn skip the scan for leftovers
  const arbiter = new Arbiter(await loadConfig(join(dir, 'r.toml')), silentLogger);
  await arbiter.start();
  const out: number[] = [];
  await sleep(100);
  for (let i = 0; i < rounds; i++) {
    const spawned = new Promise<void>((r) => arbiter.once('children', () => arbiter.once('children', () => r())));
    const killedAt = performance.now();
    process.kill(arbiter.get('w').slot(1)!.pid!, 'SIGKILL');
    await spawned;
    out.push(performance.now() - killedAt);
    await sleep(50);
  }
  await arbiter.stop({ graceful: false });
  rmSync(dir, { recursive: true, force: true });
  return out;
}

const rows = [['bare spawn-on-exit (baseline)', ...stats(await baseline())], ['ringd supervisor', ...stats(await ringd())]];
console.log(`respawn latency after kill -9, ${rounds} rounds (ms)\n`);
console.log('| supervisor | p50 | p95 | max |\n|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
