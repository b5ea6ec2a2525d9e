// Discovery datagrams: encoding, signatures, freshness, malformed input (fuzzed) and replay detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeDatagram, encodeDatagram, type Decoded } from '../../../protocol/discovery/codec.ts';
import { REPLAY_WINDOW, ReplayGuard } from '../../../protocol/discovery/replay.ts';
import { MAX_DATAGRAM_BYTES, type Announce, type Datagram } from '../../../protocol/discovery/types.ts';
import { prng } from '../../support/prng.ts';

const KEY = Buffer.from('a fleet key of at least sixteen bytes');
const OTHER = Buffer.from('another key, also long enough......');
const SKEW = 30_000;

function announce(over: Partial<Announce> = {}): Announce {
  return {
    v: 1, k: 'announce', role: 'agent', id: 'web-1', boot: 'b00t', seq: 1, ts: Date.now(), host: 'web-1.example', ver: '0.1.0',
    ivl: 2000, ctl: ['tcp://10.0.0.1:5555'], nats: [], w: 2, p: 5, labels: { role: 'web' }, ...over,
  };
}

const dropped = (d: Decoded) => (d.ok ? 'ok' : d.reason);

test('an announce round-trips, signed and unsigned, and stays under the datagram limit', () => {
  const msg = announce();
  for (const key of [undefined, KEY]) {
    const buf = encodeDatagram(msg, key);
    assert.ok(buf.length <= MAX_DATAGRAM_BYTES);
    const d = decodeDatagram(buf, { key, maxSkewMs: SKEW });
    assert.ok(d.ok, JSON.stringify(d));
    assert.deepEqual(d.msg, msg);
    assert.equal(d.signed, key !== undefined);
  }
  const query: Datagram = { v: 1, k: 'query', role: 'client', id: 'ringctl-1', boot: 'x', seq: 3, ts: Date.now(), want: ['controller'] };
  assert.deepEqual((decodeDatagram(encodeDatagram(query, KEY), { key: KEY, maxSkewMs: SKEW }) as { msg: Datagram }).msg, query);
});

test('with a fleet key: unsigned, wrongly signed, tampered and stale datagrams are dropped with their reason', () => {
  const opts = { key: KEY, maxSkewMs: SKEW };
  assert.equal(dropped(decodeDatagram(encodeDatagram(announce()), opts)), 'unsigned');
  assert.equal(dropped(decodeDatagram(encodeDatagram(announce(), OTHER), opts)), 'forged');
  const tampered = encodeDatagram(announce(), KEY).toString().replace('"p":5', '"p":6');
  assert.equal(dropped(decodeDatagram(Buffer.from(tampered), opts)), 'forged');
  assert.equal(dropped(decodeDatagram(encodeDatagram(announce({ ts: Date.now() - 5 * 60_000 }), KEY), opts)), 'stale');
  assert.equal(dropped(decodeDatagram(encodeDatagram(announce({ ts: Date.now() + 5 * 60_000 }), KEY), opts)), 'stale');
  // Without a key, signed datagrams are accepted (the signature is not checked) and marked unsigned.
  const d = decodeDatagram(encodeDatagram(announce(), OTHER), { maxSkewMs: SKEW });
  assert.ok(d.ok && !d.signed);
});

test('malformed, oversize and future-version datagrams are dropped with a reason naming the problem', () => {
  const opts = { maxSkewMs: SKEW };
  const cases: Array<[string | Buffer, string, RegExp]> = [
    ['not json', 'malformed', /not JSON/],
    ['[1,2]', 'malformed', /not a JSON object/],
    ['{}', 'malformed', /"v"/],
    ['{"v":2,"k":"announce"}', 'version', /version 2/],
    ['{"v":1,"k":"hello","role":"agent"}', 'malformed', /"k" must be one of/],
    ['{"v":1,"k":"goodbye","role":"agent","id":"a.b","boot":"x","seq":1,"ts":1}', 'malformed', /"id" must be/],
    ['{"v":1,"k":"goodbye","role":"agent","id":"a","boot":"x","seq":-1,"ts":1}', 'malformed', /"seq" must be an integer/],
    ['{"v":1,"k":"query","role":"agent","id":"a","boot":"x","seq":1,"ts":1,"want":["boss"]}', 'malformed', /"want"/],
    [JSON.stringify({ ...announce(), labels: { 'a b': 'x' } }), 'malformed', /label name "a b"/],
    [JSON.stringify({ ...announce(), ctl: 'tcp://x:1' }), 'malformed', /"ctl" must be a list/],
    [Buffer.alloc(MAX_DATAGRAM_BYTES + 1, 0x20), 'oversize', /1201 bytes/],
  ];
  for (const [input, reason, detail] of cases) {
    const d = decodeDatagram(Buffer.isBuffer(input) ? input : Buffer.from(input), opts);
    assert.equal(dropped(d), reason, String(input));
    assert.match((d as { detail: string }).detail, detail);
  }
});

