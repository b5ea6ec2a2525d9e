// Runs the ringd agent (agent/main.ts) as a child process for end-to-end tests, collecting its output.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const mainTs = fileURLToPath(new URL('../../agent/main.ts', import.meta.url));
const tsxLoader = import.meta.resolve('tsx');

export interface Ringd {
  child: ChildProcess;
  /** stdout + stderr received so far, in arrival order. */
  output(): string;
  /** Resolves with the first text matching re in output() (m[0]); rejects early if ringd exits. */
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends signal (default SIGTERM; SIGKILL after killAfterMs, default 30000) and resolves with the exit code (null if killed by a signal). */
  stop(signal?: NodeJS.Signals, killAfterMs?: number): Promise<number | null>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Spawns `node --import tsx agent/main.ts --config <configPath>` from the repo root; opts.env is added to process.env. */
export function startRingd(configPath: string, opts: { env?: Record<string, string> } = {}): Ringd {
  return startTsProgram(mainTs, ['--config', configPath], opts);
}

/** Spawns `node --import tsx <main> <args>` from the repo root (ringd, ringmaster…), collecting its output like startRingd. */
export function startTsProgram(main: string, args: string[], opts: { env?: Record<string, string>; name?: string } = {}): Ringd {
  const name = opts.name ?? 'ringd';
  const child = spawn(process.execPath, ['--import', tsxLoader, main, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    });
  });
  const isRunning = (): boolean => child.exitCode === null && child.signalCode === null;

  let closed = false; // set once the program exited and its output is fully read
  child.once('close', () => (closed = true));

  const waitForOutput = async (re: RegExp, timeoutMs = 15_000): Promise<string> => {
    const found = await waitFor(
      () => {
        const m = out.match(re);
        return m ? { text: m[0] } : closed && { text: undefined };
      },
      { timeoutMs, what: `${name} output matching ${re}` },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- ${name} output ---\n${out}`);
    });
    if (found.text === undefined) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before output matching ${re}\n--- ${name} output ---\n${out}`);
    }
    return found.text;
  };

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', killAfterMs = 30_000): Promise<number | null> => {
    if (isRunning()) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  return { child, output: () => out, waitForOutput, stop };
}

/**
 * The [agent] section of a test ringd (header included), preceded by discovery switched off: tests
 * outside network namespaces must never multicast on the machine's real network.
 */
export function agentSection(dir: string): string {
  return `discovery = { enabled = false }\n\n[agent]\n${agentKeys(dir)}`;
}

/** [agent] keys for a test ringd: its own state dir and endpoints on free ports, so tests never collide. */
export function agentKeys(dir: string): string {
  return [
    `state_dir = "${dir}/state"`,
    'endpoint = "tcp://127.0.0.1:0"',
    'pubsub_endpoint = "tcp://127.0.0.1:0"',
    'stats_endpoint = "tcp://127.0.0.1:0"',
  ].join('\n');
}
