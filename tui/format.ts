/** Figures as the UI prints them: short, fixed-width friendly, "-" for unknown. */

const BLOCKS = '▁▂▃▄▅▆▇█';
const UNITS = ['B', 'K', 'M', 'G', 'T'];

/** 1536 → "1.5K", 73400320 → "70M". */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 10 || u === 0 ? Math.round(v) : v.toFixed(1)}${UNITS[u]}`;
}

/** 12.34 → "12.3" (percent of one CPU). */
export function percent(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '-' : n >= 100 ? String(Math.round(n)) : n.toFixed(1);
}

/** Seconds → "42s", "5m3s", "3h12m", "4d2h". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '-';
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600)}h`;
}

/** The 1-minute load average, or "-". */
export function load(l: readonly number[] | null): string {
  return l ? l[0].toFixed(2) : '-';
}

/** Clock time of a timestamp (ms): "14:03:07". */
export function clock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** The last `width` values as a sparkline scaled to their maximum (at least `floor`, so idle looks idle). */
export function sparkline(values: readonly number[], width: number, floor = 1): string {
  const shown = values.slice(-width);
  const max = Math.max(floor, ...shown);
  return shown.map((v) => BLOCKS[Math.min(BLOCKS.length - 1, Math.max(0, Math.round((v / max) * (BLOCKS.length - 1))))]).join('');
}

/** `text` cut or padded to exactly `width` columns ("…" marks a cut). */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  if (text.length > width) return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
  return align === 'left' ? text.padEnd(width) : text.padStart(width);
}

/** "role=web,dc=par1", or "-". */
export function labels(l: Readonly<Record<string, string>>): string {
  return Object.entries(l).map(([k, v]) => `${k}=${v}`).join(',') || '-';
}
