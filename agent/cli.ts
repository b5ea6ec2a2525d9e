/**
 * The command line shared by ringd and ringmaster: --config / --check-config FILE, --log-level,
 * --help, --version; usage errors exit 2, configuration errors exit 1, each named plainly.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../protocol/errors.ts';
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from './log.ts';
import { VERSION } from './version.ts';

export interface DaemonCli<C> {
  /** Program name, as in messages ("ringd"). */
  name: string;
  usage: string;
  load(file: string): Promise<C>;
  /** The line --check-config prints after "FILE: ok". */
  checked(cfg: C): string;
  loglevel(cfg: C): LogLevel;
}

export function fail(name: string, message: string, code: number): never {
  process.stderr.write(`${name}: ${message}\n`);
  process.exit(code);
}

/**
 * Parses the command line and loads the config. Returns undefined when the work is done
 * (help, version, --check-config); otherwise the config and a logger, with internal errors
 * logged (the daemon keeps running) from then on.
 */
export async function daemonStart<C>(cli: DaemonCli<C>): Promise<{ cfg: C; log: Logger } | undefined> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        config: { type: 'string', short: 'c' },
        'check-config': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
      strict: true,
    }));
  } catch (err) {
    fail(cli.name, `${(err as Error).message}\n${cli.usage}`, 2);
  }
  if (values.help) return void process.stdout.write(`${cli.usage}\n`);
  if (values.version) return void process.stdout.write(`${cli.name} ${VERSION}\n`);
  const level = values['log-level'];
  if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level)) {
    fail(cli.name, `--log-level: expected one of ${LOG_LEVELS.join(', ')}, got "${level}"`, 2);
  }
  const file = values['check-config'] ?? values.config;
  if (!file) fail(cli.name, `--config FILE is required\n${cli.usage}`, 2);
  let cfg: C;
  try {
    cfg = await cli.load(file);
  } catch (err) {
    fail(cli.name, err instanceof ConfigError ? `invalid configuration:\n${err.message}` : (err as Error).message, 1);
  }
  if (values['check-config']) return void process.stdout.write(`${file}: ok${cli.checked(cfg)}\n`);
  const log = createLogger((level as LogLevel | undefined) ?? cli.loglevel(cfg));
  process.on('uncaughtException', (err) => log.error(`internal error (${cli.name} keeps running): ${err.stack ?? err.message}`));
  process.on('unhandledRejection', (err) => log.error(`internal error (${cli.name} keeps running): ${String(err)}`));
  return { cfg, log };
}
