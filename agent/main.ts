/** `ringd`: the per-host agent. Parses its command line, checks or loads the config, runs the daemon. */
import { parseArgs } from 'node:util';
import { ConfigError } from '../protocol/errors.ts';
import { loadConfig } from './config/index.ts';
import { createLogger, LOG_LEVELS, type LogLevel } from './log.ts';
import { Daemon } from './daemon.ts';
import { VERSION } from './version.ts';
import { AlreadyRunningError } from './safety/leftovers.ts';

const USAGE = `usage: ringd --config FILE [--log-level debug|info|warning|error]
       ringd --check-config FILE
       ringd --version

  -c, --config FILE        run the agent on this TOML configuration
      --check-config FILE  validate FILE (and its includes); exit 0 when valid, 1 otherwise
      --log-level LEVEL    override [agent] loglevel
  -h, --help               show this help
  -V, --version            print the version

Signals: TERM/INT stop every watcher in order and exit 0; HUP reloads the configuration
(an invalid one is reported and the running one kept); USR1 reopens log files.`;

function fail(message: string, code: number): never {
  process.stderr.write(`ringd: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
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
    fail(`${(err as Error).message}\n${USAGE}`, 2);
  }
  if (values.help) { process.stdout.write(`${USAGE}\n`); return; }
  if (values.version) { process.stdout.write(`ringd ${VERSION}\n`); return; }
  const level = values['log-level'];
  if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level)) {
    fail(`--log-level: expected one of ${LOG_LEVELS.join(', ')}, got "${level}"`, 2);
  }
  const checkFile = values['check-config'];
  const file = checkFile ?? values.config;
  if (!file) fail(`--config FILE is required\n${USAGE}`, 2);

  let cfg;
  try {
    cfg = await loadConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) fail(`invalid configuration:\n${err.message}`, 1);
    fail((err as Error).message, 1);
  }
  if (checkFile) {
    process.stdout.write(`${file}: ok (${cfg.watchers.length} watcher(s), ${cfg.files.length} file(s))\n`);
    return;
  }
  const log = createLogger((level as LogLevel | undefined) ?? cfg.agent.loglevel);
  process.on('uncaughtException', (err) => log.error(`internal error (ringd keeps running): ${err.stack ?? err.message}`));
  process.on('unhandledRejection', (err) => log.error(`internal error (ringd keeps running): ${String(err)}`));
  try {
    await new Daemon(cfg, log).run();
  } catch (err) {
    fail(err instanceof AlreadyRunningError ? err.message : `cannot start: ${(err as Error).message}`, 1);
  }
}

await main();
