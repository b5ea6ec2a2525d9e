// NATS payloads on every subject ringd serves (ring.agent.<id>.ctl.<command> and .follow), fuzzed (FUZZ_CASES each,
// default 10,000; FUZZ_SEED replays): in process through the agent's own ctl handler and follow leases over a real
// arbiter, then a wire batch against a real ringd on a real nats-server (requests, and publishes without a reply
// subject). Every request gets one well-formed reply with a plain reason; ringd stays up, its watchers undisturbed,
// and a valid request works afterwards. The corpus (test/fuzz/corpus/nats-agent/) is replayed first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Msg } from '@nats-io/transport-node';
import { ctlReply } from '../../agent/fleet/ctl.ts';
import { FollowLeases } from '../../agent/fleet/follow.ts';
import { silentLogger } from '../../agent/log.ts';
import { subjects } from '../../protocol/fleet/subjects.ts';
import { startControl, type TestControl } from '../support/control.ts';
import { startNats, type TestNats } from '../support/nats.ts';
import { NatsProbe, startLinkedRingd } from '../support/nats-probe.ts';
import { pidAlive } from '../support/proc.ts';
import { stopAllRingd, type RingdControl } from '../support/ringd-control.ts';
import { corpus } from './lib/corpus.ts';
import { commandToken, followBody } from './lib/nats-bodies.ts';
import { fuzzSettings, Rand } from './lib/rand.ts';
import { checkReply } from './lib/replies.ts';
import { FUZZ_WATCHERS, fuzzBody, PROTECTED_WATCHERS } from './lib/requests.ts';
import { killLeftovers } from './lib/leftovers.ts';

const MAX_REQUEST_BYTES = 65_536;
const AGENT = 'fz1';
/** Share of the cases sent over the wire to the real daemon, and how many of them are in flight at once. */
const WIRE_SHARE = 0.15;
const WIRE_PARALLEL = 32;
const { seed, cases } = fuzzSettings();
const wireCases = fuzzSettings(WIRE_SHARE).cases;

let t: TestControl;
let follow: FollowLeases;
let nats: TestNats;
let ringd: RingdControl;
let probe: NatsProbe;
before(async () => {
  t = await startControl(FUZZ_WATCHERS);
  follow = new FollowLeases(t.arbiter, { agent: () => AGENT, connected: () => false, maxPayload: () => 1e6, publish: () => undefined }, silentLogger);
  nats = await startNats();
  ringd = await startLinkedRingd(nats, FUZZ_WATCHERS, { id: AGENT, agentKeys: `max_request_bytes = ${MAX_REQUEST_BYTES}`, prefix: 'fuzz-nats-agent' });
  probe = await NatsProbe.connect(nats.url);
});
after(async () => {
  follow?.close();
  await probe?.close();
  await stopAllRingd();
  await t?.close();
  await nats?.stop();
  killLeftovers();
});

const fakeMsg = (subject: string, data: Buffer) => ({ subject, data: new Uint8Array(data), reply: '_INBOX.x' }) as unknown as Msg;

/** One fuzzed request: its subject and body (the body is drawn for the subject's command). */
function draw(r: Rand): { subject: string; body: Buffer; kind: string } {
  if (r.chance(0.15)) return { subject: subjects.follow(AGENT), body: followBody(r), kind: 'follow' };
  const command = commandToken(r);
  const { kind, body } = fuzzBody(r, MAX_REQUEST_BYTES, command);
  return { subject: subjects.ctl(AGENT, command), body, kind };
}

test('the nats-agent corpus is replayed in process: plain error replies', async () => {
  for (const e of corpus('nats-agent')) {
    const [command, ...rest] = e.name.split('--');
    const text = command === 'follow' ? follow.request(e.data) : await ctlReply(t.dispatcher, fakeMsg(subjects.ctl(AGENT, command), e.data), MAX_REQUEST_BYTES);
    checkReply(text, `corpus ${e.name} (${rest.join('--')})`);
  }
});

test(`${cases} fuzzed ctl and follow payloads in process (seed ${seed}): one plain reply each`, async (tc) => {
  tc.diagnostic(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
  const before = Object.fromEntries(PROTECTED_WATCHERS.map((w) => [w, t.pids(w)]));
  const r = new Rand(seed);
  for (let i = 0; i < cases; i++) {
    const { subject, body, kind } = draw(r);
    const text = subject.endsWith('.follow') ? follow.request(body) : await ctlReply(t.dispatcher, fakeMsg(subject, body), MAX_REQUEST_BYTES);
    checkReply(text, `case ${i} ${kind} on ${subject} (seed ${seed}): ${body.toString('utf8').slice(0, 200)}`);
  }
  for (const w of PROTECTED_WATCHERS) assert.deepEqual(t.pids(w), before[w], `${w} undisturbed (seed ${seed})`);
  assert.equal(t.quits, 0);
});

test(`${wireCases} fuzzed requests and publishes to a real ringd over NATS (seed ${seed}): it answers each and stays up`, async (tc) => {
  const before = Object.fromEntries(await Promise.all(PROTECTED_WATCHERS.map(async (w) => [w, await ringd.pids(w)])));
  const r = new Rand(seed ^ 0x5eed);
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < wireCases) {
      const i = next++;
      const { subject, body, kind } = draw(r);
      if (r.chance(0.1)) {
        probe.nc.publish(subject, body); // no reply subject: ignored
        continue;
      }
      try {
        checkReply(await probe.request(subject, body, 60_000), `wire case ${i} ${kind} on ${subject}`);
      } catch (err) {
        failures.push(`${(err as Error).message} (seed ${seed}): ${body.toString('utf8').slice(0, 200)}`);
      }
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: WIRE_PARALLEL }, worker));
  tc.diagnostic(`${wireCases} over the wire in ${Date.now() - started} ms`);
  assert.deepEqual(failures.slice(0, 5), []);
  assert.ok(pidAlive(ringd.pid) && ringd.ringd.child.exitCode === null, 'ringd is still running');
  const status = JSON.parse(await probe.request(subjects.ctl(AGENT, 'status'), '{"properties":{"name":"sleeper"}}')) as Record<string, unknown>;
  assert.equal(status.status, 'active');
  for (const w of PROTECTED_WATCHERS) assert.deepEqual(await ringd.pids(w), before[w], `${w} undisturbed (seed ${seed})`);
  assert.doesNotMatch(ringd.ringd.output(), /internal error|uncaught|unhandled/i);
});
