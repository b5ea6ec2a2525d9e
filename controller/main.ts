/** `ringmaster`: the fleet controller. Parses its command line, checks or loads its config, runs it. */
import { parseArgs } from 'node:util';
import { ConfigError } from '../protocol/errors.ts';
import { createLogger, LOG_LEVELS, type LogLevel } from '../agent/log.ts';
import { VERSION } from '../agent/version.ts';
import { loadControllerConfig } from './config.ts';
import { Ringmaster } from './daemon.ts';

const USAGE = `usage: ringmaster --config FILE [--log-level debug|info|warning|error]
       ringmaster --check-config FILE
       ringmaster --version

  -c, --config FILE        run the controller on this TOML file ([controller], [nats], [discovery])
      --check-config FILE  validate FILE; exit 0 when valid, 1 otherwise
      --log-level LEVEL    override [controller] loglevel
  -h, --help               show this help
  -V, --version            print the version

The controller aggregates the agents (ringd) of the fleet over NATS and serves fleet commands on
ring.api.<command>; run several for redundancy: any one of them answers. See docs/fleet.md.`;

function fail(message: string, code: number): never {
  process.stderr.write(`ringmaster: ${message}\n`);
  process.exit(code);
}

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
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (values.version) {
  process.stdout.write(`ringmaster ${VERSION}\n`);
  process.exit(0);
}
const level = values['log-level'];
if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level)) fail(`--log-level: expected one of ${LOG_LEVELS.join(', ')}, got "${level}"`, 2);
const file = values['check-config'] ?? values.config;
if (!file) fail(`--config FILE is required\n${USAGE}`, 2);
let cfg;
try {
  cfg = await loadControllerConfig(file);
} catch (err) {
  fail(err instanceof ConfigError ? `invalid configuration:\n${err.message}` : (err as Error).message, 1);
}
if (values['check-config']) {
  process.stdout.write(`${file}: ok\n`);
  process.exit(0);
}
const log = createLogger((level as LogLevel | undefined) ?? cfg.controller.loglevel);
process.on('uncaughtException', (err) => log.error(`internal error (ringmaster keeps running): ${err.stack ?? err.message}`));
process.on('unhandledRejection', (err) => log.error(`internal error (ringmaster keeps running): ${String(err)}`));
await new Ringmaster(cfg, log).run();
