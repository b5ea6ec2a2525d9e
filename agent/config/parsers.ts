/** Value parsers for config options: each checks one TOML value and says what it expected. */
import { isIPv4 } from 'node:net';
import path from 'node:path';
import { labelProblem } from '../../protocol/discovery/codec.ts';
import { ID_PATTERN } from '../../protocol/discovery/types.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { parseSignal, signalName } from './signals.ts';
import { shellSplit } from './shlex.ts';
import { isPlainTable } from './substitute.ts';
import { expected, Invalid, isInteger, show, type Parser } from './parser.ts';

export { expected, Invalid, isInteger, show, type ParseContext, type Parser } from './parser.ts';
export { group, rlimit, umask, user } from './parsers-system.ts';

const seconds = (ms: number): number => ms / 1000;

export const string: Parser<string> = {
  type: 'a string',
  example: 'text',
  parse: (v) => (typeof v === 'string' ? v : expected('a string', v)),
};

export const nonEmptyString: Parser<string> = {
  type: 'a non-empty string',
  example: 'web',
  parse: (v) => (typeof v === 'string' && v.trim() !== '' ? v : expected('a non-empty string', v)),
};

export const boolean: Parser<boolean> = {
  type: 'a boolean (true or false)',
  example: true,
  parse: (v) => (typeof v === 'boolean' ? v : expected('a boolean (true or false)', v)),
};

export function integer(min?: number, max?: number): Parser<number> {
  const type =
    min !== undefined && max !== undefined ? `an integer between ${min} and ${max}`
    : min !== undefined ? `an integer ≥ ${min}`
    : 'an integer';
  return {
    type,
    example: Math.min(Math.max(1, min ?? 1), max ?? Infinity),
    parse: (v) => (isInteger(v) && (min === undefined || v >= min) && (max === undefined || v <= max) ? v : expected(type, v)),
  };
}

export function number(min: number, max: number): Parser<number> {
  const type = `a number between ${min} and ${max}`;
  return { type, example: (min + max) / 2, parse: (v) => (typeof v === 'number' && v >= min && v <= max ? v : expected(type, v)) };
}

const DURATION_TYPE = 'a duration (seconds ≥ 0, or a string like "250ms", "30s", "5m", "1m30s")';

export const duration: Parser<number> = {
  type: DURATION_TYPE,
  example: '30s',
  parse: (v) => parseDuration(v) ?? expected(DURATION_TYPE, v),
  format: formatDuration,
  wire: seconds,
};

const POSITIVE_DURATION_TYPE = 'a duration > 0 (seconds, or a string like "250ms", "1s")';

export const positiveDuration: Parser<number> = {
  type: POSITIVE_DURATION_TYPE,
  example: '30s',
  parse: (v) => {
    const ms = parseDuration(v);
    return ms !== undefined && ms > 0 ? ms : expected(POSITIVE_DURATION_TYPE, v);
  },
  format: formatDuration,
  wire: seconds,
};

const SIGNAL_TYPE = 'a signal name or number (e.g. "TERM", "SIGQUIT", 15, "RTMIN+2", "none")';

export const signal: Parser<number> = {
  type: SIGNAL_TYPE,
  example: 'SIGTERM',
  parse: (v) => parseSignal(v) ?? expected(SIGNAL_TYPE, v),
  format: signalName,
};

/** A string (split like a shell would) or an array of strings. */
export const argv: Parser<string[]> = {
  type: 'a string or an array of strings',
  example: ['--port', '8080'],
  parse: (v) => {
    if (Array.isArray(v)) {
      return v.every((x: unknown) => typeof x === 'string') ? (v as string[]).slice() : expected('a string or an array of strings', v);
    }
    if (typeof v !== 'string') return expected('a string or an array of strings', v);
    try {
      return shellSplit(v);
    } catch (err) {
      return new Invalid(`cannot split ${show(v)} into words: ${(err as Error).message}`);
    }
  },
};

/** An array of names; a single string is taken as a one-element array. */
export const names: Parser<string[]> = {
  type: 'an array of non-empty strings',
  example: ['redis', 'postgres'],
  parse: (v) => {
    const list: unknown = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || !list.every((x: unknown) => typeof x === 'string' && x !== '')) {
      return expected('an array of non-empty strings', v);
    }
    return [...new Set(list as string[])];
  },
};

/** A file-system path; relative paths are resolved against the defining file's folder. */
export const filePath: Parser<string> = {
  type: 'a non-empty path',
  example: '/var/lib/ringd',
  parse: (v, ctx) => (typeof v === 'string' && v.trim() !== '' ? path.resolve(ctx.dir, v) : expected('a non-empty path', v)),
};

