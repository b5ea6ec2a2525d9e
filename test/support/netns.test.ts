// The network-namespace lab: multicast across hosts, unicast, partitions, and complete teardown.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { createLab, listNetns, netnsAvailable, type Host, type Lab } from './netns.ts';
import { pidAlive } from './proc.ts';
import { waitFor, waitForLine } from './wait.ts';

const avail = netnsAvailable();
const skip = avail.ok ? false : `network namespaces unavailable: ${avail.reason}`;

const GROUP = '239.255.77.1';
const PORT = 41234;

// Receiver: joins GROUP on its own interface address and prints one line per datagram.
const RECV = `
const dgram = require('node:dgram');
const [addr, port, group] = process.argv.slice(1);
const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
s.on('message', (m, r) => console.log('got ' + m.toString() + ' from ' + r.address));
s.bind(Number(port), () => { s.addMembership(group, addr); console.log('ready'); });
`;

// Sender: from its interface address, TTL 1, one datagram every 50 ms, forever.
const SEND = `
const dgram = require('node:dgram');
const [addr, port, group] = process.argv.slice(1);
const s = dgram.createSocket('udp4');
let seq = 0;
s.bind(0, addr, () => {
  s.setMulticastInterface(addr); s.setMulticastTTL(1); s.setMulticastLoopback(false);
  console.log('sending');
  setInterval(() => s.send('seq=' + (seq++), Number(port), group), 50);
});
`;

// Unicast echo server and a client that needs `count` replies (retrying each ping until answered).
const ECHO = `
const dgram = require('node:dgram');
const [addr, port] = process.argv.slice(1);
const s = dgram.createSocket('udp4');
s.on('message', (m, r) => s.send('pong ' + m.toString().slice(5), r.port, r.address));
s.bind(Number(port), addr, () => console.log('ready'));
`;
const PING = `
const dgram = require('node:dgram');
const [from, to, port, count, giveUpMs = '20000'] = process.argv.slice(1);
const s = dgram.createSocket('udp4');
let n = 0, timer;
const ping = () => { s.send('ping ' + n, Number(port), to); timer = setTimeout(ping, 200); };
s.on('message', (m, r) => {
  if (m.toString() !== 'pong ' + n) return;
  console.log(m.toString() + ' from ' + r.address);
  clearTimeout(timer);
  if (++n === Number(count)) { s.close(); return; }
  ping();
});
s.bind(0, from, ping);
setTimeout(() => { console.error('gave up after ' + n + ' pongs'); process.exit(2); }, Number(giveUpMs)).unref();
`;

/** Collects stdout lines of a child. */
function lines(child: ChildProcess): string[] {
  const out: string[] = [];
  let pending = '';
  child.stdout?.on('data', (d: Buffer) => {
    pending += d.toString();
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    out.push(...parts);
  });
  return out;
}

const gotCount = (out: string[]): number => out.filter((l) => l.startsWith('got ')).length;

