/**
 * `bench host`: every peer on the same workload, interleaved round by round in a rotating order;
 * per figure the median and range over rounds, and ringd's ratio to each peer computed per round.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startNats, type TestNats } from '../../test/support/nats.ts';
import { tmpDir } from '../../test/support/tmp.ts';
import { apiStatus, cliStatus, coldStart, crashRespawn, restartAll, steady, stopAll, type FigureOptions } from './figures.ts';
import { workload, type Peer, type Workload } from './peer.ts';
import { pm2Peer } from './pm2-peer.ts';
import { ringdPeer } from './ringd-peer.ts';
import { supervisorPeer } from './supervisor-peer.ts';
import { percentile } from '../timing.ts';
import type { Figure, RoundValues } from './report.ts';
import { buildPrivateCopy, type Build } from '../lib/build.ts';

export interface HostOptions extends FigureOptions {
  sizes: number[];
  workloads: Workload['name'][];
  rounds: number;
  allowInstall: boolean;
  /** Also measure ringd compiled (bench/lib/build.ts), as `npm run build` would make it. */
  built: boolean;
  log: (msg: string) => void;
}

/** One peer's figures in one round (absent: not measured for that peer, e.g. ringd+nats beyond steady state). */
export type PeerFigures = Partial<Record<Figure, number>> & { respawnSamples?: number[] };

export interface HostCase {
  workload: Workload['name'];
  n: number;
  /** rounds[r][peer] = figures. */
  rounds: Record<string, PeerFigures>[];
  /** Peer order of each round. */
  orders: string[][];
}

export interface HostRun { peers: { name: string; version: string }[]; skipped: { name: string; why: string }[]; cases: HostCase[] }

interface Entry { peer: Peer; full: boolean }

async function measurePeer(e: Entry, n: number, wl: Workload['name'], o: HostOptions): Promise<PeerFigures> {
  const dir = tmpDir(`bench-host-${e.peer.name}`);
  mkdirSync(join(dir, 'www'), { recursive: true });
  const spec = { n, workload: workload(wl, join(dir, 'www')), dir };
  const cold = await coldStart(e.peer, spec);
  const r = cold.running;
  try {
    const f: PeerFigures = { cold: cold.ms, coldCpu: cold.cpuMs };
    const st = await steady(r, spec, o);
    Object.assign(f, { cpu: st.cpuPct, rss: st.rssMb });
    if (!e.full) return f;
    f.cli = cliStatus(r.statusCli(), o.cliRuns);
    const api = await r.api();
    try {
      f.api = await apiStatus(api, o.apiCalls);
      f.respawnSamples = await crashRespawn(r, spec, o.kills);
      f.respawn = percentile(f.respawnSamples, 0.5);
      f.restart = await restartAll(r, spec, api);
      f.stop = await stopAll(r, spec, api);
    } finally {
      await api.close();
    }
    return f;
  } finally {
    await r.shutdown();
  }
}

export async function runHost(o: HostOptions): Promise<HostRun> {
  let nats: TestNats | undefined;
  let build: Build | undefined;
  const candidates: Entry[] = [
    { peer: ringdPeer(), full: true },
    ...(o.built ? [{ peer: ringdPeer({ name: 'ringd-built', built: () => build! }), full: true }] : []),
    { peer: ringdPeer({ name: 'ringd+stats', statsSubscriber: true }), full: false },
    { peer: ringdPeer({ name: 'ringd+nats', natsUrl: () => nats!.url }), full: false },
    { peer: supervisorPeer(), full: true },
    { peer: pm2Peer({ allowInstall: o.allowInstall }), full: true },
  ];
  const entries: Entry[] = [];
  const skipped: HostRun['skipped'] = [];
  if (o.built) {
    o.log('compiling a private copy of the sources for ringd-built');
    const b = await buildPrivateCopy();
    build = b.build;
    if (!build) {
      candidates.splice(1, 1);
      skipped.push({ name: 'ringd-built', why: b.why ?? 'build failed' });
    }
  }
  for (const e of candidates) {
    const why = await e.peer.prepare();
    if (why) skipped.push({ name: e.peer.name, why });
    else entries.push(e);
  }
  for (const s of skipped) o.log(`skipping ${s.name}: ${s.why}`);
  nats = await startNats({ name: 'bench-host' });
  const cases: HostCase[] = [];
  try {
    for (const wl of o.workloads) {
      for (const n of o.sizes) {
        const c: HostCase = { workload: wl, n, rounds: [], orders: [] };
        for (let round = 0; round < o.rounds; round++) {
          const order = entries.map((_, i) => entries[(i + round) % entries.length]);
          c.orders.push(order.map((e) => e.peer.name));
          const values: RoundValues = {};
          for (const e of order) {
            o.log(`${wl} N=${n} round ${round + 1}/${o.rounds}: ${e.peer.name}`);
            values[e.peer.name] = await measurePeer(e, n, wl, o);
          }
          c.rounds.push(values);
        }
        cases.push(c);
      }
    }
  } finally {
    await nats.stop();
  }
  return { peers: entries.map((e) => ({ name: e.peer.name, version: e.peer.version() })), skipped, cases };
}