test('a signature spelled differently but decoding to the same bytes is not the signature (base64url\'s unused low bits)', () => {
  const valid = encodeDatagram(announce(), KEY).toString();
  const at = valid.length - 3; // the 43rd character of the signature, before `"}`
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const twin = alphabet[alphabet.indexOf(valid[at]) ^ 1]; // same top 4 bits: decodes to the same 32 bytes
  const mutated = `${valid.slice(0, at)}${twin}${valid.slice(at + 1)}`;
  assert.deepEqual(Buffer.from(mutated.slice(-45, -2), 'base64url'), Buffer.from(valid.slice(-45, -2), 'base64url'));
  assert.equal(dropped(decodeDatagram(Buffer.from(mutated), { key: KEY, maxSkewMs: SKEW })), 'forged');
  assert.equal(decodeDatagram(Buffer.from(valid), { key: KEY, maxSkewMs: SKEW }).ok, true);
});

test('random and mutated bytes never throw and never pass a signature check', () => {
  const rnd = prng(7);
  const valid = encodeDatagram(announce(), KEY);
  for (let i = 0; i < 5000; i++) {
    let buf: Buffer;
    if (i % 2 === 0) {
      buf = Buffer.from(Array.from({ length: Math.floor(rnd() * 1400) }, () => Math.floor(rnd() * 256)));
    } else {
      buf = Buffer.from(valid);
      for (let j = 0; j < 1 + Math.floor(rnd() * 4); j++) buf[Math.floor(rnd() * buf.length)] = Math.floor(rnd() * 256);
      if (buf.equals(valid)) continue;
    }
    const d = decodeDatagram(buf, { key: KEY, maxSkewMs: SKEW });
    assert.equal(d.ok, false, `mutation ${i} passed`);
  }
});

test('an announce too large for one datagram drops NATS URLs, then control endpoints, until it fits', () => {
  const long = (i: number) => `nats://user:${'p'.repeat(200)}@host-${i}.example:4222`;
  const buf = encodeDatagram(announce({ nats: [long(1), long(2), long(3), long(4)], ctl: ['tcp://10.0.0.1:5555'] }), KEY);
  assert.ok(buf.length <= MAX_DATAGRAM_BYTES);
  const d = decodeDatagram(buf, { key: KEY, maxSkewMs: SKEW });
  assert.ok(d.ok && d.msg.k === 'announce');
  assert.ok(d.msg.nats.length < 4 && d.msg.nats.every((u, i) => u === long(i + 1)));
  assert.deepEqual(d.msg.ctl, ['tcp://10.0.0.1:5555']);
});

test('the replay guard refuses repeats, accepts reordering inside the window, tracks senders and boots apart', () => {
  const g = new ReplayGuard(3);
  assert.ok(g.accept('a', 'b1', 5));
  assert.ok(!g.accept('a', 'b1', 5), 'the same datagram twice');
  assert.ok(g.accept('a', 'b1', 7));
  assert.ok(g.accept('a', 'b1', 6), 'late but new');
  assert.ok(!g.accept('a', 'b1', 6));
  assert.ok(g.accept('a', 'b1', 7 + REPLAY_WINDOW));
  assert.ok(!g.accept('a', 'b1', 7), 'older than the window');
  assert.ok(g.accept('a', 'b2', 5), 'a new boot starts a new sequence');
  assert.ok(g.accept('c', 'b1', 5), 'another sender');
  assert.ok(g.accept('d', 'b1', 1));
  assert.equal(g.size, 3, 'bounded: the least recently heard sender is forgotten');
});
