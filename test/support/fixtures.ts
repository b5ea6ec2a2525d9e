// Locates and spawns the misbehaving programs of test/fixtures/.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Absolute path of test/fixtures/<name>. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

export interface SpawnFixtureOptions {
  env?: Record<string, string>;
  /** Own process group (pgid = pid), so process.kill(-pid) reaches its whole group. */
  detached?: boolean;
}

/** Runs a `.mjs` fixture with this node, stdio piped; env is added to process.env. */
export function spawnFixture(name: string, args: string[] = [], opts: SpawnFixtureOptions = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [fixture(name), ...args], {
    env: { ...process.env, ...opts.env },
    detached: opts.detached ?? false,
    stdio: 'pipe',
  });
}
