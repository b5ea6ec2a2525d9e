import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, formatIssue } from '../../../protocol/errors.ts';
import { checkConfig, loadConfig } from '../../../agent/config/index.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Write ringd.toml (and `more` files) into a temp folder, load "ringd.toml" from there, return the issue lines. */
async function problems(main: string, more: Record<string, string> = {}): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-config-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries({ 'ringd.toml': main, ...more })) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    await loadConfig('ringd.toml');
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.equal(err.message, err.issues.map(formatIssue).join('\n'));
    return err.issues.map(formatIssue);
  } finally {
    process.chdir(cwd);
  }
  assert.fail('loadConfig should have thrown');
}

/** A watcher table with `lines` added to a valid cmd. */
const watcher = (lines: string): string => `[watchers.web]\ncmd = "x"\n${lines}\n`;

/** Assert that loading yields exactly this one issue. */
async function onlyIssue(main: string, expected: string | RegExp): Promise<void> {
  const found = await problems(main);
  if (typeof expected === 'string') assert.deepEqual(found, [expected]);
  else assert.ok(found.length === 1 && expected.test(found[0]), `expected one issue matching ${expected}, got ${JSON.stringify(found)}`);
}

test('type errors name the key, what was expected and the value got', async () => {
  const cases: Array<[string, string]> = [
    ['numprocesses = "three"', 'watchers.web.numprocesses: expected an integer ≥ 0, got "three"'],
    ['numprocesses = -1', 'watchers.web.numprocesses: expected an integer ≥ 0, got -1'],
    ['numprocesses = 1.5', 'watchers.web.numprocesses: expected an integer ≥ 0, got 1.5'],
    ['priority = "high"', 'watchers.web.priority: expected an integer, got "high"'],
    ['max_retry = -2', 'watchers.web.max_retry: expected an integer ≥ -1, got -2'],
    ['output_lines = true', 'watchers.web.output_lines: expected an integer ≥ 0, got true'],
    ['backoff_jitter = 1.5', 'watchers.web.backoff_jitter: expected a number between 0 and 1, got 1.5'],
    ['backoff_jitter = "0.2"', 'watchers.web.backoff_jitter: expected a number between 0 and 1, got "0.2"'],
    ['shell = "yes"', 'watchers.web.shell: expected a boolean (true or false), got "yes"'],
    ['copy_env = 1', 'watchers.web.copy_env: expected a boolean (true or false), got 1'],
    ['executable = 5', 'watchers.web.executable: expected a non-empty string, got 5'],
    ['working_dir = ""', 'watchers.web.working_dir: expected a non-empty path, got ""'],
    ['warmup_delay = "soon"', 'watchers.web.warmup_delay: expected a duration (seconds ≥ 0, or a string like "250ms", "30s", "5m", "1m30s"), got "soon"'],
    ['graceful_timeout = -1', 'watchers.web.graceful_timeout: expected a duration (seconds ≥ 0, or a string like "250ms", "30s", "5m", "1m30s"), got -1'],
    ['max_age = [1]', 'watchers.web.max_age: expected a duration (seconds ≥ 0, or a string like "250ms", "30s", "5m", "1m30s"), got [1]'],
    ['stop_signal = "SIGFOO"', 'watchers.web.stop_signal: expected a signal name or number (e.g. "TERM", "SIGQUIT", 15, "RTMIN+2", "none"), got "SIGFOO"'],
    ['stop_signal = 99', 'watchers.web.stop_signal: expected a signal name or number (e.g. "TERM", "SIGQUIT", 15, "RTMIN+2", "none"), got 99'],
    ['args = [1, 2]', 'watchers.web.args: expected a string or an array of strings, got [1,2]'],
    ['shell_args = 5', 'watchers.web.shell_args: expected a string or an array of strings, got 5'],
    [`args = "'open"`, `watchers.web.args: cannot split "'open" into words: unterminated single quote`],
    ['depends_on = [1]', 'watchers.web.depends_on: expected an array of non-empty strings, got [1]'],
    ['depends_on = { a = 1 }', 'watchers.web.depends_on: expected an array of non-empty strings, got {"a":1}'],
    ['uid = "no-such-user-xyz"', 'watchers.web.uid: unknown user "no-such-user-xyz" (not in /etc/passwd)'],
    ['uid = -1', 'watchers.web.uid: expected a user name or a uid (integer ≥ 0), got -1'],
    ['gid = "no-such-group-xyz"', 'watchers.web.gid: unknown group "no-such-group-xyz" (not in /etc/group)'],
    ['gid = true', 'watchers.web.gid: expected a group name or a gid (integer ≥ 0), got true'],
    ['rlimit_nofile = -5', 'watchers.web.rlimit_nofile: expected an integer ≥ 0, "unlimited" or "", got -5'],
    ['rlimit_core = "lots"', 'watchers.web.rlimit_core: expected an integer ≥ 0, "unlimited" or "", got "lots"'],
    ['env = "A=1"', 'watchers.web.env: expected a table of environment variables, got "A=1"'],
    ['env = { A = [1] }', 'watchers.web.env.A: expected a string, number or boolean (numbers and booleans become strings), got [1]'],
    ['env = { "A=B" = "1" }', 'watchers.web.env."A=B": invalid environment variable name (must be non-empty, without "=")'],
    ['hooks = "x"', 'watchers.web.hooks: expected a table of hooks, got "x"'],
    ['hooks = { before_stop = 3 }', 'watchers.web.hooks.before_stop: expected a command string or a table { cmd, timeout, ignore_failure }, got 3'],
    ['hooks = { before_stop = "" }', 'watchers.web.hooks.before_stop: expected a non-empty string, got ""'],
    ['hooks = { after_start = { timeout = "1s" } }', 'watchers.web.hooks.after_start.cmd: required option missing; expected a non-empty string'],
    ['hooks = { after_start = { cmd = "x", timeout = "later" } }', 'watchers.web.hooks.after_start.timeout: expected a duration (seconds ≥ 0, or a string like "250ms", "30s", "5m", "1m30s"), got "later"'],
    ['hooks = { after_start = { cmd = "x", ignore_failure = "yes" } }', 'watchers.web.hooks.after_start.ignore_failure: expected a boolean (true or false), got "yes"'],
    ['stdout_stream = "out.log"', 'watchers.web.stdout_stream: expected a table { class, filename, … }, got "out.log"'],
    ['stdout_stream = { max_bytes = 5 }', 'watchers.web.stdout_stream.class: required when no filename is given; expected one of the stream classes or a filename'],
    ['stdout_stream = { class = "WatchedFileStream" }', 'watchers.web.stdout_stream.filename: required by class "WatchedFileStream"'],
    ['stdout_stream = { class = "NullStream", filename = "x" }', 'watchers.web.stdout_stream.filename: not used by class "NullStream"; only by FileStream, WatchedFileStream, TimedRotatingFileStream'],
    ['stderr_stream = { class = "SyslogStream" }', 'watchers.web.stderr_stream.class: expected one of "FileStream", "WatchedFileStream", "TimedRotatingFileStream", "StdoutStream", "FancyStdoutStream", "NullStream", got "SyslogStream"'],
    ['stderr_stream = { filename = "x", rotate_when = "weekly" }', 'watchers.web.stderr_stream.rotate_when: expected one of "S", "M", "H", "D", "MIDNIGHT", "W0", "W1", "W2", "W3", "W4", "W5", "W6", got "weekly"'],
    ['stderr_stream = { filename = "x", max_bytes = -1 }', 'watchers.web.stderr_stream.max_bytes: expected an integer ≥ 0, got -1'],
    ['stderr_stream = { filename = "x", backup_count = "5" }', 'watchers.web.stderr_stream.backup_count: expected an integer ≥ 0, got "5"'],
    ['stderr_stream = { filename = "x", rotate_interval = 0 }', 'watchers.web.stderr_stream.rotate_interval: expected an integer ≥ 1, got 0'],
    ['stderr_stream = { filename = "x", utc = "no" }', 'watchers.web.stderr_stream.utc: expected a boolean (true or false), got "no"'],
    ['stderr_stream = { filename = "x", time_format = 1 }', 'watchers.web.stderr_stream.time_format: expected a non-empty string, got 1'],
    ['stderr_stream = { filename = 1 }', 'watchers.web.stderr_stream.filename: expected a non-empty path, got 1'],
    ['singleton = true\nnumprocesses = 2', 'watchers.web.numprocesses: must be 0 or 1 when singleton = true, got 2'],
    ['max_age = 1979-05-27T07:32:00Z', 'watchers.web.max_age: expected a duration (seconds ≥ 0, or a string like "250ms", "30s", "5m", "1m30s"), got "1979-05-27T07:32:00.000Z"'],
  ];
  for (const [line, message] of cases) {
    assert.deepEqual(await problems(watcher(line)), [`ringd.toml: ${message}`], line);
  }
});

