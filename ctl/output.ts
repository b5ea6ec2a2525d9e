/**
 * What ringctl prints: plain lines and aligned tables for people, one JSON document for scripts
 * (--json), and the exit code for both. Replies are rendered from their keys, the way circusctl
 * does (a state, a number, a list, key: value lines), so every catalogue command is covered.
 */
import type { AgentView, ApiReply, HostResult } from '../protocol/fleet/messages.ts';
import { EXIT, type Outcome } from './errors.ts';

const ENVELOPE = ['status', 'time', 'id'];

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

const scalar = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** One reply of ringd as circusctl would show it. */
export function renderReply(reply: Record<string, unknown>): string {
  if (reply.status === 'error') return `error: ${scalar(reply.reason)}`;
  if (typeof reply.status === 'string' && reply.status !== 'ok') return reply.status; // `status NAME`: the state
  const body = Object.fromEntries(Object.entries(reply).filter(([k]) => !ENVELOPE.includes(k)));
  const keys = Object.keys(body);
  if (keys.length === 0) return 'ok';
  if (body.statuses && typeof body.statuses === 'object') return table(Object.entries(body.statuses).map(([n, s]) => [`${n}:`, scalar(s)]));
  if (keys.length === 1 || (keys.length === 2 && 'watcher_name' in body)) {
    const v = body[keys.find((k) => k !== 'watcher_name')!];
    if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) return v.join(',');
    if (typeof v !== 'object' || v === null) return scalar(v);
    if (!Array.isArray(v)) return Object.entries(v).map(([k, x]) => `${k}: ${scalar(x)}`).join('\n');
  }
  return Object.entries(body).map(([k, v]) => `${k}: ${scalar(v)}`).join('\n');
}

function hostLine(r: HostResult): string {
  if (r.status !== 'ok') return `${r.host}: ${r.status}${r.reason ? `: ${r.reason}` : ''}`;
  const text = r.reply ? renderReply(r.reply) : 'ok';
  return text.includes('\n') ? `${r.host}:\n${text.replace(/^/gm, '  ')}` : `${r.host}: ${text}`;
}

const ago = (ms: number | null): string => (ms === null ? '-' : `${Math.max(0, Math.round((Date.now() - ms) / 1000))}s ago`);
const labelText = (l: Record<string, string>) => Object.entries(l).map(([k, v]) => `${k}=${v}`).join(',') || '-';

export function hostsTable(hosts: AgentView[]): string {
  if (hosts.length === 0) return 'no hosts';
  return table([['HOST', 'STATE', 'LABELS', 'WATCHERS', 'PROCESSES', 'HEARTBEAT', 'REASON'],
    ...hosts.map((h) => [h.id, h.state, labelText(h.labels), String(h.watchers), String(h.processes), ago(h.last_heartbeat), h.reason ?? ''])]);
}

/** A fleet reply for people: per-host lines, or the host table, or the fleet status table. */
export function renderFleet(reply: ApiReply): string {
  if (reply.status === 'error' && reply.results.length === 0) return `error: ${reply.reason ?? 'refused'}`;
  if (reply.hosts) return hostsTable(reply.hosts);
  const statuses = reply.results.every((r) => r.status !== 'ok' || (r.reply && typeof r.reply.statuses === 'object'));
  let text: string;
  if (reply.command === 'status' && statuses) {
    const rows = [['HOST', 'WATCHER', 'STATE']];
    for (const r of reply.results) {
      if (r.status !== 'ok') rows.push([r.host, '-', `${r.status}${r.reason ? `: ${r.reason}` : ''}`]);
      else for (const [w, s] of Object.entries(r.reply!.statuses as Record<string, string>)) rows.push([r.host, w, s]);
    }
    text = table(rows);
  } else {
    text = reply.results.map(hostLine).join('\n');
  }
  return reply.reason ? `${text}\n${reply.reason}` : text;
}

/** The outcome of a fleet reply: partial when some hosts failed; timeout/unreachable when every host failed that way. */
export function fleetOutcome(reply: ApiReply): Outcome {
  if (reply.status === 'ok') return 'ok';
  if (reply.status === 'partial') return 'partial';
  const failed = reply.results.filter((r) => r.status !== 'ok' && r.status !== 'skipped');
  if (failed.length > 0 && failed.every((r) => r.status === 'timeout')) return 'timeout';
  if (failed.length > 0 && failed.every((r) => r.status === 'unreachable')) return 'unreachable';
  return 'error';
}

export const exitCode = (o: Outcome): number => EXIT[o];
