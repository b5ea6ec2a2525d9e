/** Converts [socket:NAME] sections into Ringmaster [sockets.NAME] tables. */
import { WATCHER_NAME } from '../../agent/config/watcher.ts';
import type { Context, TomlTable } from './context.ts';
import type { IniSection } from './ini.ts';
import { Rejected, toBool, toInt } from './values.ts';

const FAMILIES: Record<string, string> = { af_inet: 'inet', inet: 'inet', af_inet6: 'inet6', inet6: 'inet6', af_unix: 'unix', unix: 'unix' };
const TYPES: Record<string, string> = { sock_stream: 'stream', stream: 'stream', sock_dgram: 'dgram', dgram: 'dgram' };
/** Protocol names that add nothing to the socket type. */
const DEFAULT_PROTOS = ['', '0', 'tcp', 'udp', 'ip'];

/** A name Ringmaster accepts: letters, digits, "_", "." and "-" (others become "_"). */
export function safeName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  return WATCHER_NAME.test(safe) ? safe : '_';
}

export interface SocketSection {
  section: IniSection;
  /** Circus's name (lower-cased). */
  name: string;
}

/** Register every socket's Ringmaster name in `ctx.sockets` (before watchers refer to them). */
function registerSockets(sockets: readonly SocketSection[], ctx: Context): SocketSection[] {
  const kept: SocketSection[] = [];
  for (const s of sockets) {
    if (s.section.entries.length === 0 && ctx.defaults.length === 0) {
      ctx.note(s.section, undefined, 'empty section; skipped (Circus skips empty sections too)');
      continue;
    }
    const name = safeName(s.name);
    if ([...ctx.sockets.values()].includes(name)) {
      ctx.note(s.section, undefined, `a socket named "${name}" is already defined; this section is skipped`);
      continue;
    }
    if (name !== s.name) ctx.note(s.section, undefined, `socket renamed "${name}": Ringmaster names use only letters, digits, "_", "." and "-"`);
    ctx.sockets.set(s.name, name);
    kept.push(s);
  }
  return kept;
}

/** Circus read a socket's umask as a decimal number (so "077" meant 77 = 0o115): keep what Circus applied. */
function umask(text: string, note: (message: string) => void): string | Rejected {
  const n = toInt(text, 0);
  if (n instanceof Rejected) return n;
  if (n > 0o777) return new Rejected(`a umask Circus reads as a decimal number ≤ 511, got ${JSON.stringify(text)}`);
  const octal = n.toString(8).padStart(3, '0');
  if (n > 7) {
    const asOctal = /^[0-7]+$/.test(text.trim()) ? ` (write "${text.trim().padStart(3, '0')}" if you meant octal ${text.trim()})` : '';
    note(`Circus read umask ${text.trim()} as a decimal number, i.e. octal ${octal}; written as "${octal}", since Ringmaster reads octal${asOctal}`);
  }
  return octal;
}

/** Convert one socket section; undefined when it cannot be used at all. */
function convertSocket(s: SocketSection, ctx: Context): TomlTable | undefined {
  const { section } = s;
  const table: TomlTable = {};
  for (const { key, entry } of ctx.options(section)) {
    const text = ctx.text(section, entry).trim();
    const note = (message: string): void => ctx.note(section, entry, message);
    switch (key) {
      case 'host':
        if (text !== '') table.host = text;
        break;
      case 'port': {
        const port = toInt(text, 0);
        ctx.set(table, 'port', typeof port === 'number' && port > 65535 ? new Rejected(`a port between 0 and 65535, got ${JSON.stringify(text)}`) : port, section, entry);
        break;
      }
      case 'family': {
        const family = FAMILIES[text.toLowerCase()];
        if (family === undefined) note(`expected AF_INET, AF_INET6 or AF_UNIX, got ${JSON.stringify(text)}; not converted`);
        else table.family = family;
        break;
      }
      case 'type': {
        const type = TYPES[text.toLowerCase()];
        if (type === undefined) note(`${JSON.stringify(text)} is not supported (only SOCK_STREAM and SOCK_DGRAM); the socket is converted as a stream socket: check it`);
        else table.type = type;
        break;
      }
      case 'proto':
        if (!DEFAULT_PROTOS.includes(text.toLowerCase())) note(`not supported: Ringmaster picks the protocol from the socket type; ${JSON.stringify(text)} not converted`);
        break;
      case 'backlog':
        ctx.set(table, 'backlog', toInt(text, 1), section, entry);
        break;
      case 'path':
        table.path = ctx.path(section, entry);
        break;
      case 'umask':
        ctx.set(table, 'umask', umask(text, note), section, entry);
        break;
      case 'replace':
      case 'so_reuseport':
      case 'blocking':
        ctx.set(table, key, toBool(text), section, entry);
        break;
      case 'interface':
        note('not supported: Ringmaster cannot bind a socket to a device (SO_BINDTODEVICE); bind to the interface\'s address with host instead');
        break;
      default:
        note('unknown socket option; not converted');
    }
  }
  if (table.path === undefined && table.family === 'unix') {
    ctx.note(section, undefined, 'an AF_UNIX socket needs a path; the socket is skipped');
    return undefined;
  }
  if (table.family === 'inet6' && table.host === undefined && table.path === undefined) table.host = '::1';
  return table;
}

/** Convert every socket section: Ringmaster name → table. `ctx.sockets` ends up naming only the sockets written. */
export function convertSockets(sockets: readonly SocketSection[], ctx: Context): Map<string, TomlTable> {
  const out = new Map<string, TomlTable>();
  for (const s of registerSockets(sockets, ctx)) {
    const table = convertSocket(s, ctx);
    if (table === undefined) ctx.sockets.delete(s.name);
    else out.set(ctx.sockets.get(s.name) ?? s.name, table);
  }
  return out;
}
