/**
 * Live names for completion — the target's watchers, the fleet's hosts and labels — fetched with a
 * short timeout and cached on disk for a few seconds per target, so that most TABs ask nobody.
 * A target that does not answer gives no names (cached too), never an error.
 */
import { resolveTarget, type Target } from '../context.ts';
import type { FleetSnapshot } from '../../protocol/fleet/messages.ts';
import { writeCache } from './cache.ts';
import type { LiveKind, TargetFlags } from './engine.ts';
import { cachedNames, DEFAULT_TIMEOUT_S, liveKey, NO_NAMES, seconds, ttlMs, type LiveNames } from './names-cache.ts';

const sorted = (names: Iterable<string>): string[] => [...new Set(names)].sort();

/** Watchers (on any agent), hosts and key=value labels of a fleet snapshot. */
export function namesOfSnapshot(s: FleetSnapshot): LiveNames {
  return {
    watcher: sorted(s.agents.flatMap((a) => a.inventory?.watchers.map((w) => w.name) ?? [])),
    host: sorted(s.agents.map((a) => a.id)),
    label: sorted(s.agents.flatMap((a) => Object.entries(a.labels).map(([k, v]) => `${k}=${v}`))),
  };
}

async function fetchNames(target: Target, flags: TargetFlags, timeoutMs: number): Promise<LiveNames> {
  if (target.mode === 'local') {
    const { LocalTarget } = await import('../transport/local.ts');
    const local = new LocalTarget(target.endpoint, { timeoutMs, curveServerKey: flags.curveServerKey });
    try {
      const reply = await local.call('list', {});
      return { ...NO_NAMES, watcher: Array.isArray(reply.watchers) ? sorted(reply.watchers.map(String)) : [] };
    } finally {
      local.close();
    }
  }
  const { FleetTarget } = await import('../transport/fleet.ts');
  const fleet = await FleetTarget.connect(target.nats, timeoutMs);
  try {
    return namesOfSnapshot(await fleet.snapshot(timeoutMs));
  } finally {
    await fleet.close();
  }
}

/** The names of `kind` on the target `flags` (or the environment, or a context file) choose; [] when it cannot be reached. */
export async function liveNames(kind: LiveKind, flags: TargetFlags, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  try {
    const cached = cachedNames(flags, env);
    let names = cached && cached.ageMs < ttlMs(env) ? cached.value : undefined;
    if (!names) {
      const timeoutMs = seconds(env.RINGCTL_COMPLETION_TIMEOUT, DEFAULT_TIMEOUT_S) * 1000;
      names = await resolveTarget(flags, env).then((target) => fetchNames(target, flags, timeoutMs)).catch(() => NO_NAMES);
      writeCache(liveKey(flags, env), names, env);
    }
    return names[kind] ?? [];
  } catch {
    return [];
  }
}
