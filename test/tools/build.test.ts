// tools/build.ts: ringctl bundled by esbuild works like the sources — against one real ringd over ZeroMQ and a real
// fleet over NATS, its version from package.json, completion's fast path — and keeps the TUI out of its start-up.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { bundleCli, CLI_BUNDLE_DIR, markBuilt } from '../../tools/build.ts';
import { fleetClient, fleetDir, startFleetAgent, startRingmaster, waitFleet, type Ringmaster } from '../support/fleet.ts';
import { startNats, type TestNats } from '../support/nats.ts';
import type { Ringd } from '../support/ringd.ts';
import { startRingdControl, type RingdControl } from '../support/ringd-control.ts';
import { tmpDir } from '../support/tmp.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

describe('ringctl bundled by tools/build.ts', () => {
  let out: string;
  let main: string;
  let local: RingdControl;
  let nats: TestNats;
  let ctl: Ringmaster;
  let agent: Ringd;
  const ringctl = async (args: string[]) => {
    try {
      const r = await run(process.execPath, [main, ...args], { env: { ...process.env, RING_NATS: '', CIRCUSCTL_ENDPOINT: '', HOME: '/nonexistent' } });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };

  before(async () => {
    const root = tmpDir('ring-bundle');
    symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
    out = join(root, 'dist');
    await bundleCli(out);
    markBuilt(out);
    main = join(out, CLI_BUNDLE_DIR, 'main.js');
    local = await startRingdControl('[watchers.web]\ncmd = "sleep 600"\nnumprocesses = 2\n');
    nats = await startNats();
    const dir = fleetDir('ring-bundle-fleet');
    ctl = startRingmaster(dir, [nats.url], { id: 'ctl-1' });
    agent = startFleetAgent(dir, [nats.url], { id: 'web-1' });
    const nc = await fleetClient([nats.url]);
    await waitFleet(nc, (s) => s.agents.some((a) => a.state === 'alive' && a.inventory), 'the agent');
    await nc.close();
  });
  after(async () => {
    await local?.stop();
    await agent?.stop('SIGKILL');
    await ctl?.stop('SIGKILL');
    await nats?.stop();
  });

  it('answers one agent over ZeroMQ and says its version', async () => {
    const e = ['--endpoint', local.endpoints.control];
    assert.deepEqual(await ringctl([...e, 'status']), { code: 0, stdout: 'web:  active\n', stderr: '' });
    const incr = await ringctl([...e, '--json', 'incr', 'web', '--wait']);
    assert.equal(incr.code, 0, incr.stderr);
    assert.equal((await local.pids('web')).length, 3);
    const version = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal((await ringctl(['--version'])).stdout.trim(), `ringctl ${version}`);
  });

  it('answers the fleet over NATS', async () => {
    const r = await ringctl(['--nats', nats.url, 'status']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'HOST   WATCHER  STATE\nweb-1  idle     active\n');
  });

  it('completes from fast.js, and keeps the TUI and Ink out of the entry points', async () => {
    const fast = await import(pathToFileURL(join(out, CLI_BUNDLE_DIR, 'fast.js')).href) as { fastComplete(args: string[], stamp: string): Promise<string | undefined> };
    assert.equal(typeof fast.fastComplete, 'function');
    const staticImports = (file: string) => [...readFileSync(join(out, CLI_BUNDLE_DIR, file), 'utf8').matchAll(/^import\b[^;]*?"([^"]+)"/gm)].map((m) => m[1]);
    const startUp = new Set<string>();
    const visit = (file: string) => {
      for (const spec of staticImports(file)) {
        if (startUp.has(spec)) continue;
        startUp.add(spec);
        if (spec.startsWith('./')) visit(spec.slice(2));
      }
    };
    visit('main.js');
    assert.ok(![...startUp].some((s) => /^(ink|react)/.test(s)), `main.js loads at start: ${[...startUp].join(', ')}`);
    assert.ok(readdirSync(join(out, CLI_BUNDLE_DIR)).length > 2, 'dynamic imports stay separate chunks');
  });
});
