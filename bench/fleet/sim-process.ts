/** Runs bench/fleet-sim.ts processes (simulated agents) and talks to them over stdin/stdout JSON lines. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../test/support/wait.ts';
import type { SimOptions } from '../fleet-sim.ts';

const SIM_MAIN = fileURLToPath(new URL('../fleet-sim.ts', import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const CLOSE_GRACE_MS = 5000;

export interface SimEvent { event: string; id?: string; at?: number; last_hb?: number | null; first_hb?: number | null; reason?: string }
export interface Sim { first: number; count: number; child: ChildProcess; events: SimEvent[]; send(line: string): void; close(): Promise<void> }

const sims = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of sims) c.kill('SIGKILL');
});

/** Starts one simulator process for agents first … first+count-1 and waits until all of them beat and serve. */
export async function startSim(o: SimOptions): Promise<Sim> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), SIM_MAIN, JSON.stringify(o)], { stdio: ['pipe', 'pipe', 'pipe'] });
  sims.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => (sims.delete(child), resolve())));
  const events: SimEvent[] = [];
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  createInterface({ input: child.stdout! }).on('line', (l) => events.push(JSON.parse(l) as SimEvent));
  const close = async (): Promise<void> => {
    child.stdin!.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };
  await waitFor(() => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`fleet-sim exited: ${err}`);
    return events.some((e) => e.event === 'ready');
  }, { what: `fleet-sim ${o.first}+${o.count} to be ready`, timeoutMs: READY_TIMEOUT_MS, intervalMs: 20 }).catch(async (e: Error) => {
    await close();
    throw new Error(`${e.message}\n${err}`);
  });
  return { first: o.first, count: o.count, child, events, send: (line) => void child.stdin!.write(`${line}\n`), close };
}
