/**
 * Control-command latency over ZeroMQ: sequential `status`, `list` and `stats NAME` against a real
 * ringd (20 watchers × 4 `sleep` processes), next to a bare ROUTER echo server measured in the
 * same run (the floor zeromq.js and this machine allow). Usage: node --import tsx bench/command-latency.ts [requests=2000]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zmq from 'zeromq';
import { ControlClient } from '../test/support/zmq.ts';
import { percentile } from './timing.ts';

const N = Number(process.argv[2] ?? 2000);
zmq.context.blocky = false;

function pct(xs: number[]): string[] {
  return [percentile(xs, 0.5), percentile(xs, 0.99), Math.max(...xs)].map((x) => (x * 1000).toFixed(0));
}

async function time(client: ControlClient, command: string, props: Record<string, unknown> = {}): Promise<number[]> {
  for (let i = 0; i < 100; i++) await client.call(command, props);
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await client.call(command, props);
    out.push(performance.now() - t0);
  }
  return out;
}

async function echoBaseline(): Promise<number[]> {
  const router = new zmq.Router({ linger: 0 });
  await router.bind('tcp://127.0.0.1:*');
  void (async () => {
    for await (const [id, body] of router) {
      const req = JSON.parse(body.toString()) as { id: string };
      await router.send([id, JSON.stringify({ status: 'ok', time: Date.now() / 1000, id: req.id })]);
    }
  })().catch(() => undefined);
  const client = new ControlClient(router.lastEndpoint!);
  const out = await time(client, 'status');
  client.close();
  router.close();
  return out;
}

async function ringd(): Promise<Record<string, number[]>> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cmd-'));
  const watchers = Array.from({ length: 20 }, (_, i) => `[watchers.w${i}]\ncmd = "sleep 600"\nnumprocesses = 4\n`).join('');
  writeFileSync(join(dir, 'r.toml'), `discovery = { enabled = false }\n[agent]\nstate_dir = "${dir}/state"\nendpoint = "tcp://127.0.0.1:0"\n` +
    `pubsub_endpoint = "tcp://127.0.0.1:0"\nstats_endpoint = "tcp://127.0.0.1:0"\n${watchers}`);
  const main = fileURLToPath(new URL('../bin/ringd.js', import.meta.url));
  const child = spawn(process.execPath, [main, '--config', join(dir, 'r.toml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('ringd ready')) resolve(/control (tcp:\/\/\S+),/.exec(log)![1]);
    });
    child.once('exit', () => reject(new Error(`ringd exited:\n${log}`)));
  });
  const client = new ControlClient(endpoint);
  try {
    return {
      status: await time(client, 'status'),
      list: await time(client, 'list', { name: 'w3' }),
      'stats w3 (4 processes)': await time(client, 'stats', { name: 'w3' }),
    };
  } finally {
    client.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: [string, number[]][] = [['bare ROUTER echo (baseline)', await echoBaseline()]];
for (const [name, xs] of Object.entries(await ringd())) rows.push([`ringd: ${name}`, xs]);
console.log(`sequential request/reply over tcp loopback, ${N} requests each (µs)\n`);
console.log('| server | p50 | p99 | max |\n|---|---|---|---|');
for (const [name, xs] of rows) console.log(`| ${name} | ${pct(xs).join(' | ')} |`);
