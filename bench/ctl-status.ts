/**
 * Wall time of one `status` as an operator types it: `ringctl status` against a real ringd, next to
 * `supervisorctl status` and `pm2 jlist` on the same 20 `sleep` processes (the peers of `npm run bench --
 * host`, whose "status via CLI" figure this is), and `node -e ''` (the floor of any Node CLI).
 * Usage: node --import tsx bench/ctl-status.ts [runs=15] [--no-install]
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir } from '../test/support/tmp.ts';
import { cliStatus, coldStart } from './host/figures.ts';
import { workload, type Peer } from './host/peer.ts';
import { pm2Peer } from './host/pm2-peer.ts';
import { ringdPeer } from './host/ringd-peer.ts';
import { supervisorPeer } from './host/supervisor-peer.ts';
import { markdownTable } from './lib/table.ts';
import { fmt } from './timing.ts';

const RUNS = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 15);
const PROCESSES = 20;
const peers: Peer[] = [ringdPeer(), supervisorPeer(), pm2Peer({ allowInstall: !process.argv.includes('--no-install') })];

const rows: string[][] = [["node -e '' (floor)", fmt(cliStatus({ file: process.execPath, args: ['-e', ''] }, RUNS))]];
for (const peer of peers) {
  const why = await peer.prepare();
  if (why) {
    rows.push([peer.name, `skipped: ${why}`]);
    continue;
  }
  const dir = tmpDir(`bench-ctl-${peer.name}`);
  mkdirSync(join(dir, 'www'));
  const { running } = await coldStart(peer, { n: PROCESSES, workload: workload('sleep', join(dir, 'www')), dir });
  try {
    const cmd = running.statusCli();
    rows.push([`${peer.name}: ${[cmd.file, ...cmd.args].map((a) => a.split('/').pop()).join(' ')}`, fmt(cliStatus(cmd, RUNS))]);
  } finally {
    await running.shutdown();
  }
}
console.log(`status wall time, median of ${RUNS} runs, ${PROCESSES} sleep processes\n`);
console.log(markdownTable(['command', 'median ms'], rows));
process.exit(0);
