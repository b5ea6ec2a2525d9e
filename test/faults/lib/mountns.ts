// Runs ringd in a private mount namespace (root only), with small tmpfs mounts the test can fill or make read-only
// without touching the machine: what ringd sees at those paths exists only for it and its children. The test reads
// files there through /proc/<ringd pid>/root.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentSection } from '../../support/ringd.ts';
import { parseEndpoints, type Endpoints } from '../../support/ringd-control.ts';
import { tmpDir } from '../../support/tmp.ts';
import { waitFor } from '../../support/wait.ts';

const RINGD_MAIN = fileURLToPath(new URL('../../../agent/main.ts', import.meta.url));

export interface Mount {
  /** Folder (created under the test's dir) and mount options, e.g. "size=64k" or "ro,size=64k". */
  name: string;
  options: string;
}

export interface NsRingd {
  child: ChildProcess;
  dir: string;
  endpoints: Endpoints;
  output(): string;
  /** A path as ringd sees it, readable from the test. */
  inside(path: string): string;
  stop(): Promise<void>;
}

export function mountNsAvailable(): { ok: true } | { ok: false; reason: string } {
  return process.getuid?.() === 0 ? { ok: true } : { ok: false, reason: 'mount namespaces need root' };
}

/** Starts ringd with `watchers` ({dir} replaced by its folder), the mounts made at {dir}/<name> in its own namespace. */
export async function startRingdInMountNs(watchers: string, mounts: Mount[]): Promise<NsRingd> {
  const dir = tmpDir('fault-mountns');
  const config = join(dir, 'ringd.toml');
  writeFileSync(config, `${agentSection(dir)}\n\n${watchers.replaceAll('{dir}', dir)}\n`);
  const script = mounts.map((m, i) => `mkdir -p "$${i + 1}" && mount -t tmpfs -o "${m.options}" tmpfs "$${i + 1}"`).join(' && ');
  const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `${script} && shift ${mounts.length} && exec "$@"`, 'sh',
    ...mounts.map((m) => join(dir, m.name)), process.execPath, '--import', import.meta.resolve('tsx'), RINGD_MAIN, '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const endpoints = await waitFor(() => parseEndpoints(out) ?? (child.exitCode !== null && new Error(`ringd exited:\n${out}`)), { what: 'ringd in its mount namespace to bind', timeoutMs: 30_000 });
  if (endpoints instanceof Error) throw endpoints;
  await waitFor(() => /ringd ready/.test(out), { what: `ringd ready\n${out}`, timeoutMs: 30_000 });
  return {
    child, dir, endpoints, output: () => out,
    inside: (path) => `/proc/${child.pid}/root${path}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
