// ringmaster's config file: defaults, every option, errors naming file and key, and the CLI's --check-config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadControllerConfig } from '../../controller/config.ts';
import * as D from '../../controller/defaults.ts';
import { ConfigError } from '../../protocol/errors.ts';
import { tmpDir } from '../support/tmp.ts';

const ringmaster = fileURLToPath(new URL('../../bin/ringmaster.js', import.meta.url));

function write(text: string): string {
  const file = join(tmpDir('ring-controller-config'), 'controller.toml');
  writeFileSync(file, text);
  return file;
}

async function problems(text: string): Promise<string[]> {
  try {
    await loadControllerConfig(write(text));
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n').map((l) => l.replace(/^\S+controller\.toml: /, ''));
    throw err;
  }
  return [];
}

test('a minimal controller config gets every default', async () => {
  const cfg = await loadControllerConfig(write('[nats]\nservers = ["nats://10.0.0.9:4222"]\n'));
  assert.match(cfg.controller.id, /^ringmaster-[A-Za-z0-9_-]+$/);
  assert.equal(cfg.controller.suspect_after, D.DEFAULT_SUSPECT_AFTER_MISSED);
  assert.equal(cfg.controller.lost_after, D.DEFAULT_LOST_AFTER_MS);
  assert.equal(cfg.controller.request_timeout, D.DEFAULT_REQUEST_TIMEOUT_MS);
  assert.deepEqual(cfg.controller.announce_nats, []);
  assert.equal(cfg.controller.jetstream_replicas, D.DEFAULT_JETSTREAM_REPLICAS);
  assert.deepEqual(cfg.nats.servers, ['nats://10.0.0.9:4222']);
  assert.equal(cfg.discovery.enabled, true);
});

test('every option is read', async () => {
  const cfg = await loadControllerConfig(write(`[controller]
id = "ctl-par1"
suspect_after = 2
lost_after = "20s"
request_timeout = 2.5
announce_nats = ["nats://10.0.0.9:4222", "10.0.0.10:4222"]
audit_file = "audit/trail.jsonl"
jetstream_replicas = 3
loglevel = "debug"
[nats]
servers = "nats://127.0.0.1:4222"
user = "ringmaster"
password = "s3cret"
[discovery]
interface = "eth1"
key_file = "fleet.key"
`));
  assert.equal(cfg.controller.id, 'ctl-par1');
  assert.equal(cfg.controller.suspect_after, 2);
  assert.equal(cfg.controller.lost_after, 20_000);
  assert.equal(cfg.controller.request_timeout, 2500);
  assert.deepEqual(cfg.controller.announce_nats, ['nats://10.0.0.9:4222', '10.0.0.10:4222']);
  assert.match(cfg.controller.audit_file, /\/audit\/trail\.jsonl$/);
  assert.equal(cfg.controller.jetstream_replicas, 3);
  assert.deepEqual([cfg.nats.user, cfg.nats.password], ['ringmaster', 's3cret']);
  assert.equal(cfg.discovery.interface, 'eth1');
});

test('errors name the key and what was expected', async () => {
  assert.deepEqual(await problems('[controller]\nsuspect_after = 0\n[nats]\nservers = ["nats://x:1"]\n'), ['controller.suspect_after: expected an integer ≥ 1, got 0']);
  assert.deepEqual(await problems('[controller]\njetstream_replicas = 6\n[nats]\nservers = ["nats://x:1"]\n'), ['controller.jetstream_replicas: expected an integer between 1 and 5, got 6']);
  assert.deepEqual(await problems('[controler]\n[nats]\nservers = ["nats://x:1"]\n'), ['controler: unknown section; did you mean "controller"?']);
  assert.deepEqual(await problems('[controller]\nid = "ctl 1"\n[nats]\nservers = ["nats://x:1"]\n'), ['controller.id: expected a name of letters, digits, "-" and "_" (at most 64), got "ctl 1"']);
  assert.deepEqual(await problems('[controller]\n'), ['nats.servers: required: the controller needs NATS servers to connect to']);
  assert.deepEqual(await problems('[nats]\nservers = ["http://x:1"]\n'), ['nats.servers: expected a list of NATS URLs ("nats://HOST:PORT", "tls://HOST:PORT" or "HOST:PORT"), got "http://x:1"']);
  assert.deepEqual(await problems('[nats]\nservers = ["nats://x:1"]\npassword = "p"\n'), ['nats.password: needs user']);
});

test('ringmaster --check-config, --version, and usage errors', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [ringmaster, ...args], { encoding: 'utf8' });
  const good = write('[nats]\nservers = ["nats://127.0.0.1:4222"]\n');
  assert.deepEqual([run('--check-config', good).status, run('--check-config', good).stdout], [0, `${good}: ok\n`]);
  const bad = run('--check-config', write('[controller]\nlost_after = "soon"\n[nats]\nservers = ["nats://x:1"]\n'));
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^ringmaster: invalid configuration:\n\S+controller\.toml: controller\.lost_after: expected a duration/);
  assert.match(run('--version').stdout, /^ringmaster \d+\.\d+\.\d+\n$/);
  const usage = run('--frobnicate');
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /Unknown option '--frobnicate'/);
  assert.equal(run().status, 2);
});
