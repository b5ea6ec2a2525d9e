// Starts a private, throwaway redis-server on a free port (never the system one on 6379).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from './ports.ts';
import { tmpDir } from './tmp.ts';
import { waitFor } from './wait.ts';

const run = promisify(execFile);

export interface TestRedis {
  port: number;
  pid: number;
  /** Runs `redis-cli -p <port> ...args` and returns its stdout without the trailing newline. */
  cli: (...args: string[]) => Promise<string>;
  /** SIGTERM (SIGKILL after 5 s) and wait for the exit. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Spawns redis-server on 127.0.0.1 (opts.port or a free one), no persistence, and waits for PONG. */
export function startRedis(opts: { port?: number } = {}): Promise<TestRedis> {
  return launch(opts, 1);
}

async function launch(opts: { port?: number }, attempt: number): Promise<TestRedis> {
  const port = opts.port ?? (await freePort());
  const dir = tmpDir('ringmaster-redis');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => running.delete(child));

  const cli = async (...cmd: string[]): Promise<string> => {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...cmd]);
    return stdout.replace(/\n$/, '');
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  const state = await waitFor(
    async () => (child.exitCode !== null || child.signalCode !== null ? 'exited' : (await cli('ping')) === 'PONG' && 'ready'),
    { what: `redis-server on port ${port} to answer PONG`, intervalMs: 50 },
  ).catch(async (err: Error) => {
    await stop();
    throw new Error(`${err.message}; redis-server said: ${log}`);
  });
  if (state === 'exited') {
    if (opts.port === undefined && attempt < 3) return launch(opts, attempt + 1); // lost a port race
    throw new Error(`redis-server on port ${port} exited with ${child.exitCode}: ${log}`);
  }
  return { port, pid: child.pid ?? 0, cli, stop };
}
