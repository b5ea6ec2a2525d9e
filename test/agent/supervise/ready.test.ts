// Readiness checks (tcp, http, command) and send_hup reloads.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { runCheck } from '../../../agent/supervise/ready.ts';
import { startArbiter, type TestArbiter } from '../../support/arbiter.ts';
import { waitFor } from '../../support/wait.ts';

const servers: net.Server[] = [];
const open: TestArbiter[] = [];
after(async () => {
  servers.forEach((s) => s.close());
  await Promise.all(open.map((t) => t.close()));
});

async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

test('ready_check: tcp connects, http needs a status below 400, anything else is a command that must exit 0', async () => {
  const tcp = await listen(net.createServer((c) => c.end()));
  const closed = await listen(net.createServer());
  await new Promise((r) => servers.pop()!.close(r)); // a port nobody listens on any more
  assert.equal(await runCheck(`tcp://127.0.0.1:${tcp}`), true);
  assert.equal(await runCheck(`tcp://127.0.0.1:${closed}`), false);
  const web = await listen(http.createServer((req, res) => { res.statusCode = req.url === '/bad' ? 503 : 204; res.end(); }));
  assert.equal(await runCheck(`http://127.0.0.1:${web}/health`), true);
  assert.equal(await runCheck(`http://127.0.0.1:${web}/bad`), false);
  assert.equal(await runCheck('test 1 -eq 1'), true);
  assert.equal(await runCheck('exit 3'), false);
});

test('send_hup: reload sends SIGHUP to the processes instead of replacing them', async () => {
  const t = await startArbiter(`
[watchers.hup]
cmd = "sh -c 'trap \\"echo got-hup\\" HUP; echo up; while true; do sleep 0.05; done'"
send_hup = true
`);
  open.push(t);
  const w = t.arbiter.get('hup');
  await waitFor(() => w.slot(1)!.ring.lines().some((l) => l.line === 'up'), { what: 'shell up' });
  const [pid] = t.pids('hup');
  const info = await w.reload({ sequential: false });
  assert.deepEqual(info, { stopped: [], started: [], kept: [pid] });
  await waitFor(() => w.slot(1)!.ring.lines().some((l) => l.line === 'got-hup'), { what: 'the shell caught SIGHUP' });
  assert.deepEqual(t.pids('hup'), [pid]);
  assert.ok(t.events.some((e) => e.event === 'reload' && e.watcher === 'hup'));
});
