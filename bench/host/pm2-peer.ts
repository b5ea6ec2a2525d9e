/**
 * PM2 as a peer: a pinned version installed at first use into a scratch cache directory (never
 * globally), a private PM2_HOME per run, the workload as one fork-mode app with N instances
 * (interpreter none: PM2 runs the same binary as the others), and `pm2 kill` at the end.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setChildSubreaper, waitpidNoHang } from '../../agent/supervise/native.ts';
import { waitFor } from '../../test/support/wait.ts';
import type { ApiClient, LaunchSpec, Peer, RunningPeer } from './peer.ts';
import { running, startDaemon, stopLeavingNothing, waitGone } from './shared.ts';

export const PM2_VERSION = '7.0.4';
/** Where PM2 is installed: $RING_BENCH_CACHE or ~/.cache/ringmaster-bench, one folder per version. */
export const BENCH_CACHE = process.env.RING_BENCH_CACHE ?? join(os.homedir(), '.cache', 'ringmaster-bench');
const INSTALL_TIMEOUT_MS = 180_000;
const READY_TIMEOUT_MS = 60_000;
const BRIDGE = fileURLToPath(new URL('./pm2-bridge.ts', import.meta.url));

const pm2Dir = (): string => join(BENCH_CACHE, `pm2-${PM2_VERSION}`, 'node_modules', 'pm2');

function installed(): boolean {
  try {
    return (JSON.parse(readFileSync(join(pm2Dir(), 'package.json'), 'utf8')) as { version: string }).version === PM2_VERSION;
  } catch {
    return false;
  }
}

/** Installs pm2@PM2_VERSION into the cache unless it is there; undefined when usable, else why not. */
export function ensurePm2(allowInstall: boolean): string | undefined {
  if (installed()) return undefined;
  if (!allowInstall) return `not installed in ${BENCH_CACHE} (run without --no-install to install pm2@${PM2_VERSION} there)`;
  process.stderr.write(`[bench] installing pm2@${PM2_VERSION} into ${BENCH_CACHE}\n`);
  const r = spawnSync('npm', ['install', '--prefix', join(BENCH_CACHE, `pm2-${PM2_VERSION}`), '--no-audit', '--no-fund', '--no-save',
    '--loglevel=error', `pm2@${PM2_VERSION}`], { encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0 || !installed()) return `npm install pm2@${PM2_VERSION} failed: ${(r.stderr || r.error?.message || '').trim().slice(0, 300)}`;
  return undefined;
}

interface Bridge { request(o: Record<string, unknown>): Promise<{ ok: boolean; error?: string; samples?: number[] }>; close(): Promise<void> }

/** Starts pm2-bridge.ts on PM2_HOME and waits until it is connected to the daemon. */
async function startBridge(env: NodeJS.ProcessEnv): Promise<Bridge> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), BRIDGE, pm2Dir()], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const waiting: ((o: { ok: boolean; error?: string; samples?: number[] }) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => waiting.shift()?.(JSON.parse(l)));
  const exited = new Promise<void>((r) => child.once('exit', () => {
    for (const w of waiting.splice(0)) w({ ok: false, error: `pm2 bridge exited: ${err.trim().slice(-300)}` });
    r();
  }));
  const next = () => new Promise<{ ok: boolean; error?: string; samples?: number[] }>((r) => waiting.push(r));
  const hello = await next();
  if (!hello.ok) throw new Error(hello.error);
  return {
    request: (o) => {
      const p = next();
      child.stdin.write(`${JSON.stringify(o)}\n`);
      return p;
    },
    close: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

export function pm2Peer(opts: { allowInstall: boolean }): Peer {
  const bin = (): string => join(pm2Dir(), 'bin', 'pm2');
  return {
    name: 'pm2',
    version: () => `pm2 ${PM2_VERSION}`,
    prepare: async () => ensurePm2(opts.allowInstall),
    launch(spec: LaunchSpec): RunningPeer {
      // PM2's daemon detaches from its CLI: as a subreaper this process inherits it, so it can reap it after `pm2 kill`
      // instead of leaving a zombie to an init that may not reap.
      setChildSubreaper();
      const home = join(spec.dir, 'pm2-home');
      const env = { ...process.env, PM2_HOME: home, PM2_DISABLE_VERSION_CHECK: 'true' };
      const eco = join(spec.dir, 'ecosystem.config.cjs');
      writeFileSync(eco, `module.exports = ${JSON.stringify({
        apps: [{ name: 'w', script: spec.workload.file, args: spec.workload.args, interpreter: 'none', exec_mode: 'fork', instances: spec.n, autorestart: true }],
      })};\n`);
      const cli = startDaemon(process.execPath, [bin(), 'start', eco], { env });
      const pidFile = join(home, 'pm2.pid');
      let god = 0;
      const godPid = (): number => {
        if (!god && existsSync(pidFile)) god = Number(readFileSync(pidFile, 'utf8').trim()) || 0;
        return god;
      };
      let bridge: Bridge | undefined;
      return {
        roots: () => [cli.child.pid && cli.child.exitCode === null ? cli.child.pid : 0, godPid()].filter((p) => p > 0),
        async ready() {
          await waitFor(() => {
            if (cli.child.exitCode !== null && cli.child.exitCode !== 0) throw new Error(`pm2 start failed:\n${cli.output()}`);
            return cli.child.exitCode === 0 && godPid() > 0;
          }, { what: 'pm2 start to finish', timeoutMs: READY_TIMEOUT_MS, intervalMs: 10 });
        },
        statusCli: () => ({ file: process.execPath, args: [bin(), 'jlist'], env }),
        async api(): Promise<ApiClient> {
          bridge ??= await startBridge(env);
          const b = bridge;
          const ask = async (o: Record<string, unknown>): Promise<number[]> => {
            const r = await b.request(o);
            if (!r.ok) throw new Error(`pm2 ${String(o.op)}: ${r.error}`);
            return r.samples ?? [];
          };
          return {
            statusLoop: (count) => ask({ op: 'status', count }),
            restartAll: async () => void (await ask({ op: 'restart' })),
            stopAll: async () => void (await ask({ op: 'stop' })),
            close: async () => {
              await b.close();
              bridge = undefined;
            },
          };
        },
        async shutdown() {
          await bridge?.close();
          const pid = godPid();
          await stopLeavingNothing(pid ? [pid] : [], spec.workload.match, async () => {
            spawnSync(process.execPath, [bin(), 'kill'], { env, stdio: 'ignore', timeout: READY_TIMEOUT_MS });
            if (pid && running(pid)) process.kill(pid, 'SIGKILL');
            if (pid) await waitGone(pid, 'the PM2 daemon to exit');
            if (pid) waitpidNoHang(pid);
          });
        },
      };
    },
  };
}
