// Mutated valid TOML configs for the config fuzz suite: lines deleted, duplicated, swapped or cut; values replaced by
// values of other types and ranges; keys misspelt or taken from other sections; sections renamed; junk inserted.
// Keys come from the config schema itself, so mutations reach every option's parser.
import { AGENT_OPTIONS, HOOK_OPTIONS, STREAM_OPTIONS, WATCHER_OPTIONS } from '../../../agent/config/index.ts';
import { DISCOVERY_OPTIONS } from '../../../agent/config/schema.ts';
import { NATS_OPTIONS } from '../../../agent/config/nats.ts';
import { HOOK_NAMES } from '../../../protocol/states.ts';
import type { Rand } from './rand.ts';

const KEYS = [...new Set([...AGENT_OPTIONS, ...WATCHER_OPTIONS, ...DISCOVERY_OPTIONS, ...NATS_OPTIONS, ...HOOK_OPTIONS, ...STREAM_OPTIONS].map((o) => o.key)),
  ...HOOK_NAMES.map((h) => `hooks.${h}`), 'include', 'env', 'rlimit_nofile', 'rlimit_nproc', 'stdout_stream.filename', 'use_sockets', 'circus'];
const SECTIONS = ['agent', 'discovery', 'nats', 'env', 'watchers.w', 'watchers.W', 'watchers.a.b', 'watchers."x y"', 'sockets.web', 'watchers.w.hooks',
  'watchers.w.env', 'watchers.w.stdout_stream', 'circus', 'watcher:old', ''];

/** Keys that say what runs, as whom, or where files go: for a real ringd, a mutation never leaves random text there. */
const EFFECT_KEY = /^\s*"?(cmd|args|shell|shell_args|executable|ready_check|working_dir|hooks|hooks\.\w+|before_\w+|after_\w+|include|uid|gid|copy_env|filename|path|state_dir|stdout_stream|stderr_stream|stdout_stream\.\w+|stderr_stream\.\w+|env|servers|enabled)"?\s*=/;
const SAFE_CMD_LINE = 'cmd = "sleep 600"';

/** A TOML value of any type, in and out of every range the parsers check. */
export function tomlValue(r: Rand): string {
  return r.pick<() => string>([
    () => String(r.pick([0, 1, -1, 2, 65535, 65536, 2 ** 31, 9223372036854775807n as unknown as number, -9223372036854775808n as unknown as number])),
    () => r.pick(['1.5', '-0.0', 'inf', '-inf', 'nan', '1e308', '0.2']),
    () => r.pick(['true', 'false']),
    () => JSON.stringify(r.pick(['', '5s', '-1s', '1e9s', '30m', '1h2m', 'TERM', 'SIGKILL', 'none', 'RTMIN+3', 'root', 'nobody', '99999', 'tcp://127.0.0.1:0',
      'tcp://*:0', 'ipc:///nonexistent/x.sock', 'nats://127.0.0.1:1', 'tls://127.0.0.1:1', '239.255.82.77', '127.0.0.2', 'lo', 'eth9', '0o077', '0777', 'unix', 'inet6',
      'FancyStdoutStream', 'FileStream', 'watched', 'fd', 'systemd', 'debug', '$(circus.env.HOME)', '$(circus.wid)', '((circus.sockets.web))', '$HOME', 'x'.repeat(300)])),
    () => JSON.stringify(r.str(12)),
    () => `[${Array.from({ length: r.int(4) }, () => tomlValue(r)).join(', ')}]`,
    () => `{ ${Array.from({ length: r.int(3) }, () => `${r.pick(KEYS.filter((k) => !k.includes('.')))} = ${tomlValue(r)}`).join(', ')} }`,
    () => r.pick(['1979-05-27T07:32:00Z', '07:32:00', '1979-05-27']),
    () => '['.repeat(50) + ']'.repeat(50),
  ])();
}

/** One mutation of the config text. */
function mutateOnce(r: Rand, lines: string[]): string[] {
  const out = [...lines];
  const at = r.int(Math.max(1, out.length));
  const kv = /^(\s*)([\w."-]+)(\s*=\s*)(.*)$/.exec(out[at] ?? '');
  switch (r.int(10)) {
    case 0: out.splice(at, 1); break;
    case 1: out.splice(at, 0, out[at] ?? ''); break;
    case 2: { const b = r.int(out.length); [out[at], out[b]] = [out[b], out[at]]; break; }
    case 3: if (kv) out[at] = `${kv[1]}${kv[2]}${kv[3]}${tomlValue(r)}`; break;
    case 4: if (kv) out[at] = `${kv[1]}${r.chance(0.5) ? r.pick(KEYS) : `${kv[2]}${r.pick(['s', '_', 'x', ''])}`.slice(r.int(2))}${kv[3]}${kv[4]}`; break;
    case 5: out.splice(at, 0, `${r.pick(KEYS)} = ${tomlValue(r)}`); break;
    case 6: out.splice(at, 0, `[${r.pick(SECTIONS)}]`); break;
    case 7: out[at] = (out[at] ?? '').slice(0, r.int((out[at] ?? '').length + 1)); break;
    case 8: out.splice(at, 0, r.pick(['"', '[[watchers]]', '= 1', 'a.b.c = 1', '\u0000', 'key = """', '[watchers.w]\n[watchers.w]', r.str(30)])); break;
    default: if (kv) out[at] = `${kv[1]}${kv[2]}${kv[3]}${r.pick(['', '"', "'", '{', '[', kv[4] + kv[4]])}`; break;
  }
  return out;
}

/** 1 to 4 mutations of a valid config. */
export function mutateToml(r: Rand, text: string): string {
  let lines = text.split('\n');
  for (let n = 1 + r.int(4); n > 0; n--) lines = mutateOnce(r, lines);
  return lines.join('\n');
}

/** For a config a real ringd will run: every line that says what runs (cmd, args, hooks…) is reset to a harmless one. */
export function defang(text: string): string {
  return text.split('\n').map((l) => (!EFFECT_KEY.test(l) ? l : /^\s*cmd\s*=/.test(l) ? SAFE_CMD_LINE : '# (defanged)')).join('\n');
}