test('cmd is required and non-empty, and must split when shell = false', async () => {
  await onlyIssue('[watchers.web]\nnumprocesses = 1\n', 'ringd.toml: watchers.web.cmd: required option missing; expected a non-empty string');
  await onlyIssue('[watchers.web]\ncmd = "  "\n', 'ringd.toml: watchers.web.cmd: expected a non-empty string, got "  "');
  await onlyIssue('[watchers.web]\ncmd = ["node"]\n', 'ringd.toml: watchers.web.cmd: expected a non-empty string, got ["node"]');
  await onlyIssue(`[watchers.web]\ncmd = "echo 'x"\n`, `ringd.toml: watchers.web.cmd: cannot split "echo 'x" into words: unterminated single quote`);
  assert.equal((await checkConfig('/nonexistent')).issues.length, 1);
});

test('a shell cmd is not split at load time', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-config-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'ringd.toml'), `[watchers.web]\ncmd = "echo 'x"\nshell = true\n`);
  const { issues, config } = await checkConfig(path.join(dir, 'ringd.toml'));
  assert.deepEqual(issues, []);
  assert.equal(config?.watchers[0].cmd, "echo 'x");
});

test('agent errors', async () => {
  const cases: Array<[string, string]> = [
    ['loglevel = "loud"', 'agent.loglevel: expected one of "debug", "info", "warning", "error", got "loud"'],
    ['check_interval = 0', 'agent.check_interval: expected a duration > 0 (seconds, or a string like "250ms", "1s"), got 0'],
    ['warmup_delay = "x"', 'agent.warmup_delay: expected a duration (seconds ≥ 0, or a string like "250ms", "30s", "5m", "1m30s"), got "x"'],
    ['id = ""', 'agent.id: expected a name of letters, digits, "-" and "_" (at most 64), got ""'],
    ['id = "web.1"', 'agent.id: expected a name of letters, digits, "-" and "_" (at most 64), got "web.1"'],
    ['labels = "web"', 'agent.labels: labels must be a table of strings'],
    ['labels = { role = 1 }', 'agent.labels: label "role" must be a string of at most 63 printable characters'],
    ['labels = { "a b" = "x" }', 'agent.labels: label name "a b" must match /^[A-Za-z0-9_.-]{1,63}$/'],
    ['state_dir = 3', 'agent.state_dir: expected a non-empty path, got 3'],
    ['endpoint = "tcp://x"', 'agent.endpoint: expected a ZeroMQ endpoint: "tcp://HOST:PORT" (PORT 0 = any free port) or "ipc:///absolute/path", got "tcp://x"'],
    ['pubsub_endpoint = "udp://127.0.0.1:1"', 'agent.pubsub_endpoint: expected a ZeroMQ endpoint: "tcp://HOST:PORT" (PORT 0 = any free port) or "ipc:///absolute/path", got "udp://127.0.0.1:1"'],
    ['max_request_bytes = 10', 'agent.max_request_bytes: expected an integer ≥ 64, got 10'],
    ['stats_interval = 0', 'agent.stats_interval: expected a duration > 0 (seconds, or a string like "250ms", "1s"), got 0'],
    ['loglvel = "info"', 'agent.loglvel: unknown option; did you mean "loglevel"?'],
  ];
  for (const [line, message] of cases) await onlyIssue(`[agent]\n${line}\n`, `ringd.toml: ${message}`);
  await onlyIssue('agent = 1\n', 'ringd.toml: agent: expected a table, got 1');
});

