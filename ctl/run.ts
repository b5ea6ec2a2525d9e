/**
 * Running one command for ringctl: against one ringd (ZeroMQ) or the fleet (NATS, through the
 * controllers), with idempotent start/stop (`changed: false` when nothing had to change),
 * --wait, and the outcome as text or one JSON document plus an exit code.
 */
import type { ApiReply, Target as FleetSelector } from '../protocol/fleet/messages.ts';
import { describeTarget, resolveTarget, selectors, type ContextFlags, type Target } from './context.ts';
import { CtlError, type Outcome } from './errors.ts';
import { UsageError } from './args.ts';
import { exitCode, fleetOutcome, renderFleet, renderReply } from './output.ts';
import type { FleetTarget } from './transport/fleet.ts';
import type { LocalTarget } from './transport/local.ts';
import { openFleet, openLocal } from './transport/index.ts';

export interface GlobalFlags extends ContextFlags {
  timeout: number;
  json?: boolean;
  curveServerKey?: string;
  wait?: boolean;
}

/** What one command produced: printed by the caller (the CLI, the shell). */
export interface Result {
  outcome: Outcome;
  text: string;
  json: Record<string, unknown>;
}

const WATCHER_STATE_AFTER: Record<string, string> = { start: 'active', stop: 'stopped' };


function failure(command: string, target: Target | undefined, err: unknown): Result {
  const e = err instanceof CtlError ? err : err instanceof UsageError ? new CtlError('usage', err.message) : new CtlError('error', (err as Error).message);
  return {
    outcome: e.outcome, text: `ringctl: ${e.message}`,
    json: { status: 'error', command, mode: target?.mode ?? null, error: { outcome: e.outcome, message: e.message } },
  };
}

/** A "program X not found" error, completed with the watchers that do exist. */
async function explainNotFound(t: LocalTarget, reply: Record<string, unknown>): Promise<Record<string, unknown>> {
  const m = /^program (\S+) not found$/.exec(String(reply.reason ?? ''));
  if (!m) return reply;
  const list = await t.call('list', {}).catch(() => undefined);
  const known = Array.isArray(list?.watchers) ? (list.watchers as string[]).join(', ') : undefined;
  return known === undefined ? reply : { ...reply, reason: `${m[1]}: not found; known watchers: ${known || 'none'}` };
}

async function runLocal(t: LocalTarget, command: string, props: Record<string, unknown>, f: GlobalFlags): Promise<Result> {
  const want = WATCHER_STATE_AFTER[command];
  if (want && typeof props.name === 'string' && props.match === undefined) {
    const before = await t.call('status', { name: props.name });
    if (before.status === want) {
      return { outcome: 'ok', text: `${props.name}: already ${want}`, json: { status: 'ok', command, mode: 'local', changed: false, reply: before } };
    }
  }
  const timeoutMs = props.waiting ? Math.max(f.timeout * 1000, 10 * 60_000) : f.timeout * 1000;
  let reply = await t.call(command, props, timeoutMs);
  if (reply.status === 'error') reply = await explainNotFound(t, reply);
  const ok = reply.status !== 'error';
  return {
    outcome: ok ? 'ok' : 'error', text: ok ? renderReply(reply) : `ringctl: ${String(reply.reason)}`,
    json: { status: ok ? 'ok' : 'error', command, mode: 'local', ...(want ? { changed: ok } : {}), reply },
  };
}

/** For start/stop of one watcher on the fleet: its state on each host before, so results can say whether they changed anything. */
async function statesBefore(fleet: FleetTarget, command: string, props: Record<string, unknown>, sel: FleetSelector | undefined, timeoutMs: number): Promise<Map<string, unknown> | undefined> {
  if (!WATCHER_STATE_AFTER[command] || typeof props.name !== 'string' || props.match !== undefined) return undefined;
  const r = await fleet.call('status', { target: sel ?? { all: true }, properties: { name: props.name }, timeout_ms: timeoutMs }, timeoutMs + 5000);
  return new Map(r.results.map((x) => [x.host, x.reply?.status]));
}

function fleetResult(reply: ApiReply): Result {
  const outcome = fleetOutcome(reply);
  const text = renderFleet(reply);
  return { outcome, text: outcome === 'ok' ? text : text.replace(/^error: /, 'ringctl: '), json: { ...reply, mode: 'fleet' } };
}

/** Runs `command` with `props` on the target the flags name; never throws. */
export async function runCommand(command: string, props: Record<string, unknown>, f: GlobalFlags, opts: { fleetOnly?: boolean } = {}): Promise<Result> {
  let target: Target | undefined;
  try {
    target = await resolveTarget(f);
    if (f.wait) props = { ...props, waiting: true };
    const sel = selectors(f);
    if (target.mode === 'local') {
      if (sel || opts.fleetOnly) throw new UsageError(`${sel ? '--host, --label and --all need' : `${command} needs`} the fleet: give --nats URL (or RING_NATS, or a context file)`);
      const local = await openLocal(target.endpoint, { timeoutMs: f.timeout * 1000, curveServerKey: f.curveServerKey });
      try {
        return await runLocal(local, command, props, f);
      } finally {
        local.close();
      }
    }
    const fleet = await openFleet(target.nats, f.timeout * 1000);
    try {
      const perHost = f.timeout * 1000;
      const wait = props.waiting || command === 'rollout' ? 60 * 60_000 : perHost + 5000;
      const before = await statesBefore(fleet, command, props, sel, perHost);
      const reply = await fleet.call(command, { target: sel ?? { all: true }, properties: props, timeout_ms: props.waiting ? undefined : perHost }, wait);
      if (before) for (const r of reply.results) r.changed = r.status === 'ok' && before.get(r.host) !== WATCHER_STATE_AFTER[command];
      return fleetResult(reply);
    } finally {
      await fleet.close();
    }
  } catch (err) {
    return failure(command, target, err);
  }
}

/** Prints a result the way the CLI does and returns its exit code. */
export function emit(r: Result, f: { json?: boolean }): number {
  if (f.json) process.stdout.write(`${JSON.stringify(r.json)}\n`);
  else if (r.outcome === 'ok' || r.outcome === 'partial') process.stdout.write(`${r.text}\n`);
  else process.stderr.write(`${r.text}\n`);
  return exitCode(r.outcome);
}

export { describeTarget };