describe('netns lab', { skip }, () => {
  let lab: Lab;
  let h1: Host, h2: Host, h3: Host;
  let out2: string[], out3: string[];

  before(async () => {
    lab = await createLab(3);
    [h1, h2, h3] = lab.hosts as [Host, Host, Host];
  });
  after(async () => {
    await lab?.teardown();
  });

  it('builds three hosts with their own addresses, veth up and the multicast route', async () => {
    assert.equal(lab.hosts.length, 3);
    const names = listNetns();
    for (const ns of lab.namespaces) assert.ok(names.includes(ns), `${ns} in ip netns list`);
    for (const h of lab.hosts) {
      assert.ok(h.ns.length > 0 && h.iface.length <= 15);
      const addr = await h.run('ip', ['-4', '-o', 'addr', 'show', 'dev', h.iface]);
      assert.equal(addr.code, 0, addr.stderr);
      assert.match(addr.stdout, new RegExp(`inet ${h.addr.replace(/\./g, '\\.')}/24`));
      const route = await h.run('ip', ['route', 'show', '224.0.0.0/4']);
      assert.match(route.stdout, new RegExp(`224\\.0\\.0\\.0/4 dev ${h.iface}`));
    }
  });

  it('delivers multicast from host 1 to hosts 2 and 3', async () => {
    const r2 = h2.exec(process.execPath, ['-e', RECV, h2.addr, String(PORT), GROUP]);
    const r3 = h3.exec(process.execPath, ['-e', RECV, h3.addr, String(PORT), GROUP]);
    out2 = lines(r2);
    out3 = lines(r3);
    await Promise.all([waitForLine(r2.stdout!, /^ready$/), waitForLine(r3.stdout!, /^ready$/)]);
    const sender = h1.exec(process.execPath, ['-e', SEND, h1.addr, String(PORT), GROUP]);
    await waitForLine(sender.stdout!, /^sending$/);
    await waitFor(() => gotCount(out2) >= 5 && gotCount(out3) >= 5, {
      timeoutMs: 20_000,
      what: `5 multicast datagrams at h2 (${gotCount(out2)}) and h3 (${gotCount(out3)})`,
    });
    assert.match(out2.find((l) => l.startsWith('got '))!, new RegExp(`^got seq=\\d+ from ${h1.addr.replace(/\./g, '\\.')}$`));
    assert.match(out3.find((l) => l.startsWith('got '))!, new RegExp(`from ${h1.addr.replace(/\./g, '\\.')}$`));
  });

  it('does unicast ping-pong between hosts 1 and 2', async () => {
    const server = h2.exec(process.execPath, ['-e', ECHO, h2.addr, '41235']);
    await waitForLine(server.stdout!, /^ready$/);
    const res = await h1.run(process.execPath, ['-e', PING, h1.addr, h2.addr, '41235', '5']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout.trim().split('\n').length, 5);
    assert.match(res.stdout, new RegExp(`pong 4 from ${h2.addr.replace(/\./g, '\\.')}`));
  });

  it('cut() partitions host 3 while host 2 keeps receiving; reconnect() heals it', async () => {
    await h3.cut();
    const c3 = gotCount(out3);
    const c2 = gotCount(out2);
    await waitFor(() => gotCount(out2) >= c2 + 20, { timeoutMs: 20_000, what: `h2 to receive 20 more (${gotCount(out2) - c2})` });
    // At most one datagram already in flight when the port went down may still land.
    assert.ok(gotCount(out3) <= c3 + 1, `h3 received ${gotCount(out3) - c3} datagrams while cut`);
    const unicast = await h3.run(process.execPath, ['-e', PING, h3.addr, h2.addr, '41235', '1', '2000']);
    assert.equal(unicast.code, 2, 'unicast from a cut host must not get through');

    const during = gotCount(out3);
    await h3.reconnect();
    await waitFor(() => gotCount(out3) >= during + 5, { timeoutMs: 20_000, what: `h3 to receive again (${gotCount(out3) - during})` });
    const after2 = gotCount(out2);
    await waitFor(() => gotCount(out2) >= after2 + 5, { timeoutMs: 20_000, what: 'h2 still receiving' });
  });

  it('teardown removes every namespace and kills everything started through exec', async () => {
    const pids = lab.pids();
    assert.ok(pids.length >= 5, `tracked pids: ${pids.join(',')}`);
    const alive = pids.filter(pidAlive);
    assert.ok(alive.length >= 4, `receivers, sender and echo server alive before teardown: ${alive.join(',')}`);
    await lab.teardown();
    await waitFor(() => pids.every((p) => !pidAlive(p)), { what: `exec'd pids gone (${pids.filter(pidAlive).join(',')})` });
    const names = listNetns();
    for (const ns of lab.namespaces) assert.ok(!names.includes(ns), `${ns} still listed`);
    await lab.teardown(); // idempotent
  });
});

describe('netns lab housekeeping', { skip }, () => {
  it('removes stale namespaces of a dead owner with the same prefix, and leaves other names alone', async () => {
    // A pid that is not alive: start and reap a short process.
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout.trim());
    assert.ok(deadPid > 0 && !pidAlive(deadPid));
    const prefix = `rmst${process.pid}`; // unique, so parallel runs of this file don't see each other's labs
    const stale = `${prefix}-${deadPid}-0-h1`;
    const foreign = `${prefix}x-${deadPid}-0-h1`; // different prefix: must survive
    for (const ns of [stale, foreign]) assert.equal(spawnSync('ip', ['netns', 'add', ns]).status, 0);
    let lab: Lab | undefined;
    try {
      lab = await createLab(1, { prefix });
      const names = listNetns();
      assert.ok(!names.includes(stale), 'stale namespace removed');
      assert.ok(names.includes(foreign), 'foreign namespace kept');
      assert.ok(names.includes(lab.hosts[0]!.ns), 'own namespace present');
    } finally {
      await lab?.teardown();
      spawnSync('ip', ['netns', 'del', foreign]);
      spawnSync('ip', ['netns', 'del', stale]);
    }
    assert.ok(!listNetns().some((n) => n.startsWith(prefix)));
  });

  it('tears down labs when the process is killed by SIGTERM', async () => {
    const script = `
      import { createLab } from './test/support/netns.ts';
      const lab = await createLab(2, { prefix: 'rmsig' });
      const c = lab.hosts[0].exec(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
      console.log(JSON.stringify({ ns: lab.namespaces, pid: c.pid }));
      setInterval(() => {}, 1000);
    `;
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: process.cwd(),
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const line = await waitForLine(child.stdout, /^\{/, 30_000).catch((e: Error) => {
      child.kill('SIGKILL');
      throw new Error(`${e.message}\n${err}`);
    });
    const info = JSON.parse(line) as { ns: string[]; pid: number };
    assert.ok(info.ns.every((n) => listNetns().includes(n)));
    const exited = new Promise((r) => child.once('exit', (code, sig) => r(sig ?? code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 'SIGTERM');
    await waitFor(() => !pidAlive(info.pid), { what: 'exec child of the killed process gone' });
    const names = listNetns();
    for (const n of info.ns) assert.ok(!names.includes(n), `${n} left behind`);
  });
});
