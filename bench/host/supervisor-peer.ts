/**
 * supervisord as a peer (Debian package `supervisor`): its own config and private unix socket in
 * the run's directory, started in the foreground (`supervisord -c CONF -n`), never the system service.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../test/support/wait.ts';
import { commandLine, timeLoop, type ApiClient, type LaunchSpec, type Peer, type RunningPeer } from './peer.ts';
import { startDaemon, stopDaemon, stopLeavingNothing } from './shared.ts';
import { XmlRpcClient } from './xmlrpc.ts';

/** How long supervisord gets to create its socket. */
const READY_TIMEOUT_MS = 60_000;

const which = (cmd: string): string => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();

export function supervisorPeer(): Peer {
  let version = '?';
  return {
    name: 'supervisord',
    version: () => `supervisord ${version}`,
    async prepare() {
      if (!which('supervisord') || !which('supervisorctl')) return 'not installed (apt-get install supervisor)';
      version = spawnSync('supervisord', ['--version'], { encoding: 'utf8' }).stdout.trim();
      return undefined;
    },
    launch(spec: LaunchSpec): RunningPeer {
      const conf = join(spec.dir, 'supervisord.conf');
      const sock = join(spec.dir, 'supervisor.sock');
      writeFileSync(conf, [
        '[unix_http_server]', `file=${sock}`, 'chmod=0700',
        '[supervisord]', `logfile=${join(spec.dir, 'supervisord.log')}`, `pidfile=${join(spec.dir, 'supervisord.pid')}`,
        `childlogdir=${spec.dir}`, 'nodaemon=true', 'user=root',
        '[rpcinterface:supervisor]', 'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
        '[supervisorctl]', `serverurl=unix://${sock}`,
        '[program:w]', `command=${commandLine(spec.workload)}`, `numprocs=${spec.n}`, 'process_name=%(program_name)s_%(process_num)s',
        '',
      ].join('\n'));
      const d = startDaemon('supervisord', ['-c', conf, '-n']);
      let up = false;
      return {
        roots: () => (d.child.pid ? [d.child.pid] : []),
        async ready() {
          if (up) return;
          const probe = new XmlRpcClient(sock);
          try {
            await waitFor(async () => {
              if (d.child.exitCode !== null) throw new Error(`supervisord exited:\n${d.output()}`);
              return (await probe.call('supervisor.getState')).includes('RUNNING');
            }, { what: 'supervisord to answer on its socket', timeoutMs: READY_TIMEOUT_MS, intervalMs: 20 });
          } finally {
            probe.close();
          }
          up = true;
        },
        statusCli: () => ({ file: 'supervisorctl', args: ['-c', conf, 'status'] }),
        async api(): Promise<ApiClient> {
          const c = new XmlRpcClient(sock);
          return {
            statusLoop: (count) => timeLoop(count, () => c.call('supervisor.getAllProcessInfo')),
            // What `supervisorctl restart all` does: stop all (waiting), then start all.
            restartAll: async () => {
              await c.call('supervisor.stopAllProcesses', true);
              await c.call('supervisor.startAllProcesses', false);
            },
            stopAll: async () => void (await c.call('supervisor.stopAllProcesses', false)),
            close: async () => c.close(),
          };
        },
        async shutdown() {
          await stopLeavingNothing(d.child.pid ? [d.child.pid] : [], spec.workload.match, () => stopDaemon(d));
        },
      };
    },
  };
}
