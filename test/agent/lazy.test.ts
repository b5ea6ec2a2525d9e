// ringd loads the NATS client, the fleet link and the discovery socket only when the config uses them (they cost memory).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixture } from '../support/fixtures.ts';
import { staticImports } from '../support/imports.ts';
import { agentKeys, agentSection } from '../support/ringd.ts';
import { tmpDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

const MAIN = fileURLToPath(new URL('../../agent/main.ts', import.meta.url));
const FLEET = /\/node_modules\/@nats-io\/|\/agent\/fleet\/(fleet-link|connection|connect)\.ts$/;
const DISCOVERY = /\/agent\/discovery\/(socket|announcer)\.ts$/;
const running: ChildProcess[] = [];
after(() => running.forEach((c) => c.kill('SIGKILL')));

/** Runs ringd on `config` until ready (and until it resolved a URL matching `expect`, loaded in the background); the URLs it resolved. */
async function loadedBy(config: string, expect?: RegExp): Promise<string[]> {
  const dir = tmpDir('ringd-lazy');
  const file = join(dir, 'ringd.toml');
  const log = join(dir, 'resolved.txt');
  writeFileSync(file, config.replaceAll('@DIR@', dir));
  writeFileSync(log, '');
  const child = spawn(process.execPath, ['--no-warnings', '--experimental-loader', fixture('tui-resolve-log.mjs'), '--import', import.meta.resolve('tsx'), MAIN,
    '--config', file], { env: { ...process.env, RESOLVE_LOG: log }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`ringd exited:\n${out}`);
    return /ringd ready/.test(out);
  }, { what: 'ringd to be ready', timeoutMs: 60_000 });
  if (expect) await waitFor(() => expect.test(readFileSync(log, 'utf8')), { what: `ringd to load ${expect}`, timeoutMs: 30_000 });
  const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('close', resolve));
  return loaded;
}

const WATCHER = '\n[watchers.w]\ncmd = "sleep 60"\n';

describe('ringd: subsystems loaded on demand', () => {
  it('agent/main.ts imports neither NATS, the fleet link, the discovery socket, node:http(s) nor koffi statically', () => {
    const loaded = [...staticImports(MAIN)];
    assert.deepEqual(loaded.filter((m) => FLEET.test(m) || DISCOVERY.test(m) || /^(@nats-io|koffi)|^node:(dgram|https?)$/.test(m)), []);
    assert.ok(loaded.some((m) => m.endsWith('/agent/daemon.ts')), 'the daemon is followed');
  });

  it('without [nats] and with discovery off, neither is loaded', async () => {
    const loaded = await loadedBy(`${agentSection('@DIR@')}${WATCHER}`);
    assert.ok(loaded.some((u) => u.endsWith('/agent/daemon.ts')), 'the log records what ringd loads');
    assert.deepEqual(loaded.filter((u) => FLEET.test(u) || DISCOVERY.test(u)), []);
  });

  it('with [nats] servers, the NATS client is loaded (and still not discovery)', async () => {
    const loaded = await loadedBy(`${agentSection('@DIR@')}\n[nats]\nservers = ["nats://127.0.0.1:9"]\n${WATCHER}`, /\/node_modules\/@nats-io\/transport-node\//);
    assert.ok(loaded.some((u) => u.endsWith('/agent/fleet/connection.ts')), 'the NATS link');
    assert.ok(loaded.some((u) => /\/node_modules\/@nats-io\/transport-node\//.test(u)), 'the NATS client');
    assert.deepEqual(loaded.filter((u) => DISCOVERY.test(u)), []);
  });

  it('with discovery on and no [nats], the discovery socket is loaded but not the NATS client', async () => {
    const config = `discovery = { enabled = true, interface = "lo" }\n\n[agent]\n${agentKeys('@DIR@')}\n${WATCHER}`;
    const loaded = await loadedBy(config);
    assert.ok(loaded.some((u) => u.endsWith('/agent/discovery/socket.ts')), 'the discovery socket');
    assert.ok(loaded.some((u) => u.endsWith('/agent/fleet/fleet-link.ts')), 'the fleet link, to learn servers');
    assert.deepEqual(loaded.filter((u) => /\/node_modules\/@nats-io\/|\/agent\/fleet\/connection\.ts$/.test(u)), []);
  });
});
