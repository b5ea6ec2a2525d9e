/** A small strftime (C locale) shared by every sink that prints times or names rotated files. */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const DAYS_LONG = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTHS_LONG = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
  'November', 'December'];

/** Formats a time given in ms since the epoch. */
export type TimeFormatter = (ms: number) => string;

interface Fields {
  d: Date;
  utc: boolean;
  Y: number; m: number; day: number; H: number; M: number; S: number; ms: number; wd: number;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

let zoneNamer: Intl.DateTimeFormat | undefined;
function zoneName(f: Fields): string {
  if (f.utc) return 'UTC';
  zoneNamer ??= new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' });
  return zoneNamer.formatToParts(f.d).find((p) => p.type === 'timeZoneName')?.value ?? '';
}

function zoneOffset(f: Fields): string {
  if (f.utc) return '+0000';
  const off = -f.d.getTimezoneOffset();
  const a = Math.abs(off);
  return `${off < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}${pad(a % 60)}`;
}

const CONVERSIONS: Record<string, (f: Fields) => string> = {
  Y: (f) => String(f.Y),
  y: (f) => pad(f.Y % 100),
  m: (f) => pad(f.m + 1),
  d: (f) => pad(f.day),
  e: (f) => String(f.day).padStart(2, ' '),
  H: (f) => pad(f.H),
  I: (f) => pad(f.H % 12 === 0 ? 12 : f.H % 12),
  p: (f) => (f.H < 12 ? 'AM' : 'PM'),
  M: (f) => pad(f.M),
  S: (f) => pad(f.S),
  f: (f) => pad(f.ms * 1000, 6),
  j: (f) => pad((Date.UTC(f.Y, f.m, f.day) - Date.UTC(f.Y, 0, 1)) / 86_400_000 + 1, 3),
  a: (f) => DAYS[f.wd],
  A: (f) => DAYS_LONG[f.wd],
  b: (f) => MONTHS[f.m],
  B: (f) => MONTHS_LONG[f.m],
  z: zoneOffset,
  Z: zoneName,
  s: (f) => String(Math.floor(f.d.getTime() / 1000)),
  '%': () => '%',
};

function fields(ms: number, utc: boolean): Fields {
  const d = new Date(ms);
  return utc
    ? { d, utc, Y: d.getUTCFullYear(), m: d.getUTCMonth(), day: d.getUTCDate(), H: d.getUTCHours(), M: d.getUTCMinutes(),
      S: d.getUTCSeconds(), ms: d.getUTCMilliseconds(), wd: d.getUTCDay() }
    : { d, utc, Y: d.getFullYear(), m: d.getMonth(), day: d.getDate(), H: d.getHours(), M: d.getMinutes(),
      S: d.getSeconds(), ms: d.getMilliseconds(), wd: d.getDay() };
}

/**
 * Compiles `format` once into a formatter. Supported: %Y %y %m %d %e %H %I %p %M %S %f (microseconds;
 * the last three digits are always 0) %j %a %A %b %B %z %Z %s %%. Any other %x is copied as is.
 * `utc` picks UTC rather than the local zone. The result for the last second is cached, so
 * formatting every line of a busy process costs a comparison (unless the format uses %f).
 */
export function compileTimeFormat(format: string, utc = false): TimeFormatter {
  const parts: (string | ((f: Fields) => string))[] = [];
  let lit = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    const conv = c === '%' && i + 1 < format.length ? CONVERSIONS[format[i + 1]] : undefined;
    if (conv) {
      if (lit) parts.push(lit);
      lit = '';
      parts.push(conv);
      i++;
    } else lit += c;
  }
  if (lit) parts.push(lit);
  const subSecond = /%f/.test(format.replaceAll('%%', ''));
  let lastKey = NaN;
  let lastText = '';
  return (ms: number): string => {
    const key = subSecond ? ms : Math.floor(ms / 1000);
    if (key === lastKey) return lastText;
    const f = fields(ms, utc);
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(f);
    lastKey = key;
    lastText = out;
    return out;
  };
}

/** One-off formatting; prefer compileTimeFormat for repeated use. */
export function strftime(format: string, ms: number, utc = false): string {
  return compileTimeFormat(format, utc)(ms);
}
