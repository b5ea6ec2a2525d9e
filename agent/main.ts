/** `ringd`: the per-host agent. Parses its command line, checks or loads the config, runs the daemon. */
import { daemonStart, fail } from './cli.ts';
import { loadConfig } from './config/index.ts';
import { Daemon } from './daemon.ts';
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

const started = await daemonStart({
  name: 'ringd', usage: USAGE, load: loadConfig, loglevel: (c) => c.agent.loglevel,
  checked: (c) => ` (${c.watchers.length} watcher(s), ${c.files.length} file(s))`,
});
if (started) {
  try {
    await new Daemon(started.cfg, started.log).run();
  } catch (err) {
    fail('ringd', err instanceof AlreadyRunningError ? err.message : `cannot start: ${(err as Error).message}`, 1);
  }
}
