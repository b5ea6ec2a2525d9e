/**
 * Wall time of one `status` as an operator types it: `ringctl status` against a real ringd
 * (10 watchers × 2 processes), next to `supervisorctl status` (supervisord with the same
 * programs) and `pm2 jlist` (pm2 with the same apps) when those are installed, and `node -e ''`
 * (the floor of any Node CLI). Usage: node --import tsx bench/ctl-status.ts [runs=15]
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRingdControl } from '../test/support/ringd-control.ts';
import { tmpDir } from '../test/support/tmp.ts';
import { waitFor } from '../test/support/wait.ts';

const RUNS = Number(process.argv[2] ?? 15);
const RINGCTL = fileURLToPath(new URL('../bin/ringctl.js', import.meta.url));
const WATCHERS = 10;
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number[] {
  const out: number[] = [];
  spawnSync(cmd, args, { env }); // warm the page cache
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
    out.push(performance.now() - t0);
    if (r.status !== 0 && r.status !== 3) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return out.sort((a, b) => a - b);
}

const rows: string[][] = [['command', 'median ms', 'min ms', 'max ms']];
const row = (label: string, xs: number[]) => rows.push([label, xs[Math.floor(xs.length / 2)].toFixed(0), xs[0].toFixed(0), xs[xs.length - 1].toFixed(0)]);

row("node -e '' (floor)", timed(process.execPath, ['-e', '']));

const programs = Array.from({ length: WATCHERS }, (_, i) => `w${i}`);
const r = await startRingdControl(programs.map((p) => `[watchers.${p}]\ncmd = "sleep 600"\nnumprocesses = 2\n`).join('\n'));
try {
  row('ringctl status', timed(process.execPath, [RINGCTL, '--endpoint', r.endpoints.control, 'status']));
  row('ringctl --json status', timed(process.execPath, [RINGCTL, '--endpoint', r.endpoints.control, '--json', 'status']));
} finally {
  await r.stop();
}

if (has('supervisord') && has('supervisorctl')) {
  const dir = tmpDir('bench-supervisor');
  const conf = join(dir, 'supervisord.conf');
  writeFileSync(conf, `[unix_http_server]\nfile=${dir}/s.sock\n[supervisord]\nlogfile=${dir}/s.log\npidfile=${dir}/s.pid\nnodaemon=true\n` +
    `[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n[supervisorctl]\nserverurl=unix://${dir}/s.sock\n` +
    programs.map((p) => `[program:${p}]\ncommand=sleep 600\nnumprocs=2\nprocess_name=%(program_name)s_%(process_num)s\n`).join(''));
  const sd = spawn('supervisord', ['-c', conf], { stdio: 'ignore' });
  try {
    await waitFor(() => spawnSync('supervisorctl', ['-c', conf, 'status']).stdout.toString().split('\n').filter((l) => l.includes('RUNNING')).length === WATCHERS * 2 || undefined,
      { timeoutMs: 60_000, what: 'supervisord running every program' });
    row('supervisorctl status', timed('supervisorctl', ['-c', conf, 'status']));
  } finally {
    sd.kill('SIGTERM');
  }
} else {
  rows.push(['supervisorctl status', 'not installed (apt-get install supervisor)', '', '']);
}

if (has('pm2')) {
  const home = tmpDir('bench-pm2');
  const env = { ...process.env, PM2_HOME: home };
  for (const p of programs) for (const n of [0, 1]) spawnSync('pm2', ['start', 'sleep', '--name', `${p}_${n}`, '--', '600'], { env });
  try {
    row('pm2 jlist', timed('pm2', ['jlist'], env));
  } finally {
    spawnSync('pm2', ['kill'], { env });
  }
} else {
  rows.push(['pm2 jlist', 'not installed (npm i -g pm2)', '', '']);
}

const widths = rows[0].map((_, i) => Math.max(...rows.map((x) => x[i].length)));
process.stdout.write(`status wall time over ${RUNS} runs, ${WATCHERS} programs × 2 processes each\n`);
for (const x of rows) process.stdout.write(`${x.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()}\n`);
