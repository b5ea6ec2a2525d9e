// Sockets through the ringd binary: binding errors at start-up and reload, and the agent never holding a connection.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '../../support/fixtures.ts';
import { agentSection, startRingd, type Ringd } from '../../support/ringd.ts';
import { startRingdControl, stopAllRingd } from '../../support/ringd-control.ts';
import { startLoad } from '../../support/load.ts';
import { tmpDir } from '../../support/tmp.ts';
import { waitFor } from '../../support/wait.ts';

const running: Ringd[] = [];
const servers: net.Server[] = [];
after(async () => {
  await stopAllRingd();
  await Promise.all(running.map((r) => r.stop('SIGKILL')));
  servers.forEach((s) => s.close());
});

async function busyPort(): Promise<number> {
  const s = net.createServer();
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as net.AddressInfo).port;
}

function config(dir: string, sockets: string, watchers = ''): string {
  const file = join(dir, 'ringd.toml');
  writeFileSync(file, `${agentSection(dir)}\n${sockets}\n${watchers}`);
  return file;
}

test('a port in use and a path in a missing folder stop ringd at start-up, each socket named with its reason', async () => {
  const dir = tmpDir('ringd-sock-err');
  const port = await busyPort();
  const r = startRingd(config(dir, `
[sockets.web]
port = ${port}
[sockets.admin]
path = "${dir}/no/such/dir/admin.sock"
`, '[watchers.w]\ncmd = "sleep 600"\n'));
  running.push(r);
  await r.waitForOutput(/ringd: cannot start:/, 30_000).catch(() => undefined);
  const code = await new Promise<number | null>((resolve) => {
    if (r.child.exitCode !== null) resolve(r.child.exitCode);
    else r.child.once('exit', (c) => resolve(c));
  });
  assert.equal(code, 1, r.output());
  const out = r.output();
  assert.match(out, new RegExp(`socket "web": cannot bind 127\\.0\\.0\\.1:${port}: address already in use`));
  assert.match(out, /socket "admin": cannot bind .*admin\.sock: no such file or directory/);
  assert.doesNotMatch(out, /spawned pid/, 'nothing was started');
});

test('a reload whose new socket cannot be bound is refused and changes nothing', async () => {
  const dir = tmpDir('ringd-sock-reload');
  const sockets = '[sockets.web]\nport = 0\n';
  const watcher = `[watchers.web]\ncmd = ${JSON.stringify(`${process.execPath} ${fixture('http-worker.mjs')} --fd $(circus.sockets.web)`)}\n`;
  const file = config(dir, sockets, watcher);
  const r = startRingd(file);
  running.push(r);
  await r.waitForOutput(/ringd ready/, 30_000);
  const taken = await busyPort();
  writeFileSync(file, readFileSync(file, 'utf8').replace(sockets, `${sockets}[sockets.extra]\nport = ${taken}\n`));
  r.child.kill('SIGHUP');
  await r.waitForOutput(new RegExp(`reload refused, keeping the running configuration:\\n.*socket "extra": cannot bind 127\\.0\\.0\\.1:${taken}`));
  assert.equal(await r.stop('SIGTERM'), 0);
});

test('ringd never holds an accepted connection, even under load', async () => {
  const r = await startRingdControl(`[sockets.web]\nport = 0\n[watchers.web]\ncmd = ${JSON.stringify(
    `${process.execPath} ${fixture('http-worker.mjs')} --fd $(circus.sockets.web)`)}\nnumprocesses = 2\n`);
  const web = ((await r.ok('listsockets')).sockets as { name: string; port: number }[]).find((s) => s.name === 'web')!;
  // ringd's socket inodes: is any of them an ESTABLISHED TCP connection on the web port?
  const held = () => {
    const inodes = new Set(readdirSync(`/proc/${r.pid}/fd`).flatMap((fd) => {
      try { return [/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${r.pid}/fd/${fd}`))?.[1] ?? '']; } catch { return []; }
    }).filter(Boolean));
    const hex = `:${web.port.toString(16).toUpperCase().padStart(4, '0')}`;
    return readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/))
      .filter((f) => f[3] === '01' && f[1]?.endsWith(hex) && inodes.has(f[9])).length;
  };
  const load = startLoad({ host: '127.0.0.1', port: web.port }, { concurrency: 10, keepAlive: true, maxDurationMs: 60_000 });
  await waitFor(() => load.stats().ok >= 500, { what: '500 requests served', timeoutMs: 60_000 });
  const samples: number[] = [];
  for (let i = 0; i < 20; i++) samples.push(held());
  const result = await load.stop();
  assert.equal(result.failed, 0);
  assert.deepEqual(samples.filter((n) => n > 0), [], "no ESTABLISHED connection among ringd's descriptors");
  assert.equal(await r.stop(), 0);
});
