import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as D from '../../../agent/defaults.ts';
import { describeOptions, loadConfig, WATCHER_OPTIONS, type WatcherConfig } from '../../../agent/config/index.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Write `files` (relative path → content) into a fresh temp folder; returns the folder. */
function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-config-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

test('a minimal config gets every default', async () => {
  const dir = tree({ 'ringd.toml': '[watchers.web]\ncmd = "node server.js"\n' });
  const file = path.join(dir, 'ringd.toml');
  const config = await loadConfig(file);
  assert.equal(config.file, file);
  assert.deepEqual(config.files, [file]);
  assert.deepEqual(config.env, {});
  const uid = process.getuid?.();
  assert.deepEqual(config.agent, {
    state_dir: uid === 0 ? D.DEFAULT_STATE_DIR_ROOT : path.join(os.tmpdir(), `ringd-${uid}`),
    warmup_delay: D.DEFAULT_AGENT_WARMUP_DELAY_MS,
    check_interval: D.DEFAULT_CHECK_INTERVAL_MS,
    loglevel: 'info',
    endpoint: D.DEFAULT_ENDPOINT,
    pubsub_endpoint: D.DEFAULT_PUBSUB_ENDPOINT,
    stats_endpoint: D.DEFAULT_STATS_ENDPOINT,
    stats_interval: D.DEFAULT_STATS_INTERVAL_MS,
    max_request_bytes: D.DEFAULT_MAX_REQUEST_BYTES,
    allow_remote_add: D.DEFAULT_ALLOW_REMOTE_ADD,
    labels: {},
  });
  assert.deepEqual(config.discovery, {
    enabled: true,
    group: D.DEFAULT_DISCOVERY_GROUP,
    port: D.DEFAULT_DISCOVERY_PORT,
    ttl: D.DEFAULT_DISCOVERY_TTL,
    announce_interval: D.DEFAULT_ANNOUNCE_INTERVAL_MS,
    max_clock_skew: D.DEFAULT_MAX_CLOCK_SKEW_MS,
    answer_circus_probe: true,
  });
  const expected: WatcherConfig = {
    name: 'web',
    file,
    cmd: 'node server.js',
    args: [],
    shell: false,
    shell_args: [],
    env: {},
    copy_env: false,
    numprocesses: 1,
    warmup_delay: 0,
    autostart: true,
    respawn: true,
    singleton: false,
    priority: 0,
    stop_signal: 15,
    stop_children: false,
    send_hup: false,
    use_sockets: false,
    on_demand: false,
    ready_delay: 0,
    ready_notify: 'none',
    ready_timeout: 30_000,
    graceful_timeout: 30_000,
    max_retry: 5,
    max_age: 0,
    max_age_variance: 30_000,
    rlimits: {},
    close_child_stdin: true,
    close_child_stdout: false,
    close_child_stderr: false,
    depends_on: [],
    backoff_base: 250,
    backoff_max: 30_000,
    backoff_reset_after: 10_000,
    backoff_jitter: 0.2,
    hooks: {},
    output_lines: 1000,
  };
  assert.deepEqual(config.watchers, [expected]);
  // The same defaults, by their named constants.
  const w = config.watchers[0];
  assert.equal(w.numprocesses, D.DEFAULT_NUMPROCESSES);
  assert.equal(w.warmup_delay, D.DEFAULT_WARMUP_DELAY_MS);
  assert.equal(w.priority, D.DEFAULT_PRIORITY);
  assert.equal(w.stop_signal, D.DEFAULT_STOP_SIGNAL);
  assert.equal(w.graceful_timeout, D.DEFAULT_GRACEFUL_TIMEOUT_MS);
  assert.equal(w.max_retry, D.DEFAULT_MAX_RETRY);
  assert.equal(w.max_age, D.DEFAULT_MAX_AGE_MS);
  assert.equal(w.max_age_variance, D.DEFAULT_MAX_AGE_VARIANCE_MS);
  assert.equal(w.backoff_base, D.DEFAULT_BACKOFF_BASE_MS);
  assert.equal(w.backoff_max, D.DEFAULT_BACKOFF_MAX_MS);
  assert.equal(w.backoff_reset_after, D.DEFAULT_BACKOFF_RESET_AFTER_MS);
  assert.equal(w.backoff_jitter, D.DEFAULT_BACKOFF_JITTER);
  assert.equal(w.output_lines, D.DEFAULT_OUTPUT_RING_LINES);
});

