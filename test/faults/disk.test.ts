// Disk full and an unwritable log folder (a 64 KiB tmpfs and a read-only one, in ringd's own mount namespace): output
// handling degrades with an `output_error` event (once per episode, not in a loop) and a log line, while supervision
// goes on: processes are replaced after kill -9, commands answer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statfsSync } from 'node:fs';
import { pidAlive } from '../support/proc.ts';
import { waitFor } from '../support/wait.ts';
import { ControlClient, EventCollector } from '../support/zmq.ts';
import { mountNsAvailable, startRingdInMountNs, type NsRingd } from './lib/mountns.ts';

const avail = mountNsAvailable();
const skip = avail.ok ? false : avail.reason;
/** Output errors a sink may report over the watch window: one per episode, never a loop. */
const MAX_ERROR_EVENTS = 3;
const WATCH_MS = 3000;

describe('disk full and unwritable output', { skip }, () => {
  let r: NsRingd;
  let ctl: ControlClient;
  let events: EventCollector;
  before(async () => {
    r = await startRingdInMountNs(`
[watchers.noisy]
cmd = "sh -c 'while :; do echo 0123456789abcdef0123456789abcdef0123456789abcdef; done'"
stdout_stream = { class = "FileStream", filename = "{dir}/full/noisy.log" }

[watchers.readonly]
cmd = "sh -c 'while :; do echo hello; sleep 0.2; done'"
stdout_stream = { class = "FileStream", filename = "{dir}/ro/readonly.log" }
`, [{ name: 'full', options: 'size=64k' }, { name: 'ro', options: 'ro,size=64k' }]);
    ctl = new ControlClient(r.endpoints.control);
    events = await EventCollector.subscribe(r.endpoints.events, ['watcher.'], { timeoutMs: 30_000 });
  });
  after(async () => {
    ctl?.close();
    events?.close();
    await r?.stop();
  });

  const errorsOf = (w: string) => events.messages.filter((m) => m.topic === `watcher.${w}.output_error`);

  it('a full disk and a read-only folder each give an output_error event and a log line, once, not in a loop', async () => {
    assert.equal(statfsSync(r.inside(`${r.dir}/full`)).bavail, 0, 'the tmpfs is full'); // read through ringd's root
    // Both sinks may fail before this subscription (the read-only one at start; the full one as soon as noisy fills the
    // disk, which on a fast machine beats the subscription): a new sink (set) makes a new episode to see.
    for (const [w, folder] of [['noisy', 'full'], ['readonly', 'ro']]) {
      await waitFor(() => new RegExp(`error\\s+${w}: output: `).test(r.output()), { what: `${w}'s output error logged`, timeoutMs: 30_000 });
      assert.equal((await ctl.call('set', { name: w, options: { 'stdout_stream.filename': `${r.dir}/${folder}/other.log` }, waiting: true })).status, 'ok');
    }
    // The old sink, closed by set, may first report the lines it could not write: wait for the new sink's own error.
    const reasons = (w: string) => errorsOf(w).map((m) => String(m.payload.reason));
    for (const [w, cause] of [['noisy', /ENOSPC|no space/i], ['readonly', /EROFS|read-only/i]] as const) {
      await waitFor(() => reasons(w).some((r) => cause.test(r)), { what: `an output_error event of ${w} matching ${cause}`, timeoutMs: 30_000 });
    }
    await new Promise((res) => setTimeout(res, WATCH_MS));
    for (const w of ['noisy', 'readonly']) assert.ok(errorsOf(w).length <= MAX_ERROR_EVENTS, `${w}: ${errorsOf(w).length} output_error events: a loop`);
  });

  it('supervision goes on: a killed writer is replaced and every command answers', async () => {
    const [pid] = (await ctl.call('list', { name: 'noisy' })).pids as number[];
    process.kill(pid, 'SIGKILL');
    const next = await waitFor(async () => {
      const pids = (await ctl.call('list', { name: 'noisy' })).pids as number[];
      return pids.length === 1 && pids[0] !== pid && pidAlive(pids[0]) && pids[0];
    }, { what: 'noisy replaced after kill -9', timeoutMs: 30_000 });
    assert.ok(next);
    assert.deepEqual((await ctl.call('status')).statuses, { noisy: 'active', readonly: 'active' });
    assert.equal(r.child.exitCode, null);
  });
});