test('discovery errors', async () => {
  const cases: Array<[string, string]> = [
    ['group = "10.0.0.1"', 'discovery.group: expected an IPv4 multicast address (224.0.0.0 to 239.255.255.255), got "10.0.0.1"'],
    ['group = "239.1.2"', 'discovery.group: expected an IPv4 multicast address (224.0.0.0 to 239.255.255.255), got "239.1.2"'],
    ['port = 0', 'discovery.port: expected an integer between 1 and 65535, got 0'],
    ['ttl = 256', 'discovery.ttl: expected an integer between 1 and 255, got 256'],
    ['announce_interval = 0', 'discovery.announce_interval: expected a duration > 0 (seconds, or a string like "250ms", "1s"), got 0'],
    ['enabled = "yes"', 'discovery.enabled: expected a boolean (true or false), got "yes"'],
    ['interface = ""', 'discovery.interface: expected a non-empty string, got ""'],
    ['grop = "239.1.1.1"', 'discovery.grop: unknown option; did you mean "group"?'],
  ];
  for (const [line, message] of cases) await onlyIssue(`[discovery]\n${line}\n`, `ringd.toml: ${message}`);
  const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
  await onlyIssue(`[agent]\nlabels = ${JSON.stringify(many).replaceAll(':', '=')}\n`, 'ringd.toml: agent.labels: at most 16 labels, got 17');
  const big = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`key${i}`, 'v'.repeat(60)]));
  await onlyIssue(`[agent]\nlabels = ${JSON.stringify(big).replaceAll('":"', '"="')}\n`, /agent\.labels: labels take \d+ bytes as JSON, at most 512 fit/);
});