test('an empty file is a valid config with no watchers', async () => {
  const dir = tree({ 'ringd.toml': '' });
  const config = await loadConfig(path.join(dir, 'ringd.toml'));
  assert.deepEqual(config.watchers, []);
  assert.equal(config.agent.loglevel, 'info');
});

test('default arrays are not shared between watchers', async () => {
  const dir = tree({ 'ringd.toml': '[watchers.a]\ncmd = "a"\n[watchers.b]\ncmd = "b"\n' });
  const [a, b] = (await loadConfig(path.join(dir, 'ringd.toml'))).watchers;
  a.args.push('x');
  assert.deepEqual(b.args, []);
});

test('every option is read, in every accepted form', async () => {
  const dir = tree({
    'etc/ringd.toml': `
[agent]
id = "web-1"
state_dir = "state"
warmup_delay = "1s"
check_interval = 0.5
loglevel = "WARNING"
labels = { role = "web", "dc.zone" = "par1-b" }

[discovery]
enabled = false
group = "239.1.2.3"
port = 4242
interface = "eth1"
ttl = 4
announce_interval = "500ms"
key_file = "fleet.key"
max_clock_skew = "1m"
answer_circus_probe = false

[env]
GLOBAL = "g"
NUM = 3
FLAG = true

[watchers.web]
cmd = "node server.js --port $(circus.env.PORT)"
args = "--name 'my app' $(circus.wid)"
shell = true
shell_args = ["-x", "$(ring.env.GLOBAL)"]
executable = "/usr/bin/node"
working_dir = "../app"
uid = "root"
copy_env = true
numprocesses = 0
warmup_delay = 0.25
autostart = false
respawn = false
singleton = true
priority = -3
stop_signal = "none"
stop_children = true
graceful_timeout = "1m30s"
max_retry = -1
max_age = "2h"
max_age_variance = 10
rlimit_nofile = 4096
rlimit_core = "unlimited"
rlimit_as = ""
close_child_stdin = false
close_child_stdout = true
close_child_stderr = true
backoff_base = "100ms"
backoff_max = "1m"
backoff_reset_after = "1d"
backoff_jitter = 0
output_lines = 0

[watchers.web.env]
PORT = 8080
GLOBAL = "own"

[watchers.web.hooks]
before_stop = "redis-cli -p 6379 set stop:ingest 1"
after_start = { cmd = "curl localhost:$(circus.env.PORT)", timeout = "10s", ignore_failure = true }

[watchers.web.stdout_stream]
filename = "logs/web.out"
max_bytes = 1048576
backup_count = 5
time_format = "%Y-%m-%d %H:%M:%S"

[watchers.web.stderr_stream]
class = "timedrotatingfilestream"
filename = "/var/log/web.err"
rotate_when = "midnight"
rotate_interval = 2
utc = true
`,
  });
  const config = await loadConfig(path.join(dir, 'etc/ringd.toml'));
  assert.deepEqual(config.agent, {
    id: 'web-1', state_dir: path.join(dir, 'etc/state'), warmup_delay: 1000, check_interval: 500, loglevel: 'warning',
    endpoint: 'tcp://127.0.0.1:5555', pubsub_endpoint: 'tcp://127.0.0.1:5556', stats_endpoint: 'tcp://127.0.0.1:5557',
    stats_interval: 1000, max_request_bytes: 1048576, allow_remote_add: false, labels: { role: 'web', 'dc.zone': 'par1-b' },
  });
  assert.deepEqual(config.discovery, {
    enabled: false, group: '239.1.2.3', port: 4242, interface: 'eth1', ttl: 4, announce_interval: 500,
    key_file: path.join(dir, 'etc/fleet.key'), max_clock_skew: 60_000, answer_circus_probe: false,
  });
  assert.deepEqual(config.env, { GLOBAL: 'g', NUM: '3', FLAG: 'true' });
  const w = config.watchers[0];
  assert.equal(w.cmd, 'node server.js --port 8080');
  assert.deepEqual(w.args, ['--name', 'my app', '$(circus.wid)']);
  assert.equal(w.shell, true);
  assert.deepEqual(w.shell_args, ['-x', 'own']);
  assert.equal(w.executable, '/usr/bin/node');
  assert.equal(w.working_dir, path.join(dir, 'app'));
  assert.equal(w.uid, 0);
  assert.equal(w.gid, 0, 'gid defaults to the primary group of uid');
  assert.deepEqual(w.env, { GLOBAL: 'own', NUM: '3', FLAG: 'true', PORT: '8080' });
  assert.equal(w.copy_env, true);
  assert.equal(w.numprocesses, 0);
  assert.equal(w.warmup_delay, 250);
  assert.equal(w.autostart, false);
  assert.equal(w.respawn, false);
  assert.equal(w.singleton, true);
  assert.equal(w.priority, -3);
  assert.equal(w.stop_signal, 0);
  assert.equal(w.stop_children, true);
  assert.equal(w.graceful_timeout, 90_000);
  assert.equal(w.max_retry, -1);
  assert.equal(w.max_age, 7_200_000);
  assert.equal(w.max_age_variance, 10_000);
  assert.deepEqual(w.rlimits, { nofile: 4096, core: null, as: null });
  assert.equal(w.close_child_stdin, false);
  assert.equal(w.close_child_stdout, true);
  assert.equal(w.close_child_stderr, true);
  assert.equal(w.backoff_base, 100);
  assert.equal(w.backoff_max, 60_000);
  assert.equal(w.backoff_reset_after, 86_400_000);
  assert.equal(w.backoff_jitter, 0);
  assert.equal(w.output_lines, 0);
  assert.deepEqual(w.hooks, {
    before_stop: { cmd: 'redis-cli -p 6379 set stop:ingest 1', timeout: D.DEFAULT_HOOK_TIMEOUT_MS, ignore_failure: false },
    after_start: { cmd: 'curl localhost:8080', timeout: 10_000, ignore_failure: true },
  });
  assert.deepEqual(w.stdout_stream, {
    class: 'FileStream',
    filename: path.join(dir, 'etc/logs/web.out'),
    max_bytes: 1_048_576,
    backup_count: 5,
    time_format: '%Y-%m-%d %H:%M:%S',
    rotate_interval: D.DEFAULT_ROTATE_INTERVAL,
    utc: false,
  });
  assert.deepEqual(w.stderr_stream, {
    class: 'TimedRotatingFileStream',
    filename: '/var/log/web.err',
    max_bytes: D.DEFAULT_MAX_BYTES,
    backup_count: D.DEFAULT_BACKUP_COUNT,
    rotate_when: 'MIDNIGHT',
    rotate_interval: 2,
    utc: true,
  });
});

