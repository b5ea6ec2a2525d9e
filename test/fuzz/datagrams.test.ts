// Multicast datagrams, fuzzed (FUZZ_CASES, default 10,000; FUZZ_SEED replays) over a real network between two lab
// hosts (network namespaces; root only): a real ringd and a real ringmaster with a fleet key listen on h1; h2 floods
// the group and h1's port with junk, corrupted and forged-signature datagrams, stale and replayed signed ones, oversize
// ones, Circus probes and queries. Both daemons stay up, count the drops, never learn a peer or a NATS URL from an
// unsigned or forged datagram, and still answer a valid query. The corpus (test/fuzz/corpus/datagrams/) goes first.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DISCOVERY_GROUP, DEFAULT_DISCOVERY_PORT } from '../../agent/defaults.ts';
import { encodeDatagram } from '../../protocol/discovery/codec.ts';
import type { Announce, Datagram } from '../../protocol/discovery/types.ts';
import { fixturePath, labProcess, RINGCTL, startLabAgent, type LabProcess } from '../support/discovery-lab.ts';
import { createLab, netnsAvailable, type Lab } from '../support/netns.ts';
import { tmpDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { ControlClient } from '../support/zmq.ts';
import { corpus } from './lib/corpus.ts';
import { corrupt, fuzzSettings, Rand } from './lib/rand.ts';

const avail = netnsAvailable();
const skip = avail.ok ? false : `network namespaces unavailable: ${avail.reason}`;
const GROUP = `${DEFAULT_DISCOVERY_GROUP}:${DEFAULT_DISCOVERY_PORT}`;
const KEY = 'a-fleet-key-for-the-datagram-fuzz-suite';
const ROGUE_NATS = 'nats://10.213.0.99:4222';
const RINGMASTER = fileURLToPath(new URL('../../controller/main.ts', import.meta.url));
const { seed, cases } = fuzzSettings();
/** Share of the flood that must reach the agent (UDP may drop the rest in a full receive buffer). */
const MIN_RECEIVED_SHARE = 0.2;

/** One fuzzed datagram: mostly well-formed ones broken in one way, some junk; `key` signs the ones meant to be valid-looking. */
function datagram(r: Rand, key: Buffer, captured: Buffer[]): Buffer {
  const base: Announce = {
    v: 1, k: 'announce', role: r.pick(['agent', 'controller', 'client'] as const), id: r.pick(['intruder', 'ctl-evil', 'web-1', 'fuzz-agent']), boot: `b${r.int(9)}`,
    seq: r.int(1000), ts: Date.now(), host: 'x', ver: '1', ivl: 2000, ctl: [], nats: [ROGUE_NATS], w: 0, p: 0, labels: {},
  };
  const query: Datagram = { v: 1, k: 'query', role: 'client', id: 'fuzzer', boot: 'q', seq: r.int(1e6), ts: Date.now(), want: ['agent'] };
  return r.pick<() => Buffer>([
    () => r.bytes(r.int(1400)),
    () => Buffer.from(r.str(300)),
    () => Buffer.from(JSON.stringify(r.json(['v', 'k', 'role', 'id', 'boot', 'seq', 'ts', 'nats', 'labels']))),
    () => encodeDatagram(base), // unsigned
    () => Buffer.from(JSON.stringify({ ...base, [r.pick(['v', 'k', 'role', 'id', 'seq', 'ts', 'ctl', 'nats', 'labels', 'w'])]: r.json() })),
    () => encodeDatagram(base, Buffer.from('not the fleet key but long enough!')), // forged
    () => corrupt(r, encodeDatagram(base, key)), // altered in transit
    () => encodeDatagram({ ...base, ts: Date.now() - (5 + r.int(60)) * 60_000 }, key), // stale
    () => r.pick(captured.length ? captured : [Buffer.from('""')]), // replayed
    () => Buffer.from(`{"v":1,"pad":"${'x'.repeat(1200 + r.int(3000))}"}`), // oversize
    () => Buffer.from(r.pick(['""', '"" ', '""\n', '"\u0000"', '" "', "''"])), // Circus probes and near misses
    () => encodeDatagram(query, r.chance(0.5) ? key : undefined),
  ])();
}

describe('datagram fuzz across network namespaces', { skip }, () => {
  let lab: Lab;
  let dir: string;
  let keyFile: string;
  const running: LabProcess[] = [];
  let ctl: ControlClient;
  before(async () => {
    lab = await createLab(2);
    dir = tmpDir('fuzz-datagrams');
    keyFile = join(dir, 'fleet.key');
    writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 });
    const [h1] = lab.hosts;
    running.push(await startLabAgent(h1, dir, { id: 'fuzz-agent', endpoint: `ipc://${dir}/agent.sock`, discovery: `key_file = "${keyFile}"` }));
    writeFileSync(join(dir, 'controller.toml'), `[controller]\nid = "ctl-fuzz"\naudit_file = "${dir}/audit.jsonl"\n` +
      `[nats]\nservers = ["nats://127.0.0.1:1"]\n[discovery]\ninterface = "veth0"\nkey_file = "${keyFile}"\n`);
    const ringmaster = labProcess(h1, process.execPath, ['--import', import.meta.resolve('tsx'), RINGMASTER, '--config', join(dir, 'controller.toml')]);
    running.push(ringmaster);
    await ringmaster.waitOutput(/discovery: listening/);
    ctl = new ControlClient(`ipc://${dir}/agent.sock`);
  });
  after(async () => {
    ctl?.close();
    for (const p of running) await p.stop('SIGKILL');
    await lab?.teardown();
  });

  const discovery = async () => (await ctl.call('discovery')).discovery as { received: number; dropped: Record<string, number>; nats: unknown };

  /** Sends the datagrams from h2 through the flood fixture; resolves with what it sent. */
  async function flood(datagrams: Buffer[], targets: string[]): Promise<{ sent: number }> {
    const [, h2] = lab.hosts;
    const child = h2.exec(process.execPath, [fixturePath('fault-dgram-flood.mjs'), h2.addr]);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise<number | null>((resolve) => child.once('close', resolve));
    child.stdin?.end(datagrams.map((d, i) => `${JSON.stringify({ to: targets[i % targets.length], data: d.toString('base64') })}\n`).join(''));
    assert.equal(await done, 0, `the flood fixture failed: ${out}`);
    return JSON.parse(out) as { sent: number };
  }

  it(`${cases} fuzzed datagrams (seed ${seed}, plus the corpus): both daemons stay up, drop and count them, learn nothing`, async (t) => {
    t.diagnostic(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
    const [h1, h2] = lab.hosts;
    const key = Buffer.from(KEY, 'latin1');
    // A real signed announcement of the agent, captured, to replay.
    const cap = await h2.run(process.execPath, [fixturePath('dgram-tool.mjs'), JSON.stringify({
      port: DEFAULT_DISCOVERY_PORT, join: { group: DEFAULT_DISCOVERY_GROUP, iface: h2.addr }, steps: [{ recv: { count: 2, timeoutMs: 20_000, from: h1.addr } }],
    })]);
    const captured = cap.stdout.trim().split('\n').filter(Boolean).map((l) => Buffer.from((JSON.parse(l) as { data: string }).data, 'base64'));
    const before = await discovery();
    const r = new Rand(seed);
    const datagrams = [...corpus('datagrams').map((e) => e.data), ...Array.from({ length: cases }, () => datagram(r, key, captured))];
    const { sent } = await flood(datagrams, [GROUP, `${h1.addr}:${DEFAULT_DISCOVERY_PORT}`]);
    // UDP may drop some of a flood in the receive buffer: wait until the count stops moving, then judge what arrived.
    let last = -1;
    await waitFor(async () => {
      const now = (await discovery()).received;
      const still = now === last;
      last = now;
      return still;
    }, { what: 'the agent to finish receiving the flood', timeoutMs: 60_000, intervalMs: 1000 });
    assert.ok(last - before.received >= sent * MIN_RECEIVED_SHARE, `the agent received ${last - before.received} of ${sent}`);
    const after = await discovery();
    const dropped = Object.values(after.dropped).reduce((a, b) => a + b, 0) - Object.values(before.dropped).reduce((a, b) => a + b, 0);
    t.diagnostic(`sent ${sent}; the agent received ${after.received - before.received} and dropped ${dropped}: ${JSON.stringify(after.dropped)}`);
    for (const reason of ['malformed', 'unsigned', 'forged', 'stale', 'replayed', 'oversize']) assert.ok(after.dropped[reason] > before.dropped[reason], `some ${reason} drops`);
    // The real controller (signed) may have taught the agent its URL; the forged ones never.
    const learned = after.nats as { urls: string[]; from: string } | null;
    assert.ok(learned === null || (learned.from === 'ctl-fuzz' && !learned.urls.includes(ROGUE_NATS)), `learned ${JSON.stringify(learned)}`);
    for (const p of running) assert.equal(p.child.exitCode, null, `still running:\n${p.output().slice(-2000)}`);
    // A valid, signed query still gets both answers; no forged peer is listed.
    const list = await h2.run(process.execPath, [RINGCTL, 'discover', '--json', '--interface', 'veth0', '--key-file', keyFile, '--timeout', '2s']);
    const peers = (JSON.parse(list.stdout) as { peers: Array<{ id: string }> }).peers.map((p) => p.id).sort();
    assert.deepEqual(peers, ['ctl-fuzz', 'fuzz-agent'], list.stderr);
    assert.equal((await ctl.call('status')).status, 'ok');
  });
});
