/**
 * Hooks: shell commands run asynchronously at lifecycle points, with the process described in
 * RING_* environment variables, a timeout, and Circus's rule for what a failure does.
 */
import { spawn } from 'node:child_process';
import type { HookName } from '../../protocol/states.ts';
import type { HookConfig } from '../config/types.ts';
import { formatDuration } from '../config/index.ts';
import { describeExit } from './describe.ts';

/** Hooks whose failure never changes what happens next (Circus: "ignored"). */
const FAILURE_IGNORED: ReadonlySet<HookName> = new Set([
  'before_stop', 'after_stop', 'after_signal', 'before_reap', 'after_reap',
]);
/** Output a hook may print that we keep for the log. */
const HOOK_OUTPUT_LIMIT = 4096;

export interface HookContext {
  watcher: string;
  pid?: number;
  wid?: number;
  signum?: number;
  exitCode?: number | null;
  exitSignal?: string | null;
}

export interface HookResult {
  hook: HookName;
  /** The command succeeded (exit 0 within its timeout). */
  ok: boolean;
  /** What the caller should do: true = go on (success, ignored failure, or ignore_failure set). */
  proceed: boolean;
  reason: string;
  output: string;
}

function hookEnv(name: HookName, ctx: HookContext): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, RING_HOOK: name, RING_WATCHER: ctx.watcher };
  if (ctx.pid !== undefined) env.RING_PID = String(ctx.pid);
  if (ctx.wid !== undefined) env.RING_WID = String(ctx.wid);
  if (ctx.signum !== undefined) env.RING_SIGNUM = String(ctx.signum);
  if (ctx.exitCode !== undefined) env.RING_EXIT_CODE = ctx.exitCode === null ? '' : String(ctx.exitCode);
  if (ctx.exitSignal !== undefined) env.RING_EXIT_SIGNAL = ctx.exitSignal ?? '';
  return env;
}

/** Runs one hook; never throws. */
export function runHook(name: HookName, cfg: HookConfig, ctx: HookContext): Promise<HookResult> {
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    const child = spawn('/bin/sh', ['-c', cfg.cmd], {
      env: hookEnv(name, ctx), detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      if (output.length < HOOK_OUTPUT_LIMIT) output += chunk.toString('utf8').slice(0, HOOK_OUTPUT_LIMIT - output.length);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }, cfg.timeout);
    const finish = (ok: boolean, reason: string) => {
      clearTimeout(timer);
      const proceed = ok || cfg.ignore_failure || FAILURE_IGNORED.has(name);
      resolve({ hook: name, ok, proceed, reason, output: output.trim() });
    };
    child.on('error', (err) => finish(false, `could not run: ${err.message}`));
    child.on('close', (code, signal) => {
      if (timedOut) finish(false, `timed out after ${formatDuration(cfg.timeout)}`);
      else finish(code === 0, describeExit(code, signal));
    });
  });
}
