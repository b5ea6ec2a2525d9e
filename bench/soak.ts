// Soak (not part of npm test): ringd supervising --processes processes and ringmaster over a real nats-server, under
// steady churn, for --duration seconds (bench/soak/run.ts), sampled every --sample seconds; then the verdict on the
// second half (bench/soak/verdict.ts): memory trend, fds, zombies. Exits 1 when a trend is found. --from judges a
// saved run again without running one.
//   node --import tsx bench/soak.ts [--duration 3600] [--sample 10] [--processes 200] [--out FILE.json]
//   node --import tsx bench/soak.ts --from FILE.json
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ChurnCounts } from './soak/churn.ts';
import { runSoak } from './soak/run.ts';
import { verdict, verdictTable, type Curve } from './soak/verdict.ts';

const DEFAULT_DURATION_S = 3600;
const DEFAULT_SAMPLE_S = 10;
const DEFAULT_PROCESSES = 200;

const { values } = parseArgs({ options: {
  duration: { type: 'string' }, sample: { type: 'string' }, processes: { type: 'string' }, out: { type: 'string' }, from: { type: 'string' },
} });
const opts = {
  durationS: Number(values.duration ?? DEFAULT_DURATION_S),
  sampleS: Number(values.sample ?? DEFAULT_SAMPLE_S),
  processes: Number(values.processes ?? DEFAULT_PROCESSES),
};
const saved = values.from ? JSON.parse(readFileSync(values.from, 'utf8')) as typeof opts & { churn: ChurnCounts; curve: Curve } : null;
const { curve, churn } = saved ?? await runSoak(opts);
const results = [verdict(curve, 'ringd'), verdict(curve, 'ringmaster')];
console.log(`\nchurn: ${JSON.stringify(churn)}\n`);
console.log(verdictTable(results));
if (values.out) writeFileSync(values.out, JSON.stringify({ ...(saved ?? opts), churn, results, curve }, null, 1));
process.exit(results.every((r) => r.flat) ? 0 : 1);
