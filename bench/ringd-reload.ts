/**
 * ringd's own zero-downtime reload under load, as before `npm run bench -- reload` existed: the same run
 * (bench/reload/run.ts: wrk while `reload web --waiting` repeats, next to a run without reloads), printed
 * without writing bench/results/. Usage: node --import tsx bench/ringd-reload.ts [numprocesses=2] [reloads=∞]
 */
import { reloadMarkdown, runReload } from './reload/run.ts';

const workers = Number(process.argv[2] ?? 2);
const reloads = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
const run = await runReload({ quick: false, workers, reloads, log: (m) => void process.stderr.write(`[reload bench] ${m}\n`) });
console.log(reloadMarkdown(run));
process.exit(run.zeroErrors ? 0 : 1);
