/** The host report: which figures, the goals set for ringd, per-round ratios, and the Markdown tables. */
import { fmt, fmtSummary, summarize, type Summary } from '../timing.ts';
import { markdownTable } from '../lib/table.ts';
import type { HostCase, HostRun } from './run.ts';

export type Figure = 'cold' | 'coldCpu' | 'cpu' | 'rss' | 'cli' | 'api' | 'respawn' | 'restart' | 'stop';
/** One round: peer name → its figures. */
export type RoundValues = Record<string, Partial<Record<Figure, number>>>;

export const FIGURES: { key: Figure; label: string }[] = [
  { key: 'cold', label: 'cold start: launch → all N running, ms' },
  { key: 'coldCpu', label: 'cold start: CPU of the daemon tree, ms' },
  { key: 'cpu', label: 'steady: CPU of the daemon tree, % of a core' },
  { key: 'rss', label: 'steady: RSS of the daemon tree, MB' },
  { key: 'cli', label: 'status via CLI (whole process), ms' },
  { key: 'api', label: 'status via API (persistent connection), ms' },
  { key: 'respawn', label: 'crash respawn: kill -9 → new child running, ms' },
  { key: 'restart', label: 'restart-all: command → all replaced, ms' },
  { key: 'stop', label: 'stop-all: command → none running, ms' },
];

export interface Goal { figure: Figure; against: 'best' | string; factor: number }
/** Issue 10's goals for ringd, as ratios in the same run. */
export const GOALS: Goal[] = [
  { figure: 'cold', against: 'best', factor: 0.8 },
  { figure: 'cpu', against: 'best', factor: 1 },
  { figure: 'rss', against: 'pm2', factor: 0.75 },
  { figure: 'cli', against: 'best', factor: 0.5 },
  { figure: 'respawn', against: 'pm2', factor: 0.8 },
  { figure: 'restart', against: 'best', factor: 0.8 },
  { figure: 'stop', against: 'best', factor: 1 },
];
/** The ringd the goals are judged on (bin/ringd.js as shipped); ringd-built gets the same check, for information. */
export const SUBJECT = 'ringd';
export const BUILT = 'ringd-built';
const isRingd = (name: string): boolean => name.startsWith(SUBJECT);

/** a / b, where 0 / 0 = 1 and x / 0 = ∞ (an idle peer's CPU can read 0 ticks). */
export const ratio = (a: number, b: number): number => (b === 0 ? (a === 0 ? 1 : Number.POSITIVE_INFINITY) : a / b);

/** subject ÷ peer per round (rounds where either lacks the figure are left out); 'best' = the lowest non-ringd peer that round. */
export function roundRatios(c: HostCase, figure: Figure, against: string, subject = SUBJECT): number[] {
  const out: number[] = [];
  for (const round of c.rounds) {
    const mine = round[subject]?.[figure];
    const others = Object.entries(round).filter(([name, f]) => !isRingd(name) && f[figure] !== undefined).map(([name, f]) => ({ name, v: f[figure]! }));
    const theirs = against === 'best' ? (others.length ? Math.min(...others.map((o) => o.v)) : undefined) : others.find((o) => o.name === against)?.v;
    if (mine !== undefined && theirs !== undefined) out.push(ratio(mine, theirs));
  }
  return out;
}

export interface GoalResult extends Goal { ratio: Summary; met: boolean }

export function evaluateGoals(c: HostCase, subject = SUBJECT): { results: GoalResult[]; unevaluated: string[] } {
  const results: GoalResult[] = [];
  const unevaluated: string[] = [];
  for (const g of GOALS) {
    const rs = roundRatios(c, g.figure, g.against, subject);
    if (rs.length === 0) unevaluated.push(`${g.figure} ≤ ${g.factor} × ${g.against}: no ${g.against} peer measured`);
    else {
      const s = summarize(rs);
      results.push({ ...g, ratio: s, met: s.median <= g.factor });
    }
  }
  return { results, unevaluated };
}

function values(c: HostCase, peer: string, figure: Figure): number[] {
  return c.rounds.map((r) => r[peer]?.[figure]).filter((v): v is number => v !== undefined);
}

/** The Markdown table of one workload × N. */
export function caseTable(c: HostCase, peers: string[]): string {
  const others = peers.filter((p) => !isRingd(p));
  const { results } = evaluateGoals(c);
  const rows = FIGURES.map(({ key, label }) => {
    const goal = results.find((g) => g.figure === key);
    return [
      label,
      ...peers.map((p) => (values(c, p, key).length ? fmtSummary(summarize(values(c, p, key))) : '–')),
      ...others.map((p) => (roundRatios(c, key, p).length ? fmtSummary(summarize(roundRatios(c, key, p))) : '–')),
      goal ? `≤ ${goal.factor} × ${goal.against}: ${fmt(goal.ratio.median)}` : '',
      goal ? (goal.met ? 'met' : '**missed**') : '',
    ];
  });
  return markdownTable(['figure', ...peers, ...others.map((p) => `ringd ÷ ${p}`), 'goal (ringd ÷ …, median of rounds)', ''], rows);
}

export function hostMarkdown(run: HostRun): string {
  const peers = run.peers.map((p) => p.name);
  const parts: string[] = [];
  for (const c of run.cases) {
    parts.push(`### ${c.workload} × ${c.n}, ${c.rounds.length} round(s)\n`);
    parts.push(caseTable(c, peers));
    const { results, unevaluated } = evaluateGoals(c);
    const met = (rs: GoalResult[]): string => rs.filter((g) => g.met).map((g) => g.figure).join(', ') || 'none';
    parts.push(`\nGoals met by ringd: ${results.filter((g) => g.met).length} of ${results.length} (${met(results)})` +
      `${unevaluated.length ? `; not evaluated: ${unevaluated.join('; ')}` : ''}.`);
    if (peers.includes(BUILT)) {
      const b = evaluateGoals(c, BUILT).results;
      parts.push(`Same goals for ringd-built (compiled): ${b.filter((g) => g.met).length} of ${b.length} (${met(b)}); ` +
        `ratios ${b.map((g) => `${g.figure} ${fmt(g.ratio.median)}`).join(', ')}.`);
    }
    parts.push(`Peer order per round: ${c.orders.map((o) => o.join(' → ')).join(' | ')}\n`);
  }
  if (run.skipped.length) parts.push(`Skipped: ${run.skipped.map((s) => `${s.name} (${s.why})`).join('; ')}\n`);
  return parts.join('\n');
}
