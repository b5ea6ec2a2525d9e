// Discovery tests in a netns lab: real ringd agents on lab hosts and `ringctl discover --watch --json` listeners.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ListenerEvent } from '../../controller/discovery/listener.ts';
import type { Host } from './netns.ts';
import { waitFor } from './wait.ts';

const tsxLoader = import.meta.resolve('tsx');
export const RINGD_MAIN = fileURLToPath(new URL('../../agent/main.ts', import.meta.url));
export const RINGCTL = fileURLToPath(new URL('../../bin/ringctl.js', import.meta.url));
export const fixturePath = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** A program running on a lab host, with its output collected. */
export interface LabProcess {
  child: ChildProcess;
  output(): string;
  waitOutput(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Signals (default SIGTERM) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function labProcess(host: Host, cmd: string, args: string[]): LabProcess {
  const child = host.exec(cmd, args);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => out,
    waitOutput: (re, timeoutMs = 60_000) =>
      waitFor(() => out.match(re) ?? (child.exitCode !== null && new Error('exited')), { timeoutMs, what: `${host.name}: output matching ${re}` })
        .then((m) => {
          if (m instanceof Error) throw new Error(`${host.name}: exited before output matching ${re}:\n${out}`);
          return m;
        })
        .catch((err: Error) => { throw new Error(`${err.message}\n--- ${host.name} output ---\n${out}`); }),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        // `ip netns exec` execs the program, so the child's pid is the program's.
        child.kill(signal);
      }
      await exited;
    },
  };
}

export interface AgentSpec {
  id: string;
  endpoint: string;
  labels?: Record<string, string>;
  discovery?: string;
}

/** Writes a ringd config for a lab host and starts ringd there; resolves once it is announcing. */
export async function startLabAgent(host: Host, dir: string, spec: AgentSpec): Promise<LabProcess> {
  const labels = Object.entries(spec.labels ?? {}).map(([k, v]) => `${k} = "${v}"`).join(', ');
  const file = join(dir, `${spec.id}.toml`);
  writeFileSync(file, `[agent]
id = "${spec.id}"
state_dir = "${dir}/state-${spec.id}"
endpoint = "${spec.endpoint}"
pubsub_endpoint = "ipc://${dir}/${spec.id}-events.sock"
stats_endpoint = "ipc://${dir}/${spec.id}-stats.sock"
labels = { ${labels} }

[discovery]
interface = "${host.iface}"
${spec.discovery ?? ''}

[watchers.idle]
cmd = "sleep 600"
numprocesses = 2
`);
  const p = labProcess(host, process.execPath, ['--import', tsxLoader, RINGD_MAIN, '--config', file]);
  await p.waitOutput(/discovery: announcing/);
  return p;
}

/** `ringctl discover --watch --json` on a lab host, its events parsed as they arrive. */
export interface LabListener extends LabProcess {
  events(): ListenerEvent[];
  /** Resolves with the first event (from index `from`) matching. */
  waitEvent(pred: (e: ListenerEvent) => boolean, what: string, opts?: { from?: number; timeoutMs?: number }): Promise<ListenerEvent>;
}

export async function startLabListener(host: Host, args: string[]): Promise<LabListener> {
  const p = labProcess(host, process.execPath, [RINGCTL, 'discover', '--watch', '--json', '--interface', host.iface, ...args]);
  await p.waitOutput(/"event":"listening"/);
  const events = (): ListenerEvent[] =>
    p.output().split('\n').filter((l) => l.startsWith('{') && !l.includes('"event":"listening"')).map((l) => JSON.parse(l) as ListenerEvent);
  return {
    ...p,
    events,
    waitEvent: (pred, what, opts = {}) =>
      waitFor(() => events().slice(opts.from ?? 0).find(pred), { timeoutMs: opts.timeoutMs ?? 60_000, what: `listener event: ${what}` })
        .catch((err: Error) => { throw new Error(`${err.message}\n--- listener output ---\n${p.output()}`); }),
  };
}
