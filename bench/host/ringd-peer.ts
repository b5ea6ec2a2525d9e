/**
 * ringd as a peer: bin/ringd.js (or a compiled copy) on a private config (loopback endpoints on free ports, discovery
 * off), optionally linked to NATS or with a subscriber on its stats stream (which makes it sample every process).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zmq from 'zeromq';
import { VERSION } from '../../agent/version.ts';
import { parseEndpoints, type Endpoints } from '../../test/support/ringd-control.ts';
import { agentSection } from '../../test/support/ringd.ts';
import { waitFor } from '../../test/support/wait.ts';
import { ControlClient } from '../../test/support/zmq.ts';
import { commandLine, timeLoop, type ApiClient, type LaunchSpec, type Peer, type RunningPeer } from './peer.ts';
import { startDaemon, stopDaemon, stopLeavingNothing } from './shared.ts';

const RINGD = fileURLToPath(new URL('../../bin/ringd.js', import.meta.url));
const RINGCTL = fileURLToPath(new URL('../../bin/ringctl.js', import.meta.url));
/** How long ringd gets to log its endpoints. */
const READY_TIMEOUT_MS = 60_000;
/** A control command that gets no reply within this fails the run. */
const CALL_TIMEOUT_MS = 60_000;

export interface RingdPeerOptions {
  name?: string;
  /** Links ringd to NATS (heartbeats, stats, events) when set. */
  natsUrl?: () => string;
  /** Keeps a subscriber on the stats stream from ready() on. */
  statsSubscriber?: boolean;
  /** Compiled entry points to run instead of bin/ringd.js and bin/ringctl.js (see bench/lib/build.ts). */
  built?: () => { ringd: string; ringctl: string };
}

export function ringdPeer(opts: RingdPeerOptions = {}): Peer {
  return {
    name: opts.name ?? 'ringd',
    version: () => `ringd ${VERSION}`,
    prepare: async () => undefined,
    launch(spec: LaunchSpec): RunningPeer {
      const file = join(spec.dir, 'ringd.toml');
      const nats = opts.natsUrl ? `\n[nats]\nservers = [${JSON.stringify(opts.natsUrl())}]\n` : '';
      writeFileSync(file, `${agentSection(spec.dir)}\n${nats}\n[watchers.w]\ncmd = ${JSON.stringify(commandLine(spec.workload))}\n` +
        `numprocesses = ${spec.n}\n`);
      const d = startDaemon(process.execPath, [opts.built?.().ringd ?? RINGD, '--config', file]);
      let endpoints: Endpoints | undefined;
      let subscriber: zmq.Subscriber | undefined;
      const ready = async (): Promise<void> => {
        endpoints ??= await waitFor(() => {
          if (d.child.exitCode !== null) throw new Error(`ringd exited:\n${d.output()}`);
          return parseEndpoints(d.output());
        }, { what: 'ringd to log its endpoints', timeoutMs: READY_TIMEOUT_MS, intervalMs: 10 });
        if (opts.statsSubscriber && !subscriber) {
          const sub = new zmq.Subscriber({ linger: 0 });
          subscriber = sub;
          sub.connect(endpoints.stats);
          sub.subscribe('stat.');
          void (async () => {
            try {
              for await (const _ of sub); // drain: a subscriber that reads, as a dashboard would
            } catch {
              // closed
            }
          })();
        }
      };
      const endpoint = (): string => {
        if (!endpoints) throw new Error('ringd is not ready');
        return endpoints.control;
      };
      return {
        roots: () => (d.child.pid ? [d.child.pid] : []),
        ready,
        statusCli: () => ({ file: process.execPath, args: [opts.built?.().ringctl ?? RINGCTL, '--endpoint', endpoint(), 'status'] }),
        async api(): Promise<ApiClient> {
          const c = new ControlClient(endpoint());
          const call = async (command: string): Promise<void> => {
            const r = await c.call(command, {}, { timeoutMs: CALL_TIMEOUT_MS });
            if (r.status !== 'ok') throw new Error(`ringd ${command}: ${JSON.stringify(r)}`);
          };
          return {
            statusLoop: (count) => timeLoop(count, () => call('status')),
            restartAll: () => call('restart'),
            stopAll: () => call('stop'),
            close: async () => c.close(),
          };
        },
        async shutdown() {
          subscriber?.close();
          await stopLeavingNothing(d.child.pid ? [d.child.pid] : [], spec.workload.match, () => stopDaemon(d));
        },
      };
    },
  };
}
