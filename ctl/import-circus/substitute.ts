/** Translates Circus's `$(circus.X)` / `((circus.X))` variables (any case) into the form Ringmaster reads. */

/** Circus's variable syntax: both forms, prefix and name case-insensitive, names of word characters and dots. */
const CIRCUS_VARIABLE = /\$\(circus\.([\w.]+)\)|\(\(circus\.([\w.]+)\)\)/gi;

/** Variables Ringmaster fills in itself (besides env.X and sockets.X). */
const RUNTIME_VARIABLES = ['wid', 'name', 'numprocesses'];

export interface VariableContext {
  /** Environment names the ini defines ([env], [env:…]), lower-cased → as spelled there. */
  envNames: ReadonlyMap<string, string>;
  /** The Ringmaster name of a Circus socket (given lower-cased), or undefined when no section defines it. */
  socketName(name: string): string | undefined;
  /**
   * Only for values Circus substitutes at spawn time (cmd, args, shell_args): the value of a watcher
   * option to inline for `$(circus.OPTION)`, or undefined.
   */
  option?(name: string): string | undefined;
  note(message: string): void;
}

/** The spelling to use for `$(circus.env.NAME)`: Circus looked names up ignoring case. */
function envName(name: string, ctx: VariableContext): string {
  const known = ctx.envNames.get(name.toLowerCase());
  if (known !== undefined) return known;
  const upper = name.toUpperCase();
  if (upper !== name) {
    ctx.note(`$(circus.env.${name}): Circus looked environment names up ignoring case; written as $(circus.env.${upper}), check the spelling`);
  }
  return upper;
}

/**
 * Rewrite every Circus variable in `text` as `$(circus.NAME)` with the spelling Ringmaster looks up:
 * `env.X` (resolved against the ini's env names), `sockets.X` (lower-cased, as Circus names sockets),
 * `wid`, `name`, `numprocesses`. With `ctx.option` (spawn-time values), the legacy `$WID` becomes
 * `$(circus.wid)` and other watcher options are inlined. Anything else is left as written (as Circus does).
 */
export function translateVariables(text: string, ctx: VariableContext): string {
  const spawnTime = ctx.option !== undefined;
  let out = text.replace(CIRCUS_VARIABLE, (match: string, a: string | undefined, b: string | undefined) => {
    const name = a ?? b ?? '';
    const lower = name.toLowerCase();
    if (lower.startsWith('env.') && name.length > 4) return `$(circus.env.${envName(name.slice(4), ctx)})`;
    if (lower.startsWith('sockets.') && name.length > 8) {
      const socket = lower.slice(8);
      const mapped = ctx.socketName(socket);
      if (mapped === undefined) ctx.note(`${match}: no [socket:${socket}] section defines this socket; add one or remove the reference`);
      return `$(circus.sockets.${mapped ?? socket})`;
    }
    if (RUNTIME_VARIABLES.includes(lower)) return `$(circus.${lower})`;
    if (spawnTime) {
      const value = ctx.option?.(lower);
      if (value !== undefined) {
        ctx.note(`${match}: Ringmaster has no such variable; the option's value ${JSON.stringify(value)} was written in its place`);
        return value;
      }
      ctx.note(`${match}: unknown variable, left as written (Ringmaster, like Circus, leaves it untouched)`);
    }
    return match;
  });
  if (spawnTime) out = out.replace(/\$WID(?![A-Za-z0-9_])/g, '$(circus.wid)');
  return out;
}
