// kill -9, in turn, of a worker, a ringd, the controller and the (only) NATS server, on a real fleet of two agents.
// After each: every agent alive in the controller's view, its inventory (pids and revision) equal to what the agent
// itself reports and to /proc (each worker a live child of the current ringd: none orphaned, none duplicated), so every
// event was applied or replayed, or the loss made the controller fetch the inventory again. Node failures of a NATS
// cluster are in test/controller/cluster.test.ts.
import { after, before, test } from 'node:test';
import type { NatsConnection } from '@nats-io/transport-node';
import type { FleetSnapshot, Inventory } from '../../protocol/fleet/messages.ts';
import { subjects } from '../../protocol/fleet/subjects.ts';
import { fleetClient, fleetDir, startFleetAgent, startRingmaster, type Ringmaster } from '../support/fleet.ts';
import { startNats, type TestNats } from '../support/nats.ts';
import { waitGone } from '../support/proc.ts';
import type { Ringd } from '../support/ringd.ts';
import { waitFor } from '../support/wait.ts';
import { runningPids, sleepers } from './lib/sleepers.ts';

/** Each agent runs `sleep <its own number>`, so /proc tells its workers from everyone else's. */
const AGENTS = { k1: '6111', k2: '6112' } as const;
type Id = keyof typeof AGENTS;
const WORKERS = 3;
const CONSISTENT_WITHIN_MS = 90_000;

let nats: TestNats;
let dir: string;
let ctl: Ringmaster;
let nc: NatsConnection;
const agents = {} as Record<Id, Ringd>;
const start = (id: Id) => (agents[id] = startFleetAgent(dir, [nats.url], { id, watchers: `[watchers.w]\ncmd = "sleep ${AGENTS[id]}"\nnumprocesses = ${WORKERS}` }));

before(async () => {
  nats = await startNats();
  dir = fleetDir('fault-kills');
  for (const id of Object.keys(AGENTS) as Id[]) start(id);
  ctl = startRingmaster(dir, [nats.url], { id: 'ctl-k' });
  nc = await fleetClient([nats.url]);
});
after(async () => {
  await nc?.close();
  for (const a of Object.values(agents)) await a.stop('SIGKILL');
  await ctl?.stop('SIGKILL');
  await nats?.stop();
});



/** Waits until the fleet view, each agent's own inventory and /proc agree; the message says what still differs. */
async function consistent(after: string): Promise<void> {
  let why = 'not checked yet';
  await waitFor(async () => {
    const snap = (await nc.request(subjects.fleetSnapshot, '', { timeout: 5000 })).json<FleetSnapshot>();
    for (const id of Object.keys(AGENTS) as Id[]) {
      const view = snap.agents.find((a) => a.id === id);
      const own = (await nc.request(subjects.ctl(id, 'inventory'), '', { timeout: 5000 })).json<{ inventory: Inventory }>().inventory;
      const live = sleepers(AGENTS[id]);
      const ringd = agents[id].child.pid;
      const problems = [
        view?.state !== 'alive' && `${id} is ${view?.state ?? 'unknown'} in the fleet view`,
        view?.inventory?.rev !== own.rev && `${id}: the view is at revision ${view?.inventory?.rev}, the agent at ${own.rev}`,
        JSON.stringify(runningPids(view?.inventory)) !== JSON.stringify(runningPids(own)) && `${id}: the view lists ${runningPids(view?.inventory)}, the agent ${runningPids(own)}`,
        JSON.stringify(live.map((p) => p.pid).sort()) !== JSON.stringify(runningPids(own)) && `${id}: /proc has ${live.map((p) => p.pid)}, the agent lists ${runningPids(own)}`,
        live.length !== WORKERS && `${id}: ${live.length} workers instead of ${WORKERS}`,
        live.some((p) => p.ppid !== ringd) && `${id}: a worker whose parent is not ringd ${ringd}: ${JSON.stringify(live)}`,
      ].filter(Boolean);
      if (problems.length) {
        why = problems.join('; ');
        return false;
      }
    }
    return true;
  }, { what: `a consistent fleet after ${after}`, timeoutMs: CONSISTENT_WITHIN_MS, intervalMs: 200 }).catch((err: Error) => {
    throw new Error(`${err.message}: ${why}`);
  });
}

test('the fleet starts consistent', async () => {
  await consistent('start');
});

test('kill -9 a worker', async () => {
  process.kill(sleepers(AGENTS.k1)[0].pid, 'SIGKILL');
  await consistent('a worker of k1 was killed');
});

test('kill -9 a ringd, then restart it: its workers go with it, the new ones are the only ones', async () => {
  const old = sleepers(AGENTS.k1).map((p) => p.pid);
  await agents.k1.stop('SIGKILL');
  await waitGone(old, 30_000);
  start('k1');
  await consistent('ringd k1 was killed and restarted');
});

test('kill -9 the controller, then restart it: its view is rebuilt', async () => {
  await ctl.stop('SIGKILL');
  process.kill(sleepers(AGENTS.k2)[0].pid, 'SIGKILL'); // an event nobody hears live
  ctl = startRingmaster(dir, [nats.url], { id: 'ctl-k' });
  await consistent('the controller was killed and restarted');
});

test('kill -9 every NATS server: supervision goes on; back, the outage\'s events reach the controller', async () => {
  await nats.kill();
  const victim = sleepers(AGENTS.k2)[0].pid;
  process.kill(victim, 'SIGKILL');
  await waitFor(() => sleepers(AGENTS.k2).length === WORKERS && !sleepers(AGENTS.k2).some((p) => p.pid === victim), { what: 'k2 replacing its worker with NATS down', timeoutMs: 30_000 });
  await nats.restart();
  await consistent('NATS was killed and restarted');
});
