// The ringmaster Salt formula (deploy/salt): rendered for the example pillar (3 web hosts, 1 worker host), its
// structure checked, then applied to a scratch root against a real ringd, its exact commands run: a second run
// changes nothing, a stopped watcher is started again, a bad pillar changes nothing, a stray conf.d file goes.
import { after, before, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixture } from '../support/fixtures.ts';
import { freePort } from '../support/ports.ts';
import { ringctl } from '../support/ringctl.ts';
import { startRingd, type Ringd } from '../support/ringd.ts';
import { tmpDir } from '../support/tmp.ts';
import { applyStates, changedStates, failures, renderSalt, rendererProblem, requisites, type Applied, type Rendered, type SaltState } from './salt.ts';

const BIN = fileURLToPath(new URL('../../bin/', import.meta.url));
const WEB_HOSTS = ['web-1', 'web-2', 'web-3'];

const state = (r: Rendered, id: string): SaltState => {
  const s = r.states.find((x) => x.id === id);
  assert.ok(s, `state ${id} rendered (have: ${r.states.map((x) => x.id).join(', ')})`);
  return s;
};
const ids = (r: Rendered, prefix: string) => r.states.filter((s) => s.id.startsWith(prefix)).map((s) => s.id).sort();

describe('Salt formula: rendering', () => {
  before(() => assert.equal(rendererProblem(), undefined));

  it('every web host gets the web service, the worker host its three services and the controller', () => {
    for (const host of WEB_HOSTS) {
      const r = renderSalt(`${host}.par1.example`);
      assert.deepEqual(ids(r, 'ringmaster-conf-'), ['ringmaster-conf-dir', 'ringmaster-conf-web']);
      assert.deepEqual(ids(r, 'ringmaster-watcher-'), ['ringmaster-watcher-web']);
      assert.deepEqual(ids(r, 'ringmaster-controller-'), []);
      const main = state(r, 'ringmaster-ringd-toml').rendered ?? '';
      assert.match(main, new RegExp(`^id = "${host}"$`, 'm'), 'agent id = short minion id');
      assert.match(main, new RegExp(`^user = "${host}"$`, 'm'), 'NATS user = agent id (auth.conf)');
      assert.match(main, /^include = \["\/etc\/ringmaster\/conf\.d\/\*\.toml"\]$/m);
    }
    const w = renderSalt('worker-1.par1.example');
    assert.deepEqual(ids(w, 'ringmaster-conf-'), ['ringmaster-conf-dir', 'ringmaster-conf-ingest', 'ringmaster-conf-mailer', 'ringmaster-conf-reports']);
    assert.deepEqual(ids(w, 'ringmaster-watcher-'), ['ringmaster-watcher-ingest', 'ringmaster-watcher-mailer'], 'reports has autostart = false');
    assert.equal(state(w, 'ringmaster-controller-toml').args.check_cmd, 'ringmaster --check-config');
    assert.deepEqual(requisites(state(w, 'ringmaster-controller-service'), 'watch'), ['ringmaster-controller-toml', 'ringmaster-controller-env']);
  });

  it('checks every file before writing it, reloads only on changes, and starts watchers idempotently', () => {
    const r = renderSalt('worker-1');
    const conf = ids(r, 'ringmaster-conf-').filter((id) => id !== 'ringmaster-conf-dir');
    for (const id of ['ringmaster-ringd-toml', ...conf]) assert.equal(state(r, id).args.check_cmd, 'ringd --check-config', id);
    for (const id of conf) assert.deepEqual(requisites(state(r, id), 'require_in'), ['ringmaster-conf-dir'], `${id}: kept by the clean directory`);
    assert.equal(state(r, 'ringmaster-conf-dir').args.clean, true);
    for (const id of ['ringmaster-ringd-env', 'ringmaster-fleet-key', 'ringmaster-controller-env']) assert.equal(state(r, id).args.mode, '0600', id);
    const reload = state(r, 'ringmaster-reload');
    assert.equal(reload.args.name, 'ringctl --endpoint tcp://127.0.0.1:5555 --json reloadconfig --wait');
    assert.deepEqual(requisites(reload, 'onchanges').sort(), ['ringmaster-conf-dir', 'ringmaster-ringd-toml', ...conf].sort());
    for (const id of ids(r, 'ringmaster-watcher-')) {
      const name = id.slice('ringmaster-watcher-'.length);
      const s = state(r, id);
      assert.equal(s.args.name, `ringctl --endpoint tcp://127.0.0.1:5555 --json --timeout 120 start ${name} --wait`);
      assert.equal(s.args.unless, `ringctl --endpoint tcp://127.0.0.1:5555 check ${name}`);
      assert.equal(s.args.stateful, true);
      assert.deepEqual(requisites(s, 'require'), ['ringmaster-reload']);
    }
    assert.deepEqual(requisites(state(r, 'ringmaster-ringd-service'), 'require'), [
      'ringmaster-unit-ringd.service', 'ringmaster-daemon-reload', 'ringmaster-tmpfiles-create', 'ringmaster-ringd-toml', 'ringmaster-ringd-env', 'ringmaster-conf-dir',
    ]);
    assert.match(state(r, 'ringmaster-unit-ringd.service').args.source as string, /\/lib\/node_modules\/ringmaster\/deploy\/systemd\/ringd\.service$/);
    assert.deepEqual(requisites(state(r, 'ringmaster-daemon-reload'), 'onchanges'), ['ringmaster-unit-ringd.service', 'ringmaster-unit-ringmaster.service']);
  });

  it('ringd-web.sls, the one-service example, follows the same pattern', () => {
    const r = renderSalt('web-1', {}, 'ringd-web');
    const file = state(r, '/etc/ringmaster/conf.d/web.toml');
    assert.equal(file.args.check_cmd, 'ringd --check-config');
    assert.deepEqual(requisites(state(r, 'ringd-reload-config'), 'onchanges'), ['/etc/ringmaster/conf.d/web.toml']);
    const running = state(r, 'web-running');
    assert.equal(running.args.unless, 'ringctl --endpoint tcp://127.0.0.1:5555 check web');
    assert.equal(running.args.stateful, true);
  });
});

