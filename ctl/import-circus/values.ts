/** Parsers for Circus ini values (booleans, integers, seconds, signals, rlimits) into TOML values. */
import { parseSignal, signalName } from '../../agent/config/signals.ts';

/** A value that could not be converted: `reason` completes "expected …". */
export class Rejected {
  constructor(readonly reason: string) {}
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

/** `True/False`, `1/0`, `yes/no`, `on/off`, any case. */
export function toBool(text: string): boolean | Rejected {
  const v = text.trim().toLowerCase();
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  return new Rejected(`a boolean (true/false, 1/0, yes/no, on/off), got ${JSON.stringify(text)}`);
}

/** An integer as Python's int() reads it ("4", "+4", "1_000"), at least `min`. */
export function toInt(text: string, min?: number): number | Rejected {
  const v = text.trim();
  const what = min === undefined ? 'an integer' : `an integer ≥ ${min}`;
  if (!/^[+-]?\d+(?:_\d+)*$/.test(v)) return new Rejected(`${what}, got ${JSON.stringify(text)}`);
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || (min !== undefined && n < min)) return new Rejected(`${what}, got ${JSON.stringify(text)}`);
  return n;
}

/** A number of seconds ≥ 0 (fractions allowed), written to TOML as a number. */
export function toSeconds(text: string): number | Rejected {
  const v = text.trim();
  if (!/^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(v)) return new Rejected(`a number of seconds ≥ 0, got ${JSON.stringify(text)}`);
  const n = Number(v);
  return Number.isFinite(n) ? n : new Rejected(`a number of seconds ≥ 0, got ${JSON.stringify(text)}`);
}

/** A signal (number, name with or without SIG, any case, RTMIN+n) → its canonical name ("SIGQUIT"). */
export function toSignal(text: string): string | Rejected {
  const n = parseSignal(text.trim());
  if (n === undefined) return new Rejected(`a signal name or number (e.g. TERM, SIGQUIT, 15), got ${JSON.stringify(text)}`);
  return signalName(n);
}

/** An rlimit value: an integer ≥ 0, or "" / -1 (RLIM_INFINITY) / "unlimited" / "infinity" → "unlimited". */
export function toRlimit(text: string): number | 'unlimited' | Rejected {
  const v = text.trim().toLowerCase();
  if (v === '' || v === '-1' || v === 'unlimited' || v === 'infinity') return 'unlimited';
  const n = toInt(v, 0);
  return n instanceof Rejected ? new Rejected(`an integer ≥ 0 or an empty value (unlimited), got ${JSON.stringify(text)}`) : n;
}

/** A uid/gid: a number stays a number, a name stays a string. */
export function toUserOrGroup(text: string): number | string {
  const v = text.trim();
  return /^\d+$/.test(v) ? Number(v) : v;
}
