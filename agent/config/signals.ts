/** Signal names and numbers in the config ("TERM", "sigquit", 15, "RTMIN+2", "none") → signal numbers. */
import os from 'node:os';

/** Linux real-time signal range as seen by programs linked with glibc. */
export const SIGRTMIN = 34;
export const SIGRTMAX = 64;

const BY_NAME: Readonly<Record<string, number>> = os.constants.signals;

/**
 * Signal number for a config value, or undefined when invalid. Accepts an integer 0..64, a numeric
 * string, a name with or without the "SIG" prefix in any case, "RTMIN+n"/"RTMAX-n" and "none" (→ 0,
 * meaning: send no signal and let the process leave by itself).
 */
export function parseSignal(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 && value <= SIGRTMAX ? value : undefined;
  }
  if (typeof value !== 'string') return undefined;
  let name = value.trim().toUpperCase();
  if (name === '') return undefined;
  if (/^\d+$/.test(name)) return parseSignal(Number(name));
  if (name === 'NONE') return 0;
  if (name.startsWith('SIG')) name = name.slice(3);
  const rt = /^RT(MIN|MAX)(?:\s*([+-])\s*(\d+))?$/.exec(name);
  if (rt) {
    const offset = rt[3] === undefined ? 0 : Number(rt[3]);
    const n = rt[1] === 'MIN' ? (rt[2] === '-' ? NaN : SIGRTMIN + offset) : (rt[2] === '+' ? NaN : SIGRTMAX - offset);
    return n >= SIGRTMIN && n <= SIGRTMAX ? n : undefined;
  }
  if (!/^[A-Z0-9]+$/.test(name)) return undefined;
  return BY_NAME[`SIG${name}`];
}

/** Display name of a signal number: "SIGTERM", "SIGRTMIN+2", "none" for 0, the number otherwise. */
export function signalName(signal: number): string {
  if (signal === 0) return 'none';
  for (const [name, n] of Object.entries(BY_NAME)) if (n === signal) return name;
  if (signal >= SIGRTMIN && signal <= SIGRTMAX) return signal === SIGRTMIN ? 'SIGRTMIN' : `SIGRTMIN+${signal - SIGRTMIN}`;
  return String(signal);
}
