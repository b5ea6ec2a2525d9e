/**
 * A fleet command: validated once against the catalogue, sent concurrently to every targeted agent
 * over NATS with a per-agent timeout, answered with one result per host. A host that times out,
 * errs or is unreachable is marked as such; it never fails the whole call.
 */
import { randomBytes } from 'node:crypto';
import { errors } from '@nats-io/transport-node';
import { findCommand, parseProps } from '../../protocol/commands/index.ts';
import type { ApiReply, ApiRequest, HostResult } from '../../protocol/fleet/messages.ts';
import type { AgentView } from '../../protocol/fleet/messages.ts';
import { subjects } from '../../protocol/fleet/subjects.ts';
import { describeTarget, parseTarget, selectAgents, TargetError } from '../fleet/target.ts';

/** Sends one request, resolves with the reply text; rejects with nats.js errors. */
export type Requester = (subject: string, body: string, timeoutMs: number) => Promise<string>;

export interface FanoutContext {
  controller: string;
  request: Requester;
  agents(): readonly AgentView[];
  defaultTimeoutMs: number;
}

const REQUEST_KEYS = ['target', 'properties', 'timeout_ms'];
const MAX_TIMEOUT_MS = 10 * 60_000;

export class BadRequest extends Error {}

/** Parses a ring.api.* body into an ApiRequest; throws BadRequest naming the problem. */
export function parseApiRequest(body: string): ApiRequest & { timeout_ms?: number } {
  let raw: unknown;
  try {
    raw = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    throw new BadRequest('the request is not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new BadRequest('the request must be a JSON object {"target", "properties", "timeout_ms"}');
  const r = raw as Record<string, unknown>;
  const unknown = Object.keys(r).filter((k) => !REQUEST_KEYS.includes(k));
  if (unknown.length) throw new BadRequest(`unknown request key ${unknown.map((k) => `"${k}"`).join(', ')}; expected ${REQUEST_KEYS.join(', ')}`);
  if (r.properties !== undefined && (typeof r.properties !== 'object' || r.properties === null || Array.isArray(r.properties))) {
    throw new BadRequest('properties must be an object');
  }
  if (r.timeout_ms !== undefined && (!Number.isInteger(r.timeout_ms) || (r.timeout_ms as number) < 1 || (r.timeout_ms as number) > MAX_TIMEOUT_MS)) {
    throw new BadRequest(`timeout_ms must be an integer from 1 to ${MAX_TIMEOUT_MS}`);
  }
  try {
    return { target: parseTarget(r.target), properties: (r.properties ?? {}) as Record<string, unknown>, timeout_ms: r.timeout_ms as number | undefined };
  } catch (err) {
    if (err instanceof TargetError) throw new BadRequest(err.message);
    throw err;
  }
}

export function errorReply(ctx: FanoutContext, command: string, reason: string): ApiReply {
  return { status: 'error', command, controller: ctx.controller, results: [], reason, time: Date.now() / 1000 };
}

/** Why an agent is not asked at all (lost, left, multicast only), or undefined when it is asked. */
function unreachable(a: AgentView): string | undefined {
  switch (a.state) {
    case 'alive':
    case 'suspect':
      return undefined;
    case 'lost':
    case 'left':
    case 'discovered':
      return `${a.state}${a.reason ? `: ${a.reason}` : ''}`;
  }
}

/** A failed request as a host result: timeout, unreachable (no responders), permission or other error. */
export function failure(err: unknown, timeoutMs: number): Pick<HostResult, 'status' | 'reason'> {
  const e = err as Error & { cause?: unknown };
  if (e instanceof errors.RequestError && e.isNoResponders()) return { status: 'unreachable', reason: 'the agent is not serving on NATS (no responders)' };
  if (e instanceof errors.TimeoutError || e.cause instanceof errors.TimeoutError) return { status: 'timeout', reason: `no reply within ${timeoutMs / 1000}s` };
  if (e instanceof errors.PermissionViolationError) return { status: 'error', reason: `permission denied: ${e.message}` };
  return { status: 'error', reason: e.message };
}

async function ask(ctx: FanoutContext, a: AgentView, command: string, props: Record<string, unknown>, timeoutMs: number): Promise<HostResult> {
  const skip = unreachable(a);
  if (skip) return { host: a.id, status: 'unreachable', reason: skip, ms: 0 };
  const t0 = performance.now();
  const body = JSON.stringify({ id: randomBytes(8).toString('hex'), command, properties: props });
  try {
    const text = await ctx.request(subjects.ctl(a.id, command), body, timeoutMs);
    const ms = Math.round(performance.now() - t0);
    const reply = JSON.parse(text) as Record<string, unknown>;
    // As in Circus, `status NAME` puts the watcher's state in `status`: anything but "error" is a success.
    return reply.status !== 'error' ? { host: a.id, status: 'ok', reply, ms }
      : { host: a.id, status: 'error', reply, reason: String(reply.reason ?? 'error reply'), ms };
  } catch (err) {
    return { host: a.id, ...failure(err, timeoutMs), ms: Math.round(performance.now() - t0) };
  }
}

/** Runs catalogue command `command` on the agents `body` targets. Never throws. */
export async function fanout(ctx: FanoutContext, command: string, body: string): Promise<ApiReply> {
  const def = findCommand(command);
  if (!def) return errorReply(ctx, command, `unknown command "${command}"`);
  let req: ApiRequest;
  try {
    req = parseApiRequest(body);
    parseProps(def, req.properties ?? {});
  } catch (err) {
    return errorReply(ctx, command, (err as Error).message);
  }
  const known = ctx.agents();
  const chosen = selectAgents(known, req.target!);
  if (chosen.length === 0) {
    const names = known.map((a) => a.id).join(', ') || 'none';
    return errorReply(ctx, command, `no agent matches ${describeTarget(req.target!)} (known agents: ${names})`);
  }
  const timeoutMs = req.timeout_ms ?? ctx.defaultTimeoutMs;
  const results = await Promise.all(chosen.map((a) => ask(ctx, a, def.name, req.properties ?? {}, timeoutMs)));
  const ok = results.filter((r) => r.status === 'ok').length;
  const status = ok === results.length ? 'ok' : ok === 0 ? 'error' : 'partial';
  return { status, command: def.name, controller: ctx.controller, results, time: Date.now() / 1000, ...(ok === 0 ? { reason: 'no agent succeeded' } : {}) };
}
