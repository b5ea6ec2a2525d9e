// NATS goes away and comes back under two real ringd: supervision goes on untouched, the events of the outage are
// replayed in order once the server is back, and an agent whose event_buffer overflowed says how many it dropped.
// A JetStream stream on ring.agent.*.evt.> records what reaches the server, even while no test client is connected.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { jetstreamManager, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import type { FleetEvent, Heartbeat, Inventory } from '../../../protocol/fleet/messages.ts';
import { subjects } from '../../../protocol/fleet/subjects.ts';
import { NatsProbe, startLinkedRingd } from '../../support/nats-probe.ts';
import { startNats, type TestNats } from '../../support/nats.ts';
import { pidAlive } from '../../support/proc.ts';
import { stopAllRingd, waitPids, type RingdControl } from '../../support/ringd-control.ts';
import { waitFor } from '../../support/wait.ts';

const WATCHERS = `
[watchers.sleeper]
cmd = "sleep 600"
numprocesses = 2
`;
const STREAM = 'EVENTS';

let nats: TestNats;
let probe: NatsProbe;
let jsm: JetStreamManager;
let roomy: RingdControl;
let tiny: RingdControl;
before(async () => {
  nats = await startNats({ jetstream: true });
  probe = await NatsProbe.connect(nats.url);
  jsm = await jetstreamManager(probe.nc, { timeout: 10_000 });
  await jsm.streams.add({ name: STREAM, subjects: ['ring.agent.*.evt.>'], storage: StorageType.File });
  [roomy, tiny] = await Promise.all([
    startLinkedRingd(nats, WATCHERS, { id: 'roomy' }),
    startLinkedRingd(nats, WATCHERS, { id: 'tiny', nats: 'event_buffer = 3' }),
  ]);
});
after(async () => {
  await probe?.close();
  await stopAllRingd();
  await nats?.stop();
});

/** Every event the stream stored for `agent`, in the order the server received them. */
async function stored(agent: string): Promise<FleetEvent[]> {
  const last = (await jsm.streams.info(STREAM)).state.last_seq;
  const out: FleetEvent[] = [];
  for (let seq = 1; seq <= last; seq++) {
    const m = await jsm.streams.getMessage(STREAM, { seq });
    const e = m?.json<FleetEvent>();
    if (e?.agent === agent) out.push(e);
  }
  return out;
}

const inventoryRev = async (r: RingdControl) => ((await r.ok('inventory')).inventory as Inventory).rev;

/** Waits until the stream holds `agent`'s event of revision `rev`; returns all its stored events. */
function storedUpTo(agent: string, rev: number): Promise<FleetEvent[]> {
  return waitFor(async () => {
    const events = await stored(agent);
    return events.some((e) => e.rev === rev && e.watcher !== '_agent') && events;
  }, { what: `the stream to hold ${agent}'s event of rev ${rev}`, timeoutMs: 60_000, intervalMs: 200 });
}

/**
 * Revisions go up by one from 1, except where a dropped_events notice precedes a gap of exactly the number it
 * reports: no event is lost silently and none comes out of order. Returns the notices.
 */
function checkSequence(events: FleetEvent[]): FleetEvent[] {
  const notices: FleetEvent[] = [];
  let next = 1;
  let announced = 0;
  for (const e of events) {
    if (e.watcher === '_agent') {
      assert.equal(e.event, 'dropped_events');
      notices.push(e);
      announced += e.dropped as number;
      continue;
    }
    assert.equal(e.rev, next + announced, `rev after ${next - 1} (+${announced} announced dropped): ${events.map((x) => x.rev).join(',')}`);
    next = e.rev + 1;
    announced = 0;
  }
  assert.equal(announced, 0, 'a notice is followed by the events after the gap');
  return notices;
}

test('NATS down: supervision goes on; back: the outage\'s events are replayed in order, or their loss is reported', async () => {
  const agents = [roomy, tiny];
  const revBefore = await Promise.all(agents.map(inventoryRev));
  await storedUpTo('roomy', revBefore[0]);
  await storedUpTo('tiny', revBefore[1]);
  const pidsBefore = await Promise.all(agents.map((r) => r.pids('sleeper')));

  await nats.stop();
  await Promise.all(agents.map((r) => r.ringd.waitForOutput(/NATS: disconnected from 127\.0\.0\.1:\d+; reconnecting in the background/)));
  for (const [i, r] of agents.entries()) {
    assert.deepEqual(await r.pids('sleeper'), pidsBefore[i], 'processes untouched by the outage');
    assert.equal((await r.ok('incr', { name: 'sleeper', nb: 2, waiting: true })).numprocesses, 4);
    const pids = await waitPids(r, 'sleeper', 4);
    for (const pid of pidsBefore[i]) assert.ok(pids.includes(pid) && pidAlive(pid), `pid ${pid} kept`);
  }
  const revDown = await Promise.all(agents.map(inventoryRev));
  assert.ok(revDown[1] - revBefore[1] > 3, 'the tiny agent produced more events than its buffer holds');

  await nats.restart();
  await Promise.all(agents.map((r) => r.ringd.waitForOutput(/NATS: reconnected to nats:\/\/127\.0\.0\.1:\d+/)));

  const roomyEvents = await storedUpTo('roomy', revDown[0]);
  assert.deepEqual(checkSequence(roomyEvents), [], 'nothing dropped');
  assert.equal(roomyEvents.at(-1)!.rev, revDown[0]);

  const tinyEvents = await storedUpTo('tiny', revDown[1]);
  const notices = checkSequence(tinyEvents);
  const last = notices.at(-1)!;
  const after = tinyEvents.slice(tinyEvents.indexOf(last) + 1);
  assert.deepEqual(after.map((e) => e.rev), [revDown[1] - 2, revDown[1] - 1, revDown[1]], 'the newest event_buffer events were kept');
  assert.equal(last.dropped, revDown[1] - 3 - revBefore[1], 'the notice counts the events of the outage that did not fit');
  assert.equal(last.total, notices.reduce((n, e) => n + (e.dropped as number), 0));

  const hb = await probe.collect(subjects.heartbeat('tiny'));
  const [beat] = await hb.wait('a heartbeat of tiny', () => true);
  assert.equal((beat.json as unknown as Heartbeat).dropped_events, last.total);
  for (const [i, r] of agents.entries()) {
    const pids = await r.pids('sleeper');
    for (const pid of pidsBefore[i]) assert.ok(pids.includes(pid) && pidAlive(pid), `pid ${pid} kept across the outage`);
  }
});

test('NATS down when ringd starts: it starts and supervises anyway, and sends its start-up events once NATS is up', async () => {
  await nats.stop();
  const late = await startLinkedRingd(nats, WATCHERS, { id: 'late', connected: false });
  await late.ringd.waitForOutput(/warning +NATS: cannot connect to nats:\/\/127\.0\.0\.1:\d+: connection refused.*; retrying every 1s \(supervision is not affected\)/);
  const pids = await waitPids(late, 'sleeper', 2);
  await nats.restart();
  await late.ringd.waitForOutput(/NATS: connected to nats:\/\/127\.0\.0\.1:\d+ as "ringd-late"/);
  const rev = await inventoryRev(late);
  assert.deepEqual(checkSequence(await storedUpTo('late', rev)), [], 'every start-up event, in order');
  assert.deepEqual(await late.pids('sleeper'), pids);
  assert.equal((late.ringd.output().match(/cannot connect/g) ?? []).length, 1, 'the refused connection is logged once');
});
