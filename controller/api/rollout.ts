/**
 * A rolling restart or reload of one watcher across hosts: batches of max_parallel hosts in id
 * order; each batch is done and (with wait_ready) ready again before the pause and the next one;
 * the first failing batch stops the rollout, and the hosts after it are left untouched. Progress
 * is published as it happens; the reply says where it stopped and why.
 */
import { randomBytes } from 'node:crypto';
import { parseRolloutProps, type RolloutProgress, type RolloutProps } from '../../protocol/fleet/commands.ts';
import type { AgentView, ApiReply, HostResult, Inventory } from '../../protocol/fleet/messages.ts';
import { subjects } from '../../protocol/fleet/subjects.ts';
import { describeTarget, selectAgents } from '../fleet/target.ts';
import { errorReply, failure, parseApiRequest, type FanoutContext } from './fanout.ts';

const POLL_MS = 250;

type Publish = (p: Omit<RolloutProgress, 'rollout' | 'controller' | 'ts' | 'watcher'>) => void;

async function call(ctx: FanoutContext, host: string, command: string, props: Record<string, unknown>, timeoutMs: number): Promise<Record<string, unknown>> {
  const body = JSON.stringify({ id: randomBytes(8).toString('hex'), command, properties: props });
  const reply = JSON.parse(await ctx.request(subjects.ctl(host, command), body, timeoutMs)) as Record<string, unknown>;
  if (reply.status === 'error') throw new Error(String(reply.reason ?? 'error reply'));
  return reply;
}

/** restart + wait_ready: every process of the watcher running, with the same pids for settle_ms. */
async function settled(ctx: FanoutContext, host: string, o: RolloutProps, deadline: number): Promise<void> {
  let stable = null as { pids: string; since: number } | null;
  for (;;) {
    const inv = (await call(ctx, host, 'inventory', {}, Math.max(1, deadline - Date.now()))).inventory as Inventory;
    const w = inv.watchers.find((x) => x.name === o.name);
    if (!w) throw new Error(`watcher ${o.name} is gone`);
    const broken = w.processes.find((p) => p.state === 'backoff' || p.state === 'fatal');
    if (broken) throw new Error(`process wid ${broken.wid} is ${broken.state}${broken.last_exit ? ` (${broken.last_exit})` : ''}`);
    const up = w.state === 'active' && w.processes.length === w.numprocesses && w.processes.every((p) => p.state === 'running');
    const pids = JSON.stringify(w.processes.map((p) => p.pid));
    if (!up) stable = null;
    else if (stable?.pids !== pids) stable = { pids, since: Date.now() };
    else if (Date.now() - stable.since >= o.settle_ms) return;
    if (Date.now() >= deadline) throw new Error(`not settled within ${o.host_timeout_ms / 1000}s`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function rollHost(ctx: FanoutContext, host: string, o: RolloutProps): Promise<HostResult> {
  const t0 = performance.now();
  const deadline = Date.now() + o.host_timeout_ms;
  const done = (r: Omit<HostResult, 'host' | 'ms'>): HostResult => ({ host, ...r, ms: Math.round(performance.now() - t0) });
  try {
    const props = o.action === 'reload' ? { name: o.name, waiting: true, graceful: true } : { name: o.name, waiting: true };
    const reply = await call(ctx, host, o.action, props, o.host_timeout_ms);
    if (o.wait_ready && o.action === 'restart') await settled(ctx, host, o, deadline);
    return done({ status: 'ok', reply });
  } catch (err) {
    return done(failure(err, o.host_timeout_ms));
  }
}

/** Runs ring.api.rollout; never throws. */
export async function rollout(ctx: FanoutContext, body: string, publish: (p: RolloutProgress) => void): Promise<ApiReply> {
  let o: RolloutProps;
  let chosen: AgentView[];
  try {
    const req = parseApiRequest(body);
    o = parseRolloutProps(req.properties);
    chosen = selectAgents(ctx.agents(), req.target!);
    if (chosen.length === 0) throw new Error(`no agent matches ${describeTarget(req.target!)}`);
  } catch (err) {
    return errorReply(ctx, 'rollout', (err as Error).message);
  }
  const away = chosen.filter((a) => a.state !== 'alive');
  if (away.length) return errorReply(ctx, 'rollout', `not starting: ${away.map((a) => `${a.id} is ${a.state}`).join(', ')}; wait for them or leave them out of the target`);
  const missing = chosen.filter((a) => a.inventory && !a.inventory.watchers.some((w) => w.name === o.name));
  if (missing.length) return errorReply(ctx, 'rollout', `not starting: no watcher ${o.name} on ${missing.map((a) => a.id).join(', ')}`);

  const id = randomBytes(6).toString('hex');
  const tell: Publish = (p) => publish({ rollout: id, controller: ctx.controller, ts: Date.now(), watcher: o.name, ...p });
  const hosts = chosen.map((a) => a.id);
  const batches: string[][] = [];
  for (let i = 0; i < hosts.length; i += o.max_parallel) batches.push(hosts.slice(i, i + o.max_parallel));
  tell({ event: 'started', hosts });
  const results: HostResult[] = [];
  let stoppedAt: number | null = null;
  for (const [n, batch] of batches.entries()) {
    if (n > 0 && o.pause_ms > 0) await new Promise((r) => setTimeout(r, o.pause_ms));
    tell({ event: 'batch', batch: n + 1, hosts: batch });
    const done = await Promise.all(batch.map(async (h) => {
      const r = await rollHost(ctx, h, o);
      tell({ event: 'host', batch: n + 1, host: h, status: r.status, reason: r.reason });
      return r;
    }));
    results.push(...done);
    if (done.some((r) => r.status !== 'ok')) {
      stoppedAt = n + 1;
      break;
    }
  }
  const untouched = batches.slice(stoppedAt ?? batches.length).flat();
  results.push(...untouched.map((h): HostResult => ({ host: h, status: 'skipped', reason: `rollout stopped at batch ${stoppedAt}`, ms: 0 })));
  const failed = results.filter((r) => r.status !== 'ok' && r.status !== 'skipped');
  const reason = stoppedAt === null ? undefined
    : `stopped at batch ${stoppedAt} of ${batches.length}: ${failed.map((r) => `${r.host}: ${r.reason}`).join('; ')}; ${untouched.length} host(s) left untouched`;
  tell(stoppedAt === null ? { event: 'done' } : { event: 'stopped', batch: stoppedAt, reason });
  return {
    status: stoppedAt === null ? 'ok' : results.some((r) => r.status === 'ok') ? 'partial' : 'error', command: 'rollout', controller: ctx.controller,
    results, time: Date.now() / 1000, rollout: { id, batches, stopped_at: stoppedAt }, ...(reason ? { reason } : {}),
  };
}
