// Runs bin/ringctl.js as an operator would, with no fleet or endpoint from the environment unless a test gives one.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const RINGCTL = fileURLToPath(new URL('../../bin/ringctl.js', import.meta.url));

export interface RingctlRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningRingctl {
  child: ChildProcess;
  /** stdout so far. */
  out(): string;
  done: Promise<RingctlRun>;
}

/** Starts ringctl with `args`; HOME, RING_NATS and CIRCUSCTL_ENDPOINT are neutralised, then `env` is applied. */
export function startRingctl(args: string[], env: Record<string, string> = {}): RunningRingctl {
  const child = spawn(process.execPath, [RINGCTL, ...args], { env: { ...process.env, RING_NATS: '', CIRCUSCTL_ENDPOINT: '', HOME: '/nonexistent', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<RingctlRun>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, out: () => stdout, done };
}

/** Runs ringctl to its end. */
export const ringctl = (args: string[], env: Record<string, string> = {}): Promise<RingctlRun> => startRingctl(args, env).done;