/** One of a fixed list of words, matched case-insensitively and returned as spelled in `values`. */
export function oneOf<T extends string>(values: readonly T[]): Parser<T> {
  const type = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  return {
    type,
    example: values[0],
    parse: (v) => {
      if (typeof v !== 'string') return expected(type, v);
      const found = values.find((x) => x.toLowerCase() === v.trim().toLowerCase());
      return found ?? expected(type, v);
    },
  };
}

const ENDPOINT_TYPE = 'a ZeroMQ endpoint: "tcp://HOST:PORT" (PORT 0 = any free port) or "ipc:///absolute/path"';

/** A ZeroMQ endpoint ringd binds: tcp with an explicit host and port, or ipc with an absolute path. */
export const endpoint: Parser<string> = {
  type: ENDPOINT_TYPE,
  example: 'tcp://127.0.0.1:5555',
  parse: (v) => {
    if (typeof v !== 'string') return expected(ENDPOINT_TYPE, v);
    const tcp = /^tcp:\/\/(\[[0-9a-fA-F:.]+\]|\*|[A-Za-z0-9.-]+):(\d{1,5}|\*)$/.exec(v);
    if (tcp && (tcp[2] === '*' || Number(tcp[2]) <= 65535)) return v;
    if (/^ipc:\/\/\/.+/.test(v)) return v;
    return expected(ENDPOINT_TYPE, v);
  },
};

/** A choice that also accepts Circus's spellings (AF_INET, SOCK_STREAM…), case-insensitive. */
export function aliased<T extends string>(values: Record<string, T>, type: string): Parser<T> {
  return {
    type,
    example: Object.values(values)[0],
    parse: (v) => (typeof v === 'string' ? values[v.trim().toLowerCase()] : undefined) ?? expected(type, v),
  };
}

const USE_SOCKETS_TYPE = 'true / "all" (every socket), false (only those the command references), or an array of socket names';

export const useSockets: Parser<boolean | string[]> = {
  type: USE_SOCKETS_TYPE,
  example: ['web'],
  parse: (v) => {
    if (typeof v === 'boolean') return v;
    if (v === 'all') return true;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string' && x !== '')) return v as string[];
    return expected(USE_SOCKETS_TYPE, v);
  },
};

/** An agent id: what a NATS subject token may hold. */
export const agentId: Parser<string> = {
  type: 'a name of letters, digits, "-" and "_" (at most 64)',
  example: 'web-1',
  parse: (v) => (typeof v === 'string' && ID_PATTERN.test(v) ? v : expected('a name of letters, digits, "-" and "_" (at most 64)', v)),
};

const MULTICAST_TYPE = 'an IPv4 multicast address (224.0.0.0 to 239.255.255.255)';

export const multicastGroup: Parser<string> = {
  type: MULTICAST_TYPE,
  example: '239.192.10.1',
  parse: (v) => (typeof v === 'string' && isIPv4(v) && Number(v.split('.')[0]) >= 224 && Number(v.split('.')[0]) <= 239 ? v : expected(MULTICAST_TYPE, v)),
};

export const labels: Parser<Record<string, string>> = {
  type: 'a table of short strings, e.g. { role = "web", dc = "par1" }',
  example: { role: 'web', dc: 'par1' },
  parse: (v) => {
    const problem = labelProblem(v);
    return problem === undefined ? { ...(v as Record<string, string>) } : new Invalid(problem);
  },
};

const ENV_VALUE_TYPE = 'a string, number or boolean (numbers and booleans become strings)';

/** The value of an environment variable. */
export const envValue: Parser<string> = {
  type: ENV_VALUE_TYPE,
  example: 'production',
  parse: (v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : expected(ENV_VALUE_TYPE, v)),
};

const PATTERNS_TYPE = 'a path or glob, or an array of them';

/** `include`: paths or globs (one string is a list of one), relative to the defining file. */
export const pathPatterns: Parser<string[]> = {
  type: PATTERNS_TYPE,
  example: ['conf.d/*.toml'],
  parse: (v) => {
    const list: unknown = typeof v === 'string' ? [v] : v;
    return Array.isArray(list) && list.every((p: unknown) => typeof p === 'string' && p.trim() !== '') ? (list as string[]) : expected(PATTERNS_TYPE, v);
  },
};

/** A table whose every value passes `value`; its keys are limited to `keys` when given. */
export function tableOf<T>(value: Parser<T>, type: string, example: Record<string, unknown>, keys?: readonly string[]): Parser<Record<string, T>> {
  return {
    type,
    example,
    parse: (v, ctx) => {
      if (!isPlainTable(v)) return expected(type, v);
      const out: Record<string, T> = {};
      for (const [k, x] of Object.entries(v)) {
        if (keys && !keys.includes(k)) return new Invalid(`unknown key ${show(k)}; expected one of ${keys.join(', ')}`);
        const parsed = value.parse(x, ctx);
        if (parsed instanceof Invalid) return new Invalid(`${k}: ${parsed.message}`);
        out[k] = parsed;
      }
      return out;
    },
  };
}