describe('Salt formula: applied against a real ringd', () => {
  const root = tmpDir('ring-salt');
  const bin = join(root, 'bin');
  let endpoint = '';
  let ringd: Ringd | undefined;
  const node = process.execPath;
  const sleeper = fixture('sleeper.mjs');
  const remap = (text: string) => text.replaceAll('/etc/ringmaster', `${root}/etc/ringmaster`).replaceAll('/var/log/ringmaster', `${root}/var/log/ringmaster`);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, HOME: '/nonexistent', RING_NATS: '', CIRCUSCTL_ENDPOINT: '' };
  // The test's stand-ins: ringd on a free port, no NATS, no multicast; the applications are fixtures.
  const pillar = (mailer: Record<string, unknown> = {}) => ({
    ringmaster: {
      agent: { config: { agent: { endpoint, pubsub_endpoint: 'tcp://127.0.0.1:0', stats_endpoint: 'tcp://127.0.0.1:0', state_dir: `${root}/run/ringd` }, nats: { servers: [] }, discovery: { enabled: false } } },
      services: {
        ingest: { watchers: { ingest: { cmd: `${node} ${sleeper}`, numprocesses: 2, stop_signal: 'TERM', graceful_timeout: '5s', hooks: { before_stop: 'true', after_start: { cmd: 'true' } } } } },
        mailer: { watchers: { mailer: { cmd: `${node} ${sleeper}`, ...mailer } } },
        reports: { watchers: { reports: { cmd: `${node} ${sleeper}` } } },
      },
    },
  });
  const envFile = (file: string) => Object.fromEntries(readFileSync(file, 'utf8').split('\n').filter((l) => /^\w+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  // service.running: the first run starts ringd the way ringd.service would (its env file, its config).
  const handlers = {
    'service.running': async (s: SaltState) => {
      if (s.args.name === 'ringd' && !ringd) {
        ringd = startRingd(remap('/etc/ringmaster/ringd.toml'), { env: envFile(remap('/etc/ringmaster/ringd.env')) });
        await ringd.waitForOutput(/ringd ready/, 60_000);
        return { result: true, changed: true, comment: 'started' };
      }
      return { result: true, changed: false, comment: 'running' };
    },
  };
  const apply = async (mailer?: Record<string, unknown>): Promise<Applied> =>
    applyStates(renderSalt('worker-1.par1.example', pillar(mailer)), { remap, env, handlers, assumeDone: ['ringmaster.install'] });
  const ctl = async (...args: string[]) => {
    const r = await ringctl(['--endpoint', endpoint, '--json', ...args]);
    return JSON.parse(r.stdout) as { status: string; reply: Record<string, unknown> };
  };
  const ran = (a: Applied, word: string) => a.commands.filter((c) => c.includes(` ${word} `) || c.endsWith(` ${word}`));

  before(async () => {
    assert.equal(rendererProblem(), undefined);
    endpoint = `tcp://127.0.0.1:${await freePort()}`;
    mkdirSync(bin);
    for (const name of ['ringd', 'ringctl', 'ringmaster']) symlinkSync(join(BIN, `${name}.js`), join(bin, name));
  });

  after(async () => {
    await ringd?.stop('SIGTERM', 20_000);
  });

  it('the first run writes every file, starts ringd and the watchers; the second changes nothing', async () => {
    const first = await apply();
    assert.deepEqual(failures(first), []);
    for (const id of ['ringmaster-ringd-toml', 'ringmaster-ringd-env', 'ringmaster-fleet-key', 'ringmaster-conf-ingest', 'ringmaster-conf-mailer', 'ringmaster-conf-reports', 'ringmaster-controller-toml', 'ringmaster-reload']) {
      assert.ok(first.results.get(id)?.changed, `${id} changed on the first run`);
    }
    assert.equal(ran(first, '--check-config').length, 5, 'ringd --check-config on ringd.toml and 3 services, ringmaster --check-config on its file');
    const status = await ctl('status');
    assert.deepEqual(status.reply.statuses, { ingest: 'active', mailer: 'active', reports: 'stopped' });

    const second = await apply();
    assert.deepEqual(failures(second), []);
    assert.deepEqual(changedStates(second), []);
    assert.deepEqual(second.commands.filter((c) => !c.includes(' check ')), [], 'only the `unless` checks ran');
  });

  it('a watcher stopped by hand is started again by `ringctl --json start … --wait`, once', async () => {
    assert.equal((await ctl('stop', 'mailer', '--wait')).status, 'ok');
    const run = await apply();
    assert.deepEqual(failures(run), []);
    assert.deepEqual(changedStates(run), ['ringmaster-watcher-mailer']);
    assert.equal((await ctl('status', 'mailer')).reply.status, 'active');
    assert.deepEqual(changedStates(await apply()), []);
  });

  it('a pillar change rewrites one file and reloads; a bad pillar is refused by check_cmd and changes nothing', async () => {
    const grown = await apply({ numprocesses: 3 });
    assert.deepEqual(failures(grown), []);
    assert.deepEqual(changedStates(grown), ['ringmaster-conf-mailer', 'ringmaster-reload']);
    assert.equal((await ctl('numprocesses', 'mailer')).reply.numprocesses, 3);
    const before = readFileSync(remap('/etc/ringmaster/conf.d/mailer.toml'), 'utf8');

    const bad = await apply({ numprocesses: 3, graceful_timeout: 'forever' });
    assert.match(bad.results.get('ringmaster-conf-mailer')?.comment ?? '', /check_cmd failed: .*graceful_timeout/s);
    assert.equal(bad.results.get('ringmaster-reload')?.result, false, 'no reload after a refused file');
    assert.equal(readFileSync(remap('/etc/ringmaster/conf.d/mailer.toml'), 'utf8'), before, 'the file on disk is kept');
    assert.equal((await ctl('numprocesses', 'mailer')).reply.numprocesses, 3, 'ringd keeps running what it had');
  });

  it('a conf.d file no pillar service owns is removed, and its watcher with the reload', async () => {
    writeFileSync(remap('/etc/ringmaster/conf.d/old.toml'), `[watchers.old]\ncmd = "${node} ${sleeper}"\n`);
    assert.equal((await ctl('reloadconfig', '--wait')).status, 'ok');
    assert.equal((await ctl('status', 'old')).reply.status, 'active');
    const run = await apply({ numprocesses: 3 });
    assert.deepEqual(failures(run), []);
    assert.deepEqual(changedStates(run), ['ringmaster-conf-dir', 'ringmaster-reload']);
    assert.equal((await ctl('status', 'old')).status, 'error', 'the watcher is gone');
    assert.deepEqual(changedStates(await apply({ numprocesses: 3 })), []);
  });
});

describe('Salt formula: the example pillar as rendered', () => {
  const check = (program: string, file: string) => spawnSync(process.execPath, [join(BIN, `${program}.js`), '--check-config', file], { encoding: 'utf8' });

  it('passes ringd --check-config and ringmaster --check-config for a web host and the worker host', () => {
    for (const host of ['web-1', 'worker-1']) {
      const root = tmpDir(`ring-salt-${host}`);
      const r = renderSalt(host);
      const remap = (t: string) => t.replaceAll('/etc/ringmaster', `${root}/etc/ringmaster`);
      for (const s of r.states.filter((x) => x.rendered && String(x.args.name).endsWith('.toml'))) {
        const file = remap(String(s.args.name));
        mkdirSync(join(file, '..'), { recursive: true });
        writeFileSync(file, remap(s.rendered ?? ''));
      }
      const ringd = check('ringd', remap('/etc/ringmaster/ringd.toml'));
      assert.equal(ringd.status, 0, `${host}: ${ringd.stdout}${ringd.stderr}`);
      assert.match(ringd.stdout, host === 'web-1' ? /: ok \(1 watcher\(s\), 2 file\(s\)\)/ : /: ok \(3 watcher\(s\), 4 file\(s\)\)/);
      if (host === 'worker-1') {
        const ctl = check('ringmaster', remap('/etc/ringmaster/ringmaster.toml'));
        assert.equal(ctl.status, 0, `${ctl.stdout}${ctl.stderr}`);
      }
    }
  });
});
