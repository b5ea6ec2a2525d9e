/** `ringmaster`: the fleet controller. Parses its command line, checks or loads its config, runs it. */
import { daemonStart } from '../agent/cli.ts';
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

const started = await daemonStart({
  name: 'ringmaster', usage: USAGE, load: loadControllerConfig, loglevel: (c) => c.controller.loglevel, checked: () => '',
});
if (started) await new Ringmaster(started.cfg, started.log).run();
