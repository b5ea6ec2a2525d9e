// deploy/systemd: the units pass `systemd-analyze verify` (offline, in a scratch root), keep the settings a
// supervisor needs, the tmpfiles layout is created by systemd-tmpfiles, and ringd speaks sd_notify (Type=notify).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unixSockaddr } from '../../agent/sockets/addr.ts';
import { sysBind, sysRecvNoWait, sysSocket } from '../../agent/supervise/native.ts';
import { agentSection, startRingd } from '../support/ringd.ts';
import { tmpDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

const UNITS = new URL('../../deploy/systemd/', import.meta.url);
const unitText = (name: string) => readFileSync(new URL(name, UNITS), 'utf8');

/** The [Service] (or other section) settings of a unit: key → every value, in order. */
function section(text: string, name: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('[')) current = line.slice(1, -1);
    else if (current === name) {
      const at = line.indexOf('=');
      out.set(line.slice(0, at), [...(out.get(line.slice(0, at)) ?? []), line.slice(at + 1)]);
    }
  }
  return out;
}

/** A root holding systemd's own units, executables where the units expect them, and `units`. */
function scratchRoot(units: Record<string, string>): string {
  const root = tmpDir('ring-systemd');
  cpSync('/usr/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true });
  mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
  for (const [name, text] of Object.entries(units)) writeFileSync(join(root, 'etc/systemd/system', name), text);
  for (const exe of ['usr/local/bin/ringd', 'usr/local/bin/ringmaster', 'bin/kill']) {
    mkdirSync(join(root, exe, '..'), { recursive: true });
    writeFileSync(join(root, exe), '#!/bin/sh\n');
    chmodSync(join(root, exe), 0o755);
  }
  for (const f of ['passwd', 'group']) copyFileSync(`/etc/${f}`, join(root, 'etc', f));
  return root;
}

function verify(units: Record<string, string>) {
  const root = scratchRoot(units);
  return spawnSync('systemd-analyze', ['verify', `--root=${root}`, ...Object.keys(units)], { encoding: 'utf8' });
}

/** systemd time spans as used here ("15min", "30s", "2s") in seconds. */
function seconds(span: string): number {
  const m = /^(\d+)(s|min|h)$/.exec(span);
  assert.ok(m, `time span ${span}`);
  return Number(m[1]) * { s: 1, min: 60, h: 3600 }[m[2] as 's' | 'min' | 'h'];
}

describe('systemd units', () => {
  const units = { 'ringd.service': unitText('ringd.service'), 'ringmaster.service': unitText('ringmaster.service') };

  it('pass systemd-analyze verify with no warning (and a broken unit does not)', () => {
    const ok = verify(units);
    assert.equal(ok.error, undefined, 'systemd-analyze is installed (Debian package systemd)');
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stderr.trim(), '', 'no warning');
    const broken = verify({ 'ringd.service': units['ringd.service'].replace(/^KillMode=mixed$/m, 'KillMode=mixd') });
    assert.match(broken.stderr, /ringd\.service:\d+: .*mixd/, 'verify reports a bad value, so the check above means something');
  });

  it('ringd.service: notify, reload by SIGHUP after a check, long graceful stops, restarts, and no hardening that breaks supervision', () => {
    const s = section(units['ringd.service'], 'Service');
    const one = (k: string) => s.get(k)?.join(' | ');
    assert.equal(one('Type'), 'notify');
    assert.equal(one('NotifyAccess'), 'main');
    assert.equal(one('ExecStart'), '/usr/local/bin/ringd --config /etc/ringmaster/ringd.toml');
    assert.deepEqual(s.get('ExecReload'), ['/usr/local/bin/ringd --check-config /etc/ringmaster/ringd.toml', '/bin/kill -HUP $MAINPID']);
    assert.equal(one('KillMode'), 'mixed', 'SIGTERM to ringd alone; it stops its watchers in order');
    assert.ok(seconds(one('TimeoutStopSec') ?? '') >= 11 * 60, 'a 10-minute drain fits in the stop timeout');
    assert.equal(one('Restart'), 'on-failure');
    assert.equal(one('OOMPolicy'), 'continue', 'an OOM-killed worker does not stop the unit');
    assert.equal(one('EnvironmentFile'), '-/etc/ringmaster/ringd.env');
    assert.equal(one('RuntimeDirectory'), 'ringd');
    assert.equal(one('RuntimeDirectoryPreserve'), 'yes', 'the state file survives a restart');
    for (const k of ['User', 'DynamicUser', 'NoNewPrivileges', 'CapabilityBoundingSet', 'ProtectSystem', 'ProtectHome', 'PrivateTmp', 'PrivateDevices',
      'ProtectClock', 'RestrictAddressFamilies', 'SystemCallFilter', 'SystemCallArchitectures', 'MemoryDenyWriteExecute', 'RestrictRealtime']) {
      assert.equal(s.get(k), undefined, `${k} would reach the watchers`);
    }
    assert.equal(section(units['ringd.service'], 'Install').get('WantedBy')?.[0], 'multi-user.target');
  });

  it('ringmaster.service: locked down, no reload (SIGHUP would end it), the fleet key as a credential the example pillar uses', () => {
    const s = section(units['ringmaster.service'], 'Service');
    assert.equal(s.get('ExecStart')?.[0], '/usr/local/bin/ringmaster --config /etc/ringmaster/ringmaster.toml');
    assert.equal(s.get('ExecReload'), undefined);
    assert.equal(s.get('DynamicUser')?.[0], 'yes');
    assert.equal(s.get('StateDirectory')?.[0], 'ringmaster');
    const [credential, source] = (s.get('LoadCredential')?.[0] ?? '').split(':');
    assert.equal(source, '/etc/ringmaster/fleet.key');
    const pillar = readFileSync(new URL('../../deploy/salt/pillar/ringmaster/controller.sls', import.meta.url), 'utf8');
    assert.ok(pillar.includes(`key_file: /run/credentials/ringmaster.service/${credential}`), 'the controller reads the credential systemd hands it');
    assert.match(pillar, /audit_file: \/var\/lib\/ringmaster\//, 'the audit trail lives in the StateDirectory');
  });

  it('the tmpfiles layout is created by systemd-tmpfiles', () => {
    const root = scratchRoot({});
    const r = spawnSync('systemd-tmpfiles', ['--create', `--root=${root}`, new URL('ringmaster.tmpfiles', UNITS).pathname], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const mode = (p: string) => (statSync(join(root, p)).mode & 0o777).toString(8);
    assert.equal(mode('etc/ringmaster/conf.d'), '755');
    assert.equal(mode('run/ringd'), '700');
    assert.equal(mode('var/log/ringmaster'), '750');
  });
});

describe('ringd under Type=notify', () => {
  it('sends READY=1 once its watchers started and STOPPING=1 when stopping; watchers never inherit NOTIFY_SOCKET', async () => {
    const dir = tmpDir('ring-notify');
    const socket = join(dir, 'notify.sock');
    const fd = sysSocket(1 /* AF_UNIX */, 2 /* SOCK_DGRAM */ | 0o4000 /* SOCK_NONBLOCK */);
    assert.ok(fd >= 0 && sysBind(fd, unixSockaddr(socket)!) === 0, 'a datagram socket playing systemd');
    const received: string[] = [];
    const receive = () => {
      const buf = Buffer.alloc(4096);
      for (let n = sysRecvNoWait(fd, buf); n > 0; n = sysRecvNoWait(fd, buf)) received.push(buf.toString('utf8', 0, n));
      return received;
    };
    writeFileSync(join(dir, 'ringd.toml'), `${agentSection(dir)}

[watchers.env]
cmd = "/bin/sh -c 'echo \\"notify=\${NOTIFY_SOCKET:-unset}\\"; exec sleep 600'"
copy_env = true
`);
    const ringd = startRingd(join(dir, 'ringd.toml'), { env: { NOTIFY_SOCKET: socket } });
    try {
      await ringd.waitForOutput(/ringd ready/, 60_000);
      await waitFor(() => receive().length >= 1, { what: 'READY=1', timeoutMs: 10_000 });
      assert.deepEqual(received[0].split('\n'), ['READY=1', 'STATUS=1 watcher(s) started']);
      await ringd.waitForOutput(/notify=\S+/);
      assert.match(ringd.output(), /notify=unset/, 'the watcher did not inherit NOTIFY_SOCKET');
      assert.equal(await ringd.stop('SIGTERM'), 0);
      await waitFor(() => receive().length >= 2, { what: 'STOPPING=1', timeoutMs: 10_000 });
      assert.equal(received[1], 'STOPPING=1');
    } finally {
      await ringd.stop('SIGKILL');
      unlinkSync(socket);
    }
  });
});
