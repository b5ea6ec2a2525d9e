/**
 * PM2's programmatic API on one persistent connection, for bench/host/pm2-peer.ts: runs in its own
 * process (PM2 reads PM2_HOME once, at require time). argv[2] is the pm2 package directory. stdin:
 * one JSON request a line ({op: "status", count} | {op: "restart"} | {op: "stop"}); stdout: one JSON
 * reply a line ({ok: true, samples?} or {ok: false, error}). Exits when stdin closes.
 */
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

type Callback<T = unknown> = (err: Error | null, value?: T) => void;
interface Pm2Api {
  connect(cb: Callback): void;
  list(cb: Callback<unknown[]>): void;
  restart(what: string, cb: Callback): void;
  stop(what: string, cb: Callback): void;
  disconnect(): void;
}

const pm2 = createRequire(import.meta.url)(process.argv[2] ?? 'pm2') as Pm2Api;
const call = <T>(f: (cb: Callback<T>) => void): Promise<T> =>
  new Promise((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v as T))));
const reply = (o: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(o)}\n`);

await call((cb) => pm2.connect(cb));
reply({ ok: true, connected: true });
const lines = createInterface({ input: process.stdin });
let chain = Promise.resolve();
lines.on('line', (line) => {
  chain = chain.then(async () => {
    try {
      const req = JSON.parse(line) as { op: string; count?: number };
      if (req.op === 'status') {
        const samples: number[] = [];
        for (let i = 0; i < (req.count ?? 1); i++) {
          const t0 = performance.now();
          await call<unknown[]>((cb) => pm2.list(cb));
          samples.push(performance.now() - t0);
        }
        reply({ ok: true, samples });
      } else if (req.op === 'restart' || req.op === 'stop') {
        await call((cb) => pm2[req.op as 'restart' | 'stop']('all', cb));
        reply({ ok: true });
      } else {
        reply({ ok: false, error: `unknown op ${req.op}` });
      }
    } catch (err) {
      reply({ ok: false, error: (err as Error).message });
    }
  });
});
lines.on('close', () => void chain.then(() => (pm2.disconnect(), process.exit(0))));