test('uid and gid by number, gid by name; explicit gid wins', async () => {
  const dir = tree({ 'ringd.toml': '[watchers.a]\ncmd = "a"\nuid = 0\ngid = "root"\n[watchers.b]\ncmd = "b"\nuid = "0"\ngid = 7\n' });
  const [a, b] = (await loadConfig(path.join(dir, 'ringd.toml'))).watchers;
  assert.equal(a.uid, 0);
  assert.equal(a.gid, 0);
  assert.equal(b.uid, 0);
  assert.equal(b.gid, 7);
});

test('env: $UPPER expansion from process.env, $(circus.env.X) from [env], then the watcher env, then process.env', async () => {
  process.env.RING_TEST_VAR = 'from-process';
  const dir = tree({
    'ringd.toml': `
[env]
PATH = "$PATH:/opt/bin"
BASE = "/srv"
KEEP = "$lower and $NOT_SET_ANYWHERE_XYZ"
FROM_PROC = "$(circus.env.RING_TEST_VAR)"
[sockets.web]
port = 0
[watchers.w]
cmd = "run $(circus.env.BASE) $(circus.env.OWN) $(ring.env.RING_TEST_VAR) $(circus.env.NOT_SET_ANYWHERE_XYZ) $(circus.wid) ((circus.sockets.web))"
working_dir = "$(circus.env.BASE)/app"
hooks.before_start = "mkdir -p $(circus.env.DATA)"
stdout_stream.filename = "$(circus.env.BASE)/log/$(circus.env.OWN).out"
[watchers.w.env]
OWN = "own"
DATA = "$(circus.env.BASE)/data"
HOMEDIR = "\${RING_TEST_VAR}"
`,
  });
  const config = await loadConfig(path.join(dir, 'ringd.toml'));
  assert.equal(config.env.PATH, `${process.env.PATH}:/opt/bin`);
  assert.equal(config.env.KEEP, '$lower and $NOT_SET_ANYWHERE_XYZ');
  assert.equal(config.env.FROM_PROC, 'from-process');
  const w = config.watchers[0];
  assert.equal(w.cmd, 'run /srv own from-process $(circus.env.NOT_SET_ANYWHERE_XYZ) $(circus.wid) ((circus.sockets.web))');
  assert.equal(w.working_dir, '/srv/app');
  assert.equal(w.hooks.before_start?.cmd, 'mkdir -p /srv/data');
  assert.equal(w.stdout_stream?.filename, '/srv/log/own.out');
  assert.equal(w.env.DATA, '/srv/data');
  assert.equal(w.env.HOMEDIR, 'from-process');
  assert.equal(w.env.PATH, config.env.PATH);
});

