// A host's network link cut for 10+ s and restored, on a real fleet in network namespaces: h1 runs nats-server and
// ringmaster, h2 and h3 each run a ringd (h3 with an event outbox of one event, so the cut overflows it). During the cut
// the controller marks both lost, each ringd replaces a worker killed then, and after the restore each agent is alive
// in the fleet view with the inventory of its own /proc; the events of the cut reach NATS afterwards (h2: replayed
// from the outbox) or their loss is announced (h3: a dropped_events notice and the heartbeat's counter).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetEvent, FleetSnapshot, Inventory } from '../../protocol/fleet/messages.ts';
import { subjects } from '../../protocol/fleet/subjects.ts';
import { labProcess, type LabProcess } from '../support/discovery-lab.ts';
import { createLab, netnsAvailable, type Lab } from '../support/netns.ts';
import { NATS_SERVER_BIN } from '../support/nats.ts';
import { agentKeys } from '../support/ringd.ts';
import { tmpDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { runningPids, sleepers } from './lib/sleepers.ts';
import { NatsBridge, type BridgeMessage } from './lib/nats-bridge.ts';

const avail = netnsAvailable();
const skip = avail.ok ? false : `network namespaces unavailable: ${avail.reason}`;
const TSX = import.meta.resolve('tsx');
const RINGD = new URL('../../agent/main.ts', import.meta.url).pathname;
const RINGMASTER = new URL('../../controller/main.ts', import.meta.url).pathname;
const PORT = 14222; // inside h1's own namespace
const WORKERS = 2;
const CUT_MS = 10_000;
/** Agent id → the `sleep <n>` its workers run, and its lab host (index). */
const AGENTS = { 'lc-keep': { sleep: '6221', host: 1, buffer: 1000 }, 'lc-drop': { sleep: '6231', host: 2, buffer: 1 } } as const;
type Id = keyof typeof AGENTS;
const IDS = Object.keys(AGENTS) as Id[];

let lab: Lab;
let dir: string;
let url: string;
let bridge: NatsBridge;
const procs: LabProcess[] = [];
const ringd = {} as Record<Id, LabProcess>;

const snapshot = async () => JSON.parse(await bridge.request(subjects.fleetSnapshot)) as FleetSnapshot;

before(async () => {
  lab = await createLab(3, { prefix: 'rmlink' });
  dir = tmpDir('fault-link');
  const [h1] = lab.hosts;
  url = `nats://${h1.addr}:${PORT}`;
  writeFileSync(join(dir, 'nats.conf'), `listen: "${h1.addr}:${PORT}"\n`);
  const nats = labProcess(h1, NATS_SERVER_BIN, ['-c', join(dir, 'nats.conf')]);
  procs.push(nats);
  await nats.waitOutput(/Server is ready/);
  writeFileSync(join(dir, 'ringmaster.toml'), `[controller]\nid = "ctl-link"\naudit_file = "${dir}/audit.jsonl"\nsuspect_after = 3\nlost_after = "4s"\n\n[nats]\nservers = ["${url}"]\n\n[discovery]\nenabled = false\n`);
  procs.push(labProcess(h1, process.execPath, ['--import', TSX, RINGMASTER, '--config', join(dir, 'ringmaster.toml')]));
  for (const id of IDS) {
    const a = AGENTS[id];
    const file = join(dir, `${id}.toml`);
    writeFileSync(file, `discovery = { enabled = false }\n\n[agent]\n${agentKeys(join(dir, id))}\nid = "${id}"\n\n[nats]
servers = ["${url}"]
heartbeat_interval = "500ms"
ping_interval = "1s"
max_pings_out = 2
reconnect_wait = "500ms"
reconnect_jitter = "100ms"
event_buffer = ${a.buffer}

[watchers.w]
cmd = "sleep ${a.sleep}"
numprocesses = ${WORKERS}
`);
    ringd[id] = labProcess(lab.hosts[a.host], process.execPath, ['--import', TSX, RINGD, '--config', file]);
    procs.push(ringd[id]);
  }
  bridge = await NatsBridge.start(h1, url);
});
after(async () => {
  bridge?.close();
  for (const p of procs.reverse()) await p.stop('SIGKILL').catch(() => undefined);
  await lab?.teardown();
});

/** Until the fleet view, each agent's own inventory and /proc agree; the message says what still differs. */
async function consistent(when: string): Promise<void> {
  let why = 'not checked yet';
  await waitFor(async () => {
    const snap = await snapshot();
    const problems: string[] = [];
    for (const id of IDS) {
      const view = snap.agents.find((a) => a.id === id);
      const own = (JSON.parse(await bridge.request(subjects.ctl(id, 'inventory'))) as { inventory: Inventory }).inventory;
      const live = sleepers(AGENTS[id].sleep);
      const pid = ringd[id].child.pid; // `ip netns exec` execs ringd
      if (view?.state !== 'alive') problems.push(`${id} is ${view?.state ?? 'unknown'} in the fleet view`);
      if (view?.inventory?.rev !== own.rev) problems.push(`${id}: the view is at revision ${view?.inventory?.rev}, the agent at ${own.rev}`);
      if (JSON.stringify(runningPids(view?.inventory)) !== JSON.stringify(runningPids(own))) problems.push(`${id}: the view lists ${runningPids(view?.inventory)}, the agent ${runningPids(own)}`);
      if (JSON.stringify(live.map((p) => p.pid).sort()) !== JSON.stringify(runningPids(own))) problems.push(`${id}: /proc has ${live.map((p) => p.pid)}, the agent lists ${runningPids(own)}`);
      if (live.length !== WORKERS || live.some((p) => p.ppid !== pid)) problems.push(`${id}: workers ${JSON.stringify(live)}, ringd ${pid}`);
    }
    why = problems.join('; ');
    return problems.length === 0;
  }, { what: `a consistent fleet ${when}`, timeoutMs: 90_000, intervalMs: 250 }).catch((err: Error) => {
    throw new Error(`${err.message}: ${why}\n${IDS.map((id) => `--- ${id}\n${ringd[id].output().slice(-3000)}`).join('\n')}`);
  });
}

test('a link cut of 10 s: lost during it, supervision goes on, back consistent with its events replayed or counted', { skip, timeout: 240_000 }, async () => {
  await consistent('at start');
  const events: BridgeMessage[] = await bridge.subscribe('ring.agent.*.evt.>');
  const beats: BridgeMessage[] = await bridge.subscribe(subjects.heartbeat('lc-drop'));
  const cutAt = Date.now();
  const outputBefore = Object.fromEntries(IDS.map((id) => [id, ringd[id].output().length])) as Record<Id, number>;
  await Promise.all(IDS.map((id) => lab.hosts[AGENTS[id].host].cut()));

  // Each ringd notices (client pings), so what follows goes to its outbox; then a worker of each is killed.
  for (const id of IDS) await waitFor(() => /NATS: (disconnected|connection closed)/.test(ringd[id].output().slice(outputBefore[id])), { what: `${id} noticing the cut`, timeoutMs: 15_000, intervalMs: 100 });
  const victims = Object.fromEntries(IDS.map((id) => [id, sleepers(AGENTS[id].sleep)[0].pid])) as Record<Id, number>;
  for (const id of IDS) process.kill(victims[id], 'SIGKILL');
  for (const id of IDS) {
    await waitFor(() => {
      const live = sleepers(AGENTS[id].sleep);
      return live.length === WORKERS && !live.some((p) => p.pid === victims[id]) && live.every((p) => p.ppid === ringd[id].child.pid);
    }, { what: `${id} replacing its killed worker while cut off`, timeoutMs: 30_000, intervalMs: 100 });
  }
  const replacements = Object.fromEntries(IDS.map((id) => [id, sleepers(AGENTS[id].sleep).map((p) => p.pid).sort()])) as Record<Id, number[]>;

  // The controller (lost_after 4s) marks both lost while the cut lasts.
  const lostSeen = await waitFor(async () => {
    const snap = await snapshot();
    return IDS.every((id) => snap.agents.find((a) => a.id === id)?.state === 'lost') && snap;
  }, { what: 'the controller marking both agents lost', timeoutMs: 30_000, intervalMs: 200 });
  assert.ok(Date.now() - cutAt < 30_000);
  for (const id of IDS) assert.match(lostSeen.agents.find((a) => a.id === id)!.reason ?? '', /no heartbeat/);
  assert.equal(events.filter((m) => /"pid":/.test(m.data) && IDS.some((id) => m.data.includes(`"pid":${victims[id]}`))).length, 0, 'no event of the cut got through it');
  await waitFor(() => Date.now() - cutAt >= CUT_MS, { what: 'the end of the cut', timeoutMs: CUT_MS + 1000, intervalMs: 100 });
  await Promise.all(IDS.map((id) => lab.hosts[AGENTS[id].host].reconnect()));

  await consistent('after the link came back');
  for (const id of IDS) assert.deepEqual(sleepers(AGENTS[id].sleep).map((p) => p.pid).sort(), replacements[id], `${id}: the workers started during the cut are the ones kept`);

  const parsed = events.map((m) => ({ subject: m.subject, e: JSON.parse(m.data) as FleetEvent & { pid?: number; dropped?: number } }));
  // lc-keep: its outbox held everything; the reap of the victim and the spawn of its replacement arrive, in order.
  const keep = parsed.filter((x) => x.e.agent === 'lc-keep');
  const reap = keep.findIndex((x) => x.e.event === 'reap' && x.e.pid === victims['lc-keep']);
  const spawn = keep.findIndex((x) => x.e.event === 'spawn' && replacements['lc-keep'].includes(x.e.pid!) && x.e.pid !== victims['lc-keep']);
  assert.ok(reap >= 0 && spawn > reap, `lc-keep replayed its reap then spawn: ${JSON.stringify(keep.map((x) => [x.e.event, x.e.pid]))}`);
  assert.ok(!keep.some((x) => x.e.event === 'dropped_events'), 'lc-keep lost nothing');
  // lc-drop: its outbox of one overflowed; the loss is announced before what it kept, and counted in its heartbeats.
  const drop = parsed.filter((x) => x.e.agent === 'lc-drop');
  const notice = drop.find((x) => x.e.event === 'dropped_events');
  assert.ok(notice && (notice.e.dropped ?? 0) > 0, `lc-drop announced its lost events: ${JSON.stringify(drop.map((x) => x.e))}`);
  assert.equal(notice.subject, subjects.agentEvent('lc-drop', 'dropped_events'));
  const lastBeat = JSON.parse(beats.at(-1)!.data) as { dropped_events: number };
  assert.ok(lastBeat.dropped_events >= notice.e.dropped!, `the heartbeat counts them: ${beats.at(-1)!.data}`);
});
