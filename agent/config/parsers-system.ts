/** Parsers for operating-system values of a watcher: the account it runs as, its resource limits and umask. */
import { expected, Invalid, isInteger, show, type Parser } from './parser.ts';
import { groupByName, userByName } from './users.ts';

/** A user or group: a name found in `table`, or a numeric id. */
function account(kind: 'user' | 'group', table: string, lookup: (name: string) => number | undefined): Parser<number> {
  const type = `a ${kind} name or a ${kind === 'user' ? 'uid' : 'gid'} (integer ≥ 0)`;
  return {
    type,
    example: 'www-data',
    parse: (v) => {
      if (isInteger(v)) return v >= 0 ? v : expected(type, v);
      if (typeof v !== 'string' || v.trim() === '') return expected(type, v);
      if (/^\d+$/.test(v)) return Number(v);
      return lookup(v) ?? new Invalid(`unknown ${kind} ${show(v)} (not in ${table})`);
    },
  };
}

export const user = account('user', '/etc/passwd', (name) => userByName(name)?.uid);
export const group = account('group', '/etc/group', groupByName);

const RLIMIT_TYPE = 'an integer ≥ 0, "unlimited" or ""';

/** A resource limit: integer ≥ 0, or "unlimited"/"" → null (no limit). */
export const rlimit: Parser<number | null> = {
  type: RLIMIT_TYPE,
  example: 65536,
  parse: (v) => {
    if (isInteger(v) && v >= 0) return v;
    if (typeof v === 'string' && (v.trim() === '' || v.trim().toLowerCase() === 'unlimited')) return null;
    return expected(RLIMIT_TYPE, v);
  },
};

const UMASK_TYPE = 'an octal umask: a TOML octal number (0o077) or a string of octal digits ("077")';

/** A umask, octal as operators write it (Circus parsed it as decimal: a known trap). */
export const umask: Parser<number> = {
  type: UMASK_TYPE,
  example: '077',
  parse: (v) => {
    if (isInteger(v) && v >= 0 && v <= 0o777) return v;
    if (typeof v === 'string' && /^0?o?[0-7]{1,3}$/.test(v.trim())) return parseInt(v.trim().replace(/^0?o/, ''), 8);
    return expected(UMASK_TYPE, v);
  },
  wire: (v) => `0${v.toString(8).padStart(3, '0')}`,
};
