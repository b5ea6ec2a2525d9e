// ringctl against one real ringd (ZeroMQ): circusctl syntax, human and --json output, exit codes, idempotent start/stop.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRingdControl, type RingdControl } from '../support/ringd-control.ts';
import { freePort } from '../support/ports.ts';
import { ringctl } from '../support/ringctl.ts';


describe('ringctl, local mode', () => {
  let r: RingdControl;
  let e: string[];
  before(async () => {
    r = await startRingdControl('[watchers.web]\ncmd = "sleep 600"\nnumprocesses = 2\n\n[watchers.worker]\ncmd = "sleep 600"\n');
    e = ['--endpoint', r.endpoints.control];
  });
  after(async () => {
    await r?.stop();
  });

  it('reads: status, status NAME, list, numprocesses, options, get, as circusctl prints them', async () => {
    assert.deepEqual(await ringctl([...e, 'status']), { code: 0, stdout: 'web:     active\nworker:  active\n', stderr: '' });
    assert.deepEqual(await ringctl([...e, 'status', 'web']), { code: 0, stdout: 'active\n', stderr: '' });
    assert.equal((await ringctl([...e, 'list'])).stdout, 'web,worker\n');
    assert.equal((await ringctl([...e, 'numprocesses', 'web'])).stdout, '2\n');
    assert.match((await ringctl([...e, 'options', 'web'])).stdout, /^numprocesses: 2$/m);
    assert.equal((await ringctl([...e, 'get', 'web', 'numprocesses', 'respawn'])).stdout, 'numprocesses: 2\nrespawn: true\n');
  });

  it('writes with positional arguments and options: incr NAME NB --wait, set NAME KEY VALUE, signal NAME SIGNUM', async () => {
    const incr = await ringctl([...e, 'incr', 'web', '2', '--wait']);
    assert.deepEqual([incr.code, incr.stdout], [0, '4\n']);
    assert.equal((await ringctl([...e, 'set', 'web', 'numprocesses', '1', '--wait'])).code, 0);
    assert.equal((await r.pids('web')).length, 1);
    assert.equal((await ringctl([...e, 'signal', 'worker', 'CONT'])).code, 0);
  });

  it('--json prints one document, errors included; exit codes tell the class of failure', async () => {
    const ok = await ringctl([...e, '--json', 'numwatchers']);
    assert.equal(ok.code, 0);
    const doc = JSON.parse(ok.stdout) as { status: string; mode: string; reply: { numwatchers: number } };
    assert.deepEqual([doc.status, doc.mode, doc.reply.numwatchers], ['ok', 'local', 2]);
    const missing = await ringctl([...e, 'status', 'nope']);
    assert.deepEqual([missing.code, missing.stdout, missing.stderr], [1, '', 'ringctl: nope: not found; known watchers: web, worker\n']);
    const missingJson = await ringctl([...e, '--json', 'stop', 'nope']);
    assert.equal(missingJson.code, 1);
    assert.equal((JSON.parse(missingJson.stdout) as { status: string }).status, 'error');
    assert.equal(missingJson.stderr, '');
    const usage = await ringctl([...e, 'incr']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /incr: missing NAME/);
    assert.equal((await ringctl([...e, 'frobnicate'])).code, 2);
    assert.equal((await ringctl([...e, 'status', '--host', 'web-1'])).code, 2, 'selectors need fleet mode');
    const port = await freePort();
    const down = await ringctl(['--endpoint', `tcp://127.0.0.1:${port}`, '--json', 'status']);
    assert.equal(down.code, 5);
    assert.match((JSON.parse(down.stdout) as { error: { message: string } }).error.message, /connection refused\): is ringd running\?/);
  });

  it('start and stop are idempotent: changed false when nothing had to change', async () => {
    const first = JSON.parse((await ringctl([...e, '--json', 'stop', 'worker', '--wait'])).stdout) as { changed: boolean };
    assert.equal(first.changed, true);
    const again = await ringctl([...e, '--json', 'stop', 'worker']);
    assert.equal(again.code, 0);
    assert.equal((JSON.parse(again.stdout) as { changed: boolean }).changed, false);
    assert.equal((await ringctl([...e, 'stop', 'worker'])).stdout, 'worker: already stopped\n');
    assert.equal((JSON.parse((await ringctl([...e, '--json', 'start', 'worker', '--wait'])).stdout) as { changed: boolean }).changed, true);
    assert.equal((JSON.parse((await ringctl([...e, '--json', 'start', 'worker'])).stdout) as { changed: boolean }).changed, false);
  });

  it('CIRCUSCTL_ENDPOINT is honoured', async () => {
    assert.equal((await ringctl(['numwatchers'], { CIRCUSCTL_ENDPOINT: r.endpoints.control })).stdout, '2\n');
  });
});