test('top-level and section errors', async () => {
  await onlyIssue('[circus]\nloglevel = "info"\n', "ringd.toml: circus: unknown section; Circus's [circus] is called [agent] in ringd");
  await onlyIssue('[watcher.web]\ncmd = "x"\n', 'ringd.toml: watcher: unknown section; did you mean "watchers"?');
  await onlyIssue('includes = []\n', 'ringd.toml: includes: unknown option; did you mean "include"?');
  await onlyIssue('watchers = 3\n', 'ringd.toml: watchers: expected a table of watchers ([watchers.NAME]), got 3');
  await onlyIssue('env = []\n', 'ringd.toml: env: expected a table of environment variables, got []');
  await onlyIssue('[env]\nX = { a = 1 }\n', 'ringd.toml: env.X: expected a string, number or boolean (numbers and booleans become strings), got {"a":1}');
  await onlyIssue('[watchers]\nweb = "node"\n', 'ringd.toml: watchers.web: expected a table, got "node"');
  await onlyIssue('include = 3\n', 'ringd.toml: include: expected a path or glob, or an array of them, got 3');
});

test('watcher names', async () => {
  await onlyIssue('[watchers."my web"]\ncmd = "x"\n', 'ringd.toml: watchers."my web": invalid watcher name; use only letters, digits, "_", "." and "-"');
  await onlyIssue('[watchers."web/1"]\ncmd = "x"\n', 'ringd.toml: watchers."web/1": invalid watcher name; use only letters, digits, "_", "." and "-"');
  await onlyIssue('[watchers.web]\ncmd = "x"\n[watchers.Web]\ncmd = "y"\n', 'ringd.toml: watchers.Web: watcher "Web" clashes with "web" defined in ringd.toml (names are case-insensitive)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-config-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'ringd.toml'), '[watchers."api.v2"]\ncmd = "x"\n[watchers.A_b-9]\ncmd = "y"\n');
  const config = await loadConfig(path.join(dir, 'ringd.toml'));
  assert.deepEqual(config.watchers.map((w) => w.name), ['A_b-9', 'api.v2']);
});

test('unknown keys everywhere, with did-you-mean hints', async () => {
  const cases: Array<[string, string]> = [
    ['numprocess = 3', 'watchers.web.numprocess: unknown option; did you mean "numprocesses"?'],
    ['gracefull_timeout = 3', 'watchers.web.gracefull_timeout: unknown option; did you mean "graceful_timeout"?'],
    ['use_socket = true', 'watchers.web.use_socket: unknown option; did you mean "use_sockets"?'],
    ['rlimit_nofiles = 3', 'watchers.web.rlimit_nofiles: unknown option; did you mean "rlimit_nofile"?'],
    ['rlimit_foo = 3', 'watchers.web.rlimit_foo: unknown option'],
    ['hooks = { before_stp = "x" }', 'watchers.web.hooks.before_stp: unknown hook; did you mean "before_stop"?'],
    ['hooks = { on_crash = "x" }', 'watchers.web.hooks.on_crash: unknown hook'],
    ['hooks = { after_start = { cmd = "x", timeuot = 3 } }', 'watchers.web.hooks.after_start.timeuot: unknown option; did you mean "timeout"?'],
    ['stdout_stream = { filename = "x", max_byte = 3 }', 'watchers.web.stdout_stream.max_byte: unknown option; did you mean "max_bytes"?'],
    ['stdout_stream = { filename = "x", colour = "red" }', 'watchers.web.stdout_stream.colour: unknown option'],
  ];
  for (const [line, message] of cases) await onlyIssue(watcher(line), `ringd.toml: ${message}`);
});

test('every issue is reported at once, in file order', async () => {
  const issues = await problems(`
[agent]
loglevel = "loud"
[watchers.web]
cmd = ""
numprocess = 3
numprocesses = "three"
stop_signal = "SIGFOO"
depends_on = ["dbb"]
[watchers.db]
cmd = "db"
graceful_timeout = "10x"
`);
  assert.deepEqual(issues, [
    'ringd.toml: agent.loglevel: expected one of "debug", "info", "warning", "error", got "loud"',
    'ringd.toml: watchers.web.numprocess: unknown option; did you mean "numprocesses"?',
    'ringd.toml: watchers.web.cmd: expected a non-empty string, got ""',
    'ringd.toml: watchers.web.numprocesses: expected an integer ≥ 0, got "three"',
    'ringd.toml: watchers.web.stop_signal: expected a signal name or number (e.g. "TERM", "SIGQUIT", 15, "RTMIN+2", "none"), got "SIGFOO"',
    'ringd.toml: watchers.db.graceful_timeout: expected a duration (seconds ≥ 0, or a string like "250ms", "30s", "5m", "1m30s"), got "10x"',
    'ringd.toml: watchers.web.depends_on: unknown watcher "dbb"; did you mean "db"?',
  ]);
});

test('TOML syntax errors name the file, line and column', async () => {
  await onlyIssue('[watchers.web]\ncmd = "x"\nnumprocesses = \n', 'ringd.toml: TOML syntax error at line 3, column 16: invalid value');
  await onlyIssue('[watchers.__proto__]\ncmd = "x"\n', 'ringd.toml: TOML syntax error at line 1, column 2: keys named "__proto__" or "constructor" are not allowed');
  await onlyIssue('[watchers.web]\ncmd = "x"\ncmd = "y"\n', 'ringd.toml: TOML syntax error at line 3, column 1: trying to redefine an already defined table or value');
});

test('long values are shortened in messages', async () => {
  const long = 'x'.repeat(200);
  const [issue] = await problems(watcher(`numprocesses = "${long}"`));
  assert.equal(issue, `ringd.toml: watchers.web.numprocesses: expected an integer ≥ 0, got "${'x'.repeat(76)}...`);
});

test('a missing main file', async () => {
  const missing = path.join(os.tmpdir(), 'ring-no-such-dir-xyz', 'ringd.toml');
  await assert.rejects(loadConfig(missing), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.message, `${missing}: cannot read the file: no such file`);
    return true;
  });
});
