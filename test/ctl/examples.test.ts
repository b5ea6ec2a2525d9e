// Every catalogue command's documented examples, run as written through ringctl (--json) against a real ringd: none is
// a usage error, each prints exactly one JSON document and nothing on stderr, and the exit code follows its status.
// (Human output is covered command by command in local.test.ts and operator.test.ts.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { commandEntries } from '../../ctl/program.ts';
import { startRingdControl, type RingdControl } from '../support/ringd-control.ts';

const RINGCTL = fileURLToPath(new URL('../../bin/ringctl.js', import.meta.url));
/** Not run: listen streams until interrupted (tested in operator.test.ts), quit ends the agent, hosts/rollout need a fleet. */
const SKIP = new Set(['listen', 'quit', 'hosts', 'rollout']);

/** Splits an example like a shell would (double and single quotes). */
function words(example: string): string[] {
  return [...example.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]).slice(1);
}

let r: RingdControl;
before(async () => {
  r = await startRingdControl('[watchers.web]\ncmd = "sleep 600"\nnumprocesses = 2\n\n[watchers.ingest]\ncmd = "sleep 600"\n');
});
after(async () => {
  await r?.stop();
});

test('every example of every command runs as written', { timeout: 600_000 }, () => {
  let ran = 0;
  for (const c of commandEntries()) {
    if (SKIP.has(c.name)) continue;
    for (const example of c.examples) {
      const args = ['--endpoint', r.endpoints.control, '--timeout', '30', ...words(example)];
      const env = { ...process.env, HOME: '/nonexistent', RING_NATS: '' };
      const json = spawnSync(process.execPath, [RINGCTL, '--json', ...args], { encoding: 'utf8', env });
      assert.notEqual(json.status, 2, `${example}: usage error: ${json.stdout}${json.stderr}`);
      const lines = json.stdout.trim().split('\n');
      assert.equal(lines.length, 1, `${example}: one JSON document, got ${json.stdout}`);
      const doc = JSON.parse(lines[0]) as { status: string };
      assert.equal(json.status, doc.status === 'error' ? 1 : 0, `${example}: exit code ${json.status} for ${lines[0]}`);
      assert.equal(json.stderr, '', `${example}: nothing on stderr with --json`);
      ran++;
    }
  }
  assert.ok(ran >= 40, `ran ${ran} examples`);
  const get = spawnSync(process.execPath, [RINGCTL, '--endpoint', r.endpoints.control, 'get', 'web', 'numprocesses'], { encoding: 'utf8' });
  assert.deepEqual([get.status, get.stdout], [0, 'numprocesses: 4\n'], 'the examples left web with 4 processes (set web numprocesses 4)');
});
