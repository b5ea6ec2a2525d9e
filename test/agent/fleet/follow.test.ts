// Follow leases on a real ringd: a watcher's output is published on its log subject only while a lease is live and
// renewed, and stops once it expired; chunks stay under max_payload, a line too long alone is truncated.
// Heartbeats serve as barriers: one connection publishes both, so what ringd sent before a heartbeat arrived before it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Heartbeat } from '../../../protocol/fleet/messages.ts';
import { subjects } from '../../../protocol/fleet/subjects.ts';
import type { LogChunk } from '../../../protocol/fleet/payloads.ts';
import { NatsProbe, startLinkedRingd, type Collector, type Json } from '../../support/nats-probe.ts';
import { fixture } from '../../support/fixtures.ts';
import { startNats, type TestNats } from '../../support/nats.ts';
import { stopAllRingd, type RingdControl } from '../../support/ringd-control.ts';
import { waitFor } from '../../support/wait.ts';

const ID = 'follow-1';
const MAX_PAYLOAD = 4096;
const noisy = (args: string) => `"${process.execPath} ${fixture('noisy-output.mjs')} --stay --lines 0 --partials 0 --noise 0 --pairs 0 ${args}"`;
const WATCHERS = `
[watchers.noisy]
cmd = ${noisy('--every 20')}

[watchers.wide]
cmd = ${noisy('--every 10 --width 1500')}

[watchers.huge]
cmd = ${noisy('--every 50 --width 6000')}
`;

let nats: TestNats;
let r: RingdControl;
let probe: NatsProbe;
let hb: Collector;
before(async () => {
  nats = await startNats();
  r = await startLinkedRingd(nats, WATCHERS, { id: ID, nats: `max_payload = ${MAX_PAYLOAD}` });
  probe = await NatsProbe.connect(nats.url);
  hb = await probe.collect(subjects.heartbeat(ID));
});
after(async () => {
  await probe?.close();
  await stopAllRingd();
  await nats?.stop();
});

const follow = (watcher: string, leaseMs: number) => probe.requestJson(subjects.follow(ID), { watcher, lease_ms: leaseMs });
const chunks = (c: Collector) => c.messages.map((m) => m.json as unknown as LogChunk);
const lines = (c: Collector) => chunks(c).flatMap((k) => k.lines);
const beats = () => hb.messages.length;
/** Waits for `n` heartbeats after the current one (when `after` is given: n heartbeats sent after that time). */
const heartbeats = (n: number, afterTs?: number) =>
  hb.wait(`${n} heartbeat(s)`, (m) => afterTs === undefined || (m.json as unknown as Heartbeat).ts > afterTs, { count: n, from: beats() });

test('output is published only while a lease is live, and stops once it expired', async () => {
  const LEASE = 1500;
  const log = await probe.collect(subjects.log(ID, 'noisy'));
  await heartbeats(3);
  assert.equal(log.messages.length, 0, 'nothing is published before someone follows');

  const opened = await follow('noisy', LEASE);
  assert.deepEqual({ ...opened, time: 0 }, { status: 'ok', time: 0, subject: `ring.agent.${ID}.log.noisy`, watcher: 'noisy', lease_ms: LEASE, id: null });
  let renewed = Date.now();
  // Renew each time new output arrived, until the lines span more than two leases: only renewals can explain that.
  for (;;) {
    const got = lines(log);
    if (got.length > 1 && got.at(-1)!.time - got[0].time > 2 * LEASE) break;
    await waitFor(() => lines(log).length > got.length, { what: 'more followed output', timeoutMs: 30_000 });
    assert.equal((await follow('noisy', LEASE)).status, 'ok');
    renewed = Date.now();
  }
  const until = renewed + LEASE; // ringd's lease ends no later than this
  await heartbeats(2, until);
  const count = log.messages.length;
  await heartbeats(3);
  assert.equal(log.messages.length, count, 'nothing is published after the lease expired');

  const all = lines(log);
  for (const l of all) assert.ok(l.time < until, 'every line was read while the lease was live');
  const numbers = all.map((l) => Number(/^line (\d+) /.exec(l.line)?.[1]));
  numbers.forEach((n, i) => i > 0 && assert.equal(n, numbers[i - 1] + 1, 'lines in order, none missing'));
  chunks(log).forEach((k, i) => {
    assert.deepEqual({ agent: k.agent, watcher: k.watcher, dropped: k.dropped, seq: k.seq }, { agent: ID, watcher: 'noisy', dropped: 0, seq: i + 1 });
    for (const l of k.lines) assert.equal(l.stream, 'stdout');
  });
});

test('chunks stay under max_payload; a line too long for one is truncated and marked', async () => {
  const wide = await probe.collect(subjects.log(ID, 'wide'));
  const huge = await probe.collect(subjects.log(ID, 'huge'));
  await Promise.all([follow('wide', 30_000), follow('huge', 30_000)]);
  await wide.wait('wide chunks', () => true, { count: 5 });
  await huge.wait('huge chunks', () => true, { count: 2 });
  for (const m of [...wide.messages, ...huge.messages]) assert.ok(Buffer.byteLength(m.text) <= MAX_PAYLOAD, `chunk of ${Buffer.byteLength(m.text)} bytes`);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz'.repeat(300);
  for (const l of lines(wide)) {
    assert.equal(l.truncated, undefined);
    assert.match(l.line, new RegExp(`^line \\d{6} ${alphabet.slice(0, 1500)}$`));
  }
  assert.ok(chunks(wide).some((k) => k.lines.length > 1), 'several short enough lines share a chunk');
  for (const l of lines(huge)) {
    assert.equal(l.truncated, true);
    assert.ok(l.line.length > 1000 && l.line.length < 4096, `truncated to ${l.line.length}`);
    assert.ok(`line 000000 ${alphabet}`.slice(12).startsWith(l.line.slice(12)), 'a prefix of the line');
  }
  const seqs = chunks(wide).map((k) => k.seq);
  seqs.forEach((s, i) => i > 0 && assert.equal(s, seqs[i - 1] + 1));
});

test('a lease on an unknown watcher is refused; watcher names are matched like commands match them', async () => {
  const reply: Json = await follow('NOISY', 100);
  assert.equal(reply.status, 'ok');
  assert.equal(reply.subject, `ring.agent.${ID}.log.noisy`);
  assert.equal((await follow('ghost', 100)).reason, 'program ghost not found');
  const capped = await follow('noisy', 10 * 60_000);
  assert.equal(capped.lease_ms, 300_000, 'leases are capped');
});
