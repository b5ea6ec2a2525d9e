// Records test/fixtures/tui-fleet.json from a real fleet (nats-server, ringmaster, three ringd agents): the snapshot,
// heartbeats, stats messages, the events and the delta of a restart, exactly as the TUI receives them.
// Not a test: run it again when the fleet payloads change: node --import tsx test/tui/record-fixture.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FleetDelta, FleetEvent, FleetSnapshot, Heartbeat } from '../../protocol/fleet/messages.ts';
import type { FleetStats } from '../../protocol/fleet/payloads.ts';
import { subjects } from '../../protocol/fleet/subjects.ts';
import { api, fleetClient, fleetDir, startFleetAgent, startRingmaster, waitFleet } from '../support/fleet.ts';
import { startNats } from '../support/nats.ts';
import { waitFor } from '../support/wait.ts';
import { FIXTURES, TUI_FLEET_FIXTURE, type RecordedFleet } from './support.ts';

const WATCHERS = `[watchers.web]
cmd = "node ${FIXTURES}/sleeper.mjs"
numprocesses = 2

[watchers.worker]
cmd = "node ${FIXTURES}/sleeper.mjs"
`;
const FLAKY = `
[watchers.flaky]
cmd = "node ${FIXTURES}/crash-loop.mjs"
max_retry = 2
backoff_base = "100ms"
`;

const nats = await startNats();
const dir = fleetDir('tui-record');
const ctl = startRingmaster(dir, [nats.url], { id: 'ctl-1' });
const agents = [['web-1', 'web'], ['web-2', 'web'], ['db-1', 'db']].map(([id, role]) =>
  startFleetAgent(dir, [nats.url], { id, labels: { role, dc: 'par1' }, nats: 'stats_interval = "1s"', watchers: WATCHERS + (id === 'db-1' ? FLAKY : '') }));
const nc = await fleetClient([nats.url]);
try {
  await waitFleet(nc, (s) => s.agents.filter((a) => a.state === 'alive' && a.inventory).length === 3
    && s.agents.some((a) => a.inventory?.watchers.some((w) => w.name === 'flaky' && w.state === 'fatal')), 'three agents, flaky fatal');
  const heartbeats: Heartbeat[] = [];
  const stats: FleetStats[] = [];
  const events: FleetEvent[] = [];
  const deltas: FleetDelta[] = [];
  nc.subscribe(subjects.heartbeats, { callback: (_e, m) => void heartbeats.push(m.json()) });
  nc.subscribe(subjects.allStats, { callback: (_e, m) => void stats.push(m.json()) });
  await waitFor(() => new Set(stats.map((s) => s.agent)).size === 3 && stats.length >= 6 && heartbeats.length >= 3, { what: 'stats of every agent', timeoutMs: 60_000 });
  const snapshot = (await nc.request(subjects.fleetSnapshot, '', { timeout: 5000 })).json<FleetSnapshot>();
  nc.subscribe(subjects.events, { callback: (_e, m) => void events.push(m.json()) });
  nc.subscribe(subjects.fleetDelta('web-1'), { callback: (_e, m) => void deltas.push(m.json()) });
  await nc.flush();
  await api(nc, 'restart', { target: { hosts: ['web-1'] }, properties: { name: 'web', waiting: true } });
  await waitFor(() => deltas.some((d) => d.agent.inventory?.watchers.find((w) => w.name === 'web')?.processes.every((p) => p.state === 'running' && p.pid !== null)
    && events.filter((e) => e.event === 'spawn').length >= 2), { what: 'the restart seen in a delta', timeoutMs: 60_000 });
  const recorded: RecordedFleet = {
    snapshot, heartbeats: heartbeats.slice(0, 3), stats: stats.slice(0, 6),
    restart: { events: events.filter((e) => e.agent === 'web-1'), delta: deltas[deltas.length - 1] },
  };
  writeFileSync(TUI_FLEET_FIXTURE, `${JSON.stringify(recorded, null, 1)}\n`);
  process.stdout.write(`wrote ${fileURLToPath(new URL(TUI_FLEET_FIXTURE, import.meta.url))}\n`);
} finally {
  await nc.close();
  for (const a of agents) await a.stop();
  await ctl.stop();
  await nats.stop();
}
