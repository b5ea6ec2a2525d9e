// Wall-clock jumps (as `date -s` or a bad NTP step would make): ringd's max_age and ringmaster's liveness deadlines run
// on the monotonic clock. The daemons get a preloaded module (test/fixtures/fault-clock.mjs) that shifts Date by an
// offset the test writes, and nothing else: the machine's clock is never touched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '../support/fixtures.ts';
import { fleetClient, fleetDir, startFleetAgent, startRingmaster, waitFleet, type Ringmaster } from '../support/fleet.ts';
import { startNats, type TestNats } from '../support/nats.ts';
import type { Ringd } from '../support/ringd.ts';
import { startRingdControl, stopAllRingd, waitPids, type RingdControl } from '../support/ringd-control.ts';
import { tmpDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

const HOUR_MS = 3_600_000;
/** How long the jumped daemons are watched for a wrong reaction (several check intervals and heartbeats). */
const WATCH_MS = 3000;
const dir = tmpDir('fault-clock');
const clockFile = join(dir, 'offset');
const jump = (ms: number) => writeFileSync(clockFile, String(ms));
const clockEnv = { NODE_OPTIONS: `--import ${fixture('fault-clock.mjs')}`, RING_FAULT_CLOCK_FILE: clockFile };
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

let ringd: RingdControl;
let nats: TestNats;
let agent: Ringd;
let ctl: Ringmaster;
before(async () => {
  jump(0);
  ringd = await startRingdControl(`
[watchers.keep]
cmd = "sleep 600"
numprocesses = 2
max_age = "1h"
max_age_variance = 0

[watchers.aged]
cmd = "sleep 600"
max_age = "3s"
max_age_variance = 0
`, { prefix: 'fault-clock-ringd', agent: 'check_interval = "200ms"', env: clockEnv });
});
after(async () => {
  jump(0);
  await stopAllRingd();
  await agent?.stop('SIGKILL');
  await ctl?.stop('SIGKILL');
  await nats?.stop();
});

test('ringd: a jump forward ages nothing; a jump back does not stop max_age', async () => {
  const keep = await waitPids(ringd, 'keep', 2);
  jump(2 * HOUR_MS);
  await pause(WATCH_MS);
  assert.deepEqual(await ringd.pids('keep'), keep, 'two hours "passed" on the wall clock: max_age = 1h must not fire');
  const aged = await waitPids(ringd, 'aged', 1);
  jump(-2 * HOUR_MS);
  await waitPids(ringd, 'aged', 1, aged, 20_000); // replaced ~3 s after its start, whatever the wall clock says
  assert.deepEqual(await ringd.pids('keep'), keep);
});

test('ringmaster: a jump forward does not make live agents suspect or lost', async () => {
  jump(0);
  nats = await startNats();
  const fleet = fleetDir('fault-clock-fleet');
  agent = startFleetAgent(fleet, [nats.url], { id: 'c1' });
  // Only ringmaster gets the jumping clock: it inherits this process's environment at spawn time.
  Object.assign(process.env, clockEnv);
  try {
    ctl = startRingmaster(fleet, [nats.url], { id: 'ctl-clock' });
  } finally {
    for (const k of Object.keys(clockEnv)) delete process.env[k];
  }
  const nc = await fleetClient([nats.url]);
  try {
    await waitFleet(nc, (s) => s.agents.some((a) => a.id === 'c1' && a.state === 'alive'), 'c1 alive');
    const from = ctl.output().length;
    jump(HOUR_MS);
    await pause(WATCH_MS);
    const s = await waitFleet(nc, () => true, 'a snapshot');
    assert.equal(s.agents.find((a) => a.id === 'c1')?.state, 'alive');
    assert.doesNotMatch(ctl.output().slice(from), /agent c1: alive → (suspect|lost)/, 'an hour "passed" on the wall clock: no heartbeat was missed');
  } finally {
    await nc.close();
  }
});
