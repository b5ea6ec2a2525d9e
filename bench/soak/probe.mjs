// Preloaded into each soaked daemon (NODE_OPTIONS=--import, by bench/soak/heap.ts): on SIGWINCH, which neither ringd
// nor ringmaster uses, it writes the daemon's V8 heap figures to $RING_SOAK_PROBE/<pid>.json. When <pid>.gc exists
// there, it first runs a full collection, so the heap it reports is what is live: a leak shows there without noise.
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

const dir = process.env.RING_SOAK_PROBE;
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

if (dir) {
  process.on('SIGWINCH', () => {
    const ask = path.join(dir, `${process.pid}.gc`);
    const collected = fs.existsSync(ask);
    if (collected) {
      fs.rmSync(ask, { force: true });
      gc();
    }
    const heap = v8.getHeapStatistics();
    const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    const out = path.join(dir, `${process.pid}.json`);
    fs.writeFileSync(`${out}.tmp`, JSON.stringify({
      collected, used: heap.used_heap_size, committed: heap.total_heap_size, young: young?.space_size ?? 0, external: heap.external_memory,
    }));
    fs.renameSync(`${out}.tmp`, out);
  });
}