test('Config.watchers is in start order: dependencies first, then priority, then name', async () => {
  const dir = tree({
    'ringd.toml': `
[watchers.web]
cmd = "web"
priority = 10
depends_on = ["db", "cache"]
[watchers.db]
cmd = "db"
[watchers.cache]
cmd = "cache"
priority = 1
[watchers.zeta]
cmd = "z"
priority = 5
[watchers.alpha]
cmd = "a"
priority = 5
[watchers.worker]
cmd = "w"
priority = 100
depends_on = ["web"]
`,
  });
  const config = await loadConfig(path.join(dir, 'ringd.toml'));
  assert.deepEqual(config.watchers.map((w) => w.name), ['alpha', 'zeta', 'cache', 'db', 'web', 'worker']);
});

test('describeOptions lists every watcher option with its default and a description', () => {
  const rows = describeOptions();
  const watcher = rows.filter((r) => r.section === 'watcher');
  for (const o of WATCHER_OPTIONS) assert.ok(watcher.some((r) => r.key === o.key), o.key);
  for (const key of ['env', 'hooks', 'stdout_stream', 'stderr_stream', 'rlimit_<name>']) assert.ok(watcher.some((r) => r.key === key), key);
  for (const r of rows) assert.ok(r.description.length > 0, `${r.section}.${r.key} has a description`);
  const get = (section: string, key: string) => rows.find((r) => r.section === section && r.key === key)?.default;
  assert.equal(get('watcher', 'graceful_timeout'), '30s');
  assert.equal(get('watcher', 'stop_signal'), 'SIGTERM');
  assert.equal(get('watcher', 'numprocesses'), '1');
  assert.equal(get('watcher', 'cmd'), 'required');
  assert.equal(get('watcher', 'backoff_base'), '250ms');
  assert.equal(get('hook', 'timeout'), '30s');
  assert.equal(get('agent', 'loglevel'), '"info"');
  assert.equal(get('stream', 'class'), '"FileStream" when filename is given');
});
