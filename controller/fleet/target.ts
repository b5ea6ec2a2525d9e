/** Fleet command targets: which agents a selector (hosts or globs, labels, all) picks, with plain-English errors. */
import type { AgentView, Target } from '../../protocol/fleet/messages.ts';
import { matcher } from '../../agent/control/match.ts';

export class TargetError extends Error {}

const strings = (v: unknown, what: string): string[] => {
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' && x.trim() !== '')) return v as string[];
  throw new TargetError(`target.${what} must be a list of strings (or one comma-separated string)`);
};

/** Validates a request's `target` (absent = every agent). */
export function parseTarget(raw: unknown): Target {
  if (raw === undefined || raw === null) return { all: true };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new TargetError('target must be an object such as {"hosts": ["web-*"]}, {"labels": ["role=web"]} or {"all": true}');
  const t = raw as Record<string, unknown>;
  const unknown = Object.keys(t).filter((k) => !['hosts', 'labels', 'all'].includes(k));
  if (unknown.length) throw new TargetError(`unknown target key ${unknown.map((k) => `"${k}"`).join(', ')}; use hosts, labels or all`);
  const out: Target = {};
  if (t.hosts !== undefined) out.hosts = strings(t.hosts, 'hosts');
  if (t.labels !== undefined) {
    out.labels = strings(t.labels, 'labels');
    for (const l of out.labels) if (/^=|=$/.test(l)) throw new TargetError(`target label "${l}" must be key=value or key`);
  }
  if (t.all !== undefined) {
    if (typeof t.all !== 'boolean') throw new TargetError('target.all must be true or false');
    out.all = t.all;
  }
  if (!out.hosts && !out.labels && !out.all) throw new TargetError('an empty target selects nothing; say {"all": true} to mean every agent');
  return out;
}

/** The agents a target selects, in id order. Hosts are names or globs (case-insensitive); labels must all match. */
export function selectAgents(agents: readonly AgentView[], t: Target): AgentView[] {
  const hostMatch = t.hosts?.map((h) => matcher(h, 'glob'));
  const labelMatch = t.labels?.map((l) => {
    const i = l.indexOf('=');
    return i < 0 ? (a: AgentView) => Object.hasOwn(a.labels, l)
      : (a: AgentView) => Object.hasOwn(a.labels, l.slice(0, i)) && a.labels[l.slice(0, i)] === l.slice(i + 1);
  });
  return agents
    .filter((a) => !hostMatch || hostMatch.some((m) => m(a.id)))
    .filter((a) => !labelMatch || labelMatch.every((m) => m(a)))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** A short description of a target for messages and the audit log ("hosts web-*, labels role=web"). */
export function describeTarget(t: Target): string {
  const parts = [t.hosts && `hosts ${t.hosts.join(',')}`, t.labels && `labels ${t.labels.join(',')}`].filter(Boolean);
  return parts.length ? parts.join(', ') : 'all agents';
}
