// ZeroMQ control frames, fuzzed (FUZZ_CASES, default 10,000; FUZZ_SEED replays a run): ringd's own ControlServer and
// Dispatcher over a real in-process arbiter, the same code path as the daemon's control endpoint (the real daemon gets
// a wire batch in test/agent/control/fuzz-ringd.test.ts). Every frame gets one well-formed reply with a plain reason,
// nothing escapes the dispatcher, the protected watchers keep their processes, and a valid request works afterwards.
// The corpus (test/fuzz/corpus/control/) is replayed first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ControlServer } from '../../agent/transport/control.ts';
import { startControl, type TestControl } from '../support/control.ts';
import { RawDealer } from '../support/ringd-control.ts';
import { waitFor } from '../support/wait.ts';
import { corpus } from './lib/corpus.ts';
import { killLeftovers } from './lib/leftovers.ts';
import { fuzzSettings, Rand } from './lib/rand.ts';
import { checkReply } from './lib/replies.ts';
import { expectsReply, FUZZ_WATCHERS, fuzzBody, PROTECTED_WATCHERS } from './lib/requests.ts';

const MAX_REQUEST_BYTES = 65_536;
/** Frames sent before waiting for their replies (ZeroMQ queues the rest). */
const WINDOW = 200;
const { seed, cases } = fuzzSettings();

let t: TestControl;
let server: ControlServer;
let dealer: RawDealer;
before(async () => {
  t = await startControl(FUZZ_WATCHERS);
  server = await ControlServer.bind({ endpoint: 'tcp://127.0.0.1:0', maxRequestBytes: MAX_REQUEST_BYTES, handle: (body) => t.dispatcher.handle(body) });
  dealer = new RawDealer(server.endpoint);
});
after(async () => {
  dealer?.close();
  await server?.close();
  await t?.close();
  killLeftovers();
});

/** Sends frames, waiting for the replies of each window; returns the reply texts in order. */
async function sendAll(frames: Buffer[][], what: string): Promise<string[]> {
  const start = dealer.received.length;
  let want = start;
  for (let i = 0; i < frames.length; i += WINDOW) {
    for (const f of frames.slice(i, i + WINDOW)) {
      await dealer.send(f);
      if (expectsReply(f, MAX_REQUEST_BYTES)) want++;
    }
    await waitFor(() => dealer.received.length >= want, { what: `${what}: ${want - start} replies`, timeoutMs: 120_000, intervalMs: 5 });
  }
  return dealer.received.slice(start).map((f) => f[f.length - 1].toString('utf8'));
}

test('the control corpus is replayed: every input that once failed gets a plain error reply', async () => {
  const entries = corpus('control');
  const replies = await sendAll(entries.map((e) => [e.data]), 'corpus');
  replies.forEach((text, i) => checkReply(text, `corpus ${entries[i].name}`));
});

test(`${cases} fuzzed control frames (seed ${seed}): one plain reply each, nothing disturbed`, async (tc) => {
  tc.diagnostic(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed}), ${cases} frames`);
  const before = Object.fromEntries(PROTECTED_WATCHERS.map((w) => [w, t.pids(w)]));
  const r = new Rand(seed);
  const kinds = new Map<string, number>();
  const frames: Buffer[][] = [];
  for (let i = 0; i < cases; i++) {
    const { kind, body } = fuzzBody(r, MAX_REQUEST_BYTES);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    frames.push(r.chance(0.03) ? [body, r.bytes(r.int(8))] : [body]); // a few multi-frame messages
  }
  const started = Date.now();
  const replies = await sendAll(frames, `seed ${seed}`);
  tc.diagnostic(`${cases} frames in ${Date.now() - started} ms; ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  replies.forEach((text, i) => checkReply(text, `reply ${i} (seed ${seed})`));
  assert.equal(server.pending, 0);
  for (const w of PROTECTED_WATCHERS) assert.deepEqual(t.pids(w), before[w], `${w} undisturbed (seed ${seed})`);
  const ok = JSON.parse((await sendAll([[Buffer.from('{"id":"after","command":"status","properties":{"name":"sleeper"}}')]], 'after'))[0]) as Record<string, unknown>;
  assert.deepEqual([ok.status, ok.id], ['active', 'after']);
  assert.equal(t.quits, 0, 'no quit ran');
});
