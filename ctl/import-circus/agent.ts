/** Converts the [circus] section (circusd's own options) into Ringmaster's [agent] table. */
import { endpoint as endpointParser, Invalid } from '../../agent/config/parsers.ts';
import type { Context, TomlTable } from './context.ts';
import type { IniSection } from './ini.ts';
import { Rejected, toBool, toSeconds } from './values.ts';

/** Options Ringmaster has no equivalent for, with the reason given to the user. */
const UNSUPPORTED: Record<string, string> = {
  endpoint_owner: 'not supported: ringd does not chown an ipc endpoint; protect it with file permissions or CURVE (curve_secret_key_file)',
  multicast_endpoint: 'not supported: ringd has no UDP multicast discovery; give clients the endpoint explicitly',
  umask: 'not supported: ringd has no umask option; set it in the service manager that starts ringd (systemd UMask=)',
  pidfile: 'not supported: ringd writes no pid file; its service manager (systemd) tracks it',
  logoutput: 'not supported: ringd logs to stderr; redirect it with the service manager (journald, a file)',
  loggerconfig: 'not supported: Python logging configuration; ringd logs to stderr',
  fqdn_prefix: 'not supported: name the agent with [agent] id instead',
  stream_backend: 'ignored: Circus 0.19 did not read it either',
  statsd_close_outputs: 'ignored: Circus 0.19 did not read it either',
  httpd_close_outputs: 'ignored: Circus 0.19 did not read it either',
  papa_endpoint: 'not supported: ringd does not use papa; its processes survive nothing but ringd itself',
};

/** Boolean switches without an equivalent, reported only when switched on. */
const SWITCHES: Record<string, string> = {
  statsd: 'not needed: ringd publishes the stats stream itself on stats_endpoint (no circusd-stats process)',
  httpd: 'not supported: circus-web (circushttpd) has no Ringmaster equivalent; use ringctl or the TUI',
  debug: 'not supported: use loglevel = "debug" (plugin and stats output does not exist in ringd)',
  debug_gc: 'not supported: a Python garbage-collector debug switch',
};

/** Circus log levels → Ringmaster's. */
const LOG_LEVELS: Record<string, string> = { debug: 'debug', info: 'info', warning: 'warning', warn: 'warning', error: 'error', critical: 'error' };

/** Convert [circus] into the [agent] table (the include keys were handled when reading the files). */
export function convertCircus(section: IniSection, ctx: Context, mainFile: string): TomlTable {
  const agent: TomlTable = {};
  // An included file's include / include_dir is never read: say so rather than "repeated option".
  const nested = section.ignored.filter((e) => ['include', 'include_dir'].includes(e.key.toLowerCase()) && e.file !== mainFile);
  for (const entry of nested) ctx.note(section, entry, 'not followed: Circus reads include and include_dir only from the main file');
  const options = ctx.options({ ...section, ignored: section.ignored.filter((e) => !nested.includes(e)) });
  const httpd = options.find((o) => o.key === 'httpd');
  const httpdOn = httpd !== undefined && toBool(httpd.entry.value) === true;
  for (const { key, entry } of options) {
    // Translated once, so a variable's note is given once.
    let translated: string | undefined;
    const text = (): string => (translated ??= ctx.text(section, entry));
    switch (key) {
      case 'endpoint':
      case 'pubsub_endpoint':
      case 'stats_endpoint': {
        const value = text().trim();
        const parsed = endpointParser.parse(value, { dir: '.' });
        if (parsed instanceof Invalid) ctx.note(section, entry, `${parsed.message}; not converted (the default is used)`);
        else agent[key] = value;
        break;
      }
      case 'check_delay': {
        const value = toSeconds(text());
        if (value === 0) ctx.note(section, entry, 'check_interval must be > 0; not converted (the default 1s is used)');
        else ctx.set(agent, 'check_interval', value, section, entry);
        break;
      }
      case 'warmup_delay':
        ctx.set(agent, 'warmup_delay', toSeconds(text()), section, entry);
        break;
      case 'loglevel': {
        const level = LOG_LEVELS[text().trim().toLowerCase()];
        if (level === undefined) ctx.note(section, entry, `expected one of debug, info, warning, error, critical, got ${JSON.stringify(entry.value)}; not converted`);
        else agent.loglevel = level;
        if (text().trim().toLowerCase() === 'critical') ctx.note(section, entry, 'ringd has no "critical" level; written as "error"');
        break;
      }
      case 'statsd':
      case 'httpd':
      case 'debug':
      case 'debug_gc': {
        // Switches: only an enabled one loses something.
        const on = toBool(text());
        if (on instanceof Rejected) ctx.note(section, entry, `expected ${on.reason}; not converted`);
        else if (on) ctx.note(section, entry, SWITCHES[key]);
        break;
      }
      case 'httpd_host':
      case 'httpd_port':
        if (httpdOn) ctx.note(section, entry, 'not supported: circus-web (circushttpd) has no Ringmaster equivalent');
        break;
      case 'include':
      case 'include_dir':
        if (entry.file !== mainFile) {
          ctx.note(section, entry, 'not followed: Circus reads include and include_dir only from the main file');
        }
        break;
      default:
        if (UNSUPPORTED[key] !== undefined) ctx.note(section, entry, UNSUPPORTED[key]);
        else ctx.note(section, entry, 'unknown [circus] option; not converted');
    }
  }
  return agent;
}
