/** Line prefixes, colours and the "lines dropped" marker shared by the sinks. */

/** What a sink is told about each line besides its bytes. */
export interface LineMeta {
  pid: number;
  /** Slot number of the process within its watcher. */
  wid: number;
  /** When the line was read, ms since the epoch. */
  time: number;
}

/** foreman/honcho style: `web.1[4242] | `. */
export function processPrefix(watcher: string, meta: LineMeta): string {
  return `${watcher}.${meta.wid}[${meta.pid}] | `;
}

/** Foreground colours a watcher may get (white is left out: invisible on light terminals). */
const COLOURS = [31, 32, 33, 34, 35, 36];

/** SGR code of the colour of a watcher: stable across restarts (FNV-1a hash of its name). */
export function colourFor(watcher: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < watcher.length; i++) {
    h ^= watcher.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return COLOURS[h % COLOURS.length];
}

export const ANSI_RESET = '\x1b[0m';

export function colourStart(code: number): string {
  return `\x1b[${code}m`;
}

/** Text of the line a sink writes in place of lines it had to drop (never a silent loss). */
export function dropMarkerText(count: number, watcher: string, stream: string, capBytes: number): string {
  return `ringd: ${count} line${count === 1 ? '' : 's'} of ${watcher} ${stream} dropped: `
    + `output queue over ${capBytes} bytes (output written too slowly or failing)`;
}

/** A line's bytes with a text prefix and a "\n", as one Buffer (one write keeps the line whole). */
export function framedLine(prefix: string, line: Buffer, suffix = ''): Buffer {
  const p = prefix.length === 0 ? 0 : Buffer.byteLength(prefix);
  const s = suffix.length === 0 ? 0 : Buffer.byteLength(suffix);
  const out = Buffer.allocUnsafe(p + line.length + s + 1);
  if (p) out.write(prefix, 0);
  line.copy(out, p);
  if (s) out.write(suffix, p + line.length);
  out[out.length - 1] = 0x0a;
  return out;
}
