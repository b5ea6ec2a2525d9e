// Exercises the test helpers of test/support/ and the basic behaviour of every fixture in test/fixtures/.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { spawnFixture, type SpawnFixtureOptions } from './fixtures.ts';
import { freePort } from './ports.ts';
import { killQuietly, pidAlive, procStat, waitGone } from './proc.ts';
import { startRedis, type TestRedis } from './redis.ts';
import { tmpDir } from './tmp.ts';
import { waitFor, waitForLine } from './wait.ts';

const children: { child: ChildProcess; group: boolean }[] = [];
const strays: number[] = [];
const redises: TestRedis[] = [];
after(async () => {
  for (const { child, group } of children) killQuietly(group ? -(child.pid ?? 0) : child.pid);
  for (const pid of strays) killQuietly(pid);
  for (const r of redises) await r.stop();
});

/** Spawns a fixture, remembers it for cleanup, and collects its output and exit. */
function run(name: string, args: string[] = [], opts: SpawnFixtureOptions = {}) {
  const child = spawnFixture(name, args, opts);
  children.push({ child, group: opts.detached ?? false });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const stdout = (): Buffer => Buffer.concat(out);
  /** All complete stdout lines so far matching re (unlike waitForLine, sees earlier output too). */
  const lines = (re: RegExp): string[] => stdout().toString().split('\n').slice(0, -1).filter((l) => re.test(l));
  const line = (re: RegExp): Promise<string> => waitFor(() => lines(re)[0], { what: `a stdout line matching ${re}` });
  return { child, pid: child.pid ?? 0, stdout, stderr: () => Buffer.concat(err).toString(), closed, lines, line };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('wait', () => {
  it('waitFor returns the first truthy value', async () => {
    let n = 0;
    const v = await waitFor(() => (++n >= 3 ? n : undefined), { what: 'n to reach 3', intervalMs: 1 });
    assert.equal(v, 3);
    assert.equal(await waitFor(async () => 'ok', { what: 'a promise' }), 'ok');
  });

  it('waitFor times out with what and the last value or error', async () => {
    await assert.rejects(waitFor(() => false, { what: 'the impossible', timeoutMs: 100 }), /^Error: timed out after 100ms waiting for the impossible \(last value: false\)$/);
    const failing = (): number => {
      throw new Error('boom');
    };
    await assert.rejects(waitFor(failing, { what: 'x', timeoutMs: 50 }), /timed out after 50ms waiting for x \(last error: boom\)/);
  });

  it('waitForLine finds a line split across chunks and reports what it saw', async () => {
    const stream = new PassThrough();
    const found = waitForLine(stream, /^second \d+$/);
    stream.write('first\nsec');
    stream.write('ond 2');
    stream.write('2\nthird\n');
    assert.equal(await found, 'second 22');
    const late = waitForLine(stream, /never/, 50);
    stream.write('partial');
    await assert.rejects(late, /^Error: timed out after 50ms waiting for a line matching \/never\/; got:\npartial$/);
    const ended = waitForLine(stream, /never/);
    stream.end('\n');
    await assert.rejects(ended, /stream ended before a line matching \/never\//);
  });
});

describe('ports', () => {
  it('freePort returns a bindable port', async () => {
    const port = await freePort();
    assert.ok(port > 0 && port < 65536);
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('redis', () => {
  it('startRedis serves SET/GET and stop frees the port', async () => {
    const redis = await startRedis();
    redises.push(redis);
    assert.notEqual(redis.port, 6379);
    assert.equal(await redis.cli('SET', 'greeting', 'hello world'), 'OK');
    assert.equal(await redis.cli('GET', 'greeting'), 'hello world');
    await redis.stop();
    assert.equal(pidAlive(redis.pid), false);
    const refused = await new Promise<boolean>((resolve) => {
      const sock = net.createConnection({ host: '127.0.0.1', port: redis.port });
      sock.once('connect', () => (sock.destroy(), resolve(false)));
      sock.once('error', () => resolve(true));
    });
    assert.ok(refused, `something still listens on ${redis.port}`);
  });
});

describe('fixtures', () => {
  it('ignore-term survives SIGTERM and SIGINT, dies on SIGKILL', async () => {
    const p = run('ignore-term.mjs');
    assert.equal(await waitForLine(p.child.stdout, /^ready pid=\d+$/), `ready pid=${p.pid}`);
    p.child.kill('SIGTERM');
    await p.line(/^ignoring SIGTERM$/);
    p.child.kill('SIGINT');
    await p.line(/^ignoring SIGINT$/);
    await sleep(200);
    assert.ok(pidAlive(p.pid));
    p.child.kill('SIGKILL');
    assert.deepEqual(await p.closed, { code: null, signal: 'SIGKILL' });
  });

  it('forker leaves children, an orphan and a setsid escapee', async () => {
    const file = join(tmpDir('forker'), 'pids.json');
    const p = run('forker.mjs', [], { detached: true, env: { FORKER_PIDS_FILE: file } });
    await p.line(/^ready$/);
    const line = await p.line(/^\{/);
    assert.equal(readFileSync(file, 'utf8'), `${line}\n`);
    const pids = JSON.parse(line) as { children: number[]; orphan: number; escapee: number };
    const all = [...pids.children, pids.orphan, pids.escapee];
    strays.push(...all);
    assert.equal(pids.children.length, 2);
    for (const pid of all) assert.ok(pidAlive(pid), `pid ${pid} alive`);
    for (const pid of pids.children) assert.equal(procStat(pid)?.ppid, p.pid);
    assert.notEqual(procStat(pids.orphan)?.ppid, p.pid);
    assert.equal(procStat(pids.orphan)?.pgrp, p.pid);
    assert.equal(procStat(pids.escapee)?.session, pids.escapee);

    process.kill(-p.pid, 'SIGKILL');
    await waitGone([p.pid, ...pids.children, pids.orphan]);
    assert.ok(pidAlive(pids.escapee), 'the escapee is outside the process group');
    process.kill(pids.escapee, 'SIGKILL');
    await waitGone([pids.escapee]);
  });

  it('crash-loop appends "<ms> <pid>" and exits with CRASH_CODE (default 3)', async () => {
    const log = join(tmpDir('crash'), 'crash.log');
    const first = run('crash-loop.mjs', [], { env: { CRASH_LOG: log, CRASH_CODE: '7' } });
    assert.equal((await first.closed).code, 7);
    const second = run('crash-loop.mjs', [], { env: { CRASH_LOG: log } });
    assert.equal((await second.closed).code, 3);
    const lines = readFileSync(log, 'utf8').split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0], new RegExp(`^\\d{13} ${first.pid}$`));
    assert.match(lines[1], new RegExp(`^\\d{13} ${second.pid}$`));
    assert.equal(lines[2], '');
  });

  it('redis-drain ignores SIGTERM, retries Redis, drains on the stop key and exits 0', async () => {
    const port = await freePort();
    const p = run('redis-drain.mjs', [], { env: { REDIS_PORT: String(port), STOP_KEY: 'stop:test', DRAIN_MS: '700' } });
    await waitForLine(p.child.stdout, /^ready pid=\d+$/);
    await waitFor(() => p.stderr().includes('redis error'), { what: 'a redis connection error' });
    const redis = await startRedis({ port });
    redises.push(redis);
    p.child.kill('SIGTERM');
    await p.line(/^ignoring SIGTERM$/);
    await waitFor(async () => (await redis.cli('CLIENT', 'LIST')).includes('cmd=get'), { what: 'the worker to poll' });
    assert.ok(pidAlive(p.pid));
    await redis.cli('SET', 'stop:test', '1');
    assert.deepEqual(await p.closed, { code: 0, signal: null });
    const out = p.stdout().toString();
    assert.match(out, /^draining$/m);
    assert.match(out, /^draining progress=\d+\/700$/m);
    assert.ok(out.endsWith('drained\n'), out);
  });

  it('noisy-output writes exactly its documented format', async () => {
    const args = ['--partials', '2', '--noise=3', '--noise-bytes', '300', '--seed', '42', '--pairs', '2', '--lines', '5', '--width', '30'];
    const p = run('noisy-output.mjs', args);
    assert.deepEqual(await p.closed, { code: 0, signal: null });
    const want = expectedNoisy({ partials: 2, noise: 3, bytes: 300, seed: 42, pairs: 2, lines: 5, width: 30 });
    assert.ok(p.stdout().equals(want), `stdout differs:\n${p.stdout().toString('latin1')}`);
    assert.equal(p.stderr(), 'err 1\nerr 2\n');
  });

  it('noisy-output --stay keeps numbering and ends with a partial line on SIGTERM', async () => {
    const p = run('noisy-output.mjs', ['--stay', '--every', '20'], { env: { NOISY_LINES: '2', NOISY_NOISE: '0', NOISY_PARTIALS: '0', NOISY_PAIRS: '0' } });
    await waitForLine(p.child.stdout, /^line 000004 /);
    p.child.kill('SIGTERM');
    assert.deepEqual(await p.closed, { code: 0, signal: null });
    const lines = p.stdout().toString().split('\n');
    assert.equal(lines.pop(), 'last-partial');
    lines.forEach((l, i) => assert.equal(l, `line ${String(i + 1).padStart(6, '0')} lorem ipsum dolor sit amet`));
  });

  it('sleeper prints its argv, ready and bye on SIGTERM', async () => {
    const p = run('sleeper.mjs', ['--port', 'a b'], { env: { RING_WID: '4', TERM_DELAY_MS: '100' } });
    assert.equal(await waitForLine(p.child.stdout, /^ready /), `ready pid=${p.pid} wid=4`);
    p.child.kill('SIGTERM');
    assert.deepEqual(await p.closed, { code: 0, signal: null });
    assert.equal(p.stdout().toString(), `["--port","a b"]\nready pid=${p.pid} wid=4\nbye\n`);
    const q = run('sleeper.mjs', ['7']);
    assert.equal(await waitForLine(q.child.stdout, /^ready /), `ready pid=${q.pid} wid=7`);
    q.child.kill('SIGTERM');
    assert.deepEqual(await q.closed, { code: 0, signal: null });
  });

  it('leaker grows its RSS', async () => {
    const p = run('leaker.mjs', [], { env: { LEAK_MB_PER_SEC: '40' } });
    const rss = await waitFor(() => {
      const found = p.lines(/^rss=/);
      return found.length >= 3 && found.map((l) => Number(/^rss=(\d+)/.exec(l)?.[1]));
    }, { what: 'three rss lines' });
    const [first, , third] = rss;
    assert.ok(third - first > 60 * 1024 * 1024, `rss ${first} -> ${third}`);
    p.child.kill('SIGKILL');
    await p.closed;
  });
});

/** Rebuilds noisy-output's stdout from the format documented in its header. */
function expectedNoisy(o: { partials: number; noise: number; bytes: number; seed: number; pairs: number; lines: number; width: number }): Buffer {
  const parts: Buffer[] = [];
  const text = (s: string): number => parts.push(Buffer.from(s));
  for (let i = 1; i <= o.partials; i++) text(`partial ${i}: alpha beta gamma\n`);
  let s = o.seed | 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  for (let k = 1; k <= o.noise; k++) {
    text(`noise ${k} `);
    parts.push(Buffer.from(Array.from({ length: o.bytes }, () => next() & 0xff).map((b) => (b === 0x0a ? 0x0b : b))));
    text('\n');
  }
  for (let j = 1; j <= o.pairs; j++) text(`out ${j}\n`);
  const abc = 'abcdefghijklmnopqrstuvwxyz';
  const payload = o.width > 0 ? abc.repeat(Math.ceil(o.width / 26)).slice(0, o.width) : 'lorem ipsum dolor sit amet';
  for (let n = 1; n <= o.lines; n++) text(`line ${String(n).padStart(6, '0')} ${payload}\n`);
  return Buffer.concat(parts);
}
