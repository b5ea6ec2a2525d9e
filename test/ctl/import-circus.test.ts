// ringctl import-circus: Circus ini files (fixtures under test/fixtures/circus) → Ringmaster TOML that ringd loads.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkConfig } from '../../agent/config/load.ts';
import type { Config, WatcherConfig } from '../../agent/config/types.ts';
import { formatIssue } from '../../protocol/errors.ts';
import { CircusImportError, importCircus, parseIni, renderNote, renderNotes, type ImportNote } from '../../ctl/import-circus/index.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/circus/', import.meta.url));
const SHOP = path.join(FIXTURES, 'shop', 'circus.ini');

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-import-circus-'));
  dirs.push(dir);
  return dir;
}

/** Write ini files into a fresh folder; returns the path of the first one. */
function iniFiles(files: Record<string, string>): string {
  const dir = tmp();
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return path.join(dir, Object.keys(files)[0]);
}

/** Write the TOML to a temp file and load it with ringd's own checker: it must have no issue. */
async function load(toml: string): Promise<Config> {
  const file = path.join(tmp(), 'ringd.toml');
  fs.writeFileSync(file, toml);
  const { config, issues } = await checkConfig(file);
  assert.deepEqual(issues.map(formatIssue), [], `converted TOML does not load:\n${toml}`);
  assert.ok(config);
  return config;
}

/** Convert an ini text and load the result. */
async function convert(text: string): Promise<{ config: Config; notes: ImportNote[]; toml: string }> {
  const { toml, notes } = await importCircus(iniFiles({ 'circus.ini': text }));
  return { config: await load(toml), notes, toml };
}

function watcher(config: Config, name: string): WatcherConfig {
  const w = config.watchers.find((x) => x.name === name);
  assert.ok(w, `watcher ${name} converted`);
  return w;
}

/** The rendered notes, without the folder of the temp file. */
function lines(notes: readonly ImportNote[]): string[] {
  return renderNotes(notes.map((n) => ({ ...n, file: path.basename(n.file) })));
}

function hasNote(notes: readonly ImportNote[], section: string, key: string, text: string): void {
  assert.ok(
    notes.some((n) => n.section === section && n.key === key && n.message.includes(text)),
    `expected a note [${section}] ${key}: …${text}…; got:\n${renderNotes(notes).join('\n')}`,
  );
}

test('the shop fixture (every section kind, includes and include_dir) converts to TOML that ringd loads', async () => {
  const { toml } = await importCircus(SHOP);
  const config = await load(toml);

  assert.equal(config.agent.endpoint, 'tcp://127.0.0.1:5555');
  assert.equal(config.agent.pubsub_endpoint, 'tcp://127.0.0.1:5556');
  assert.equal(config.agent.stats_endpoint, 'tcp://127.0.0.1:5557');
  assert.equal(config.agent.check_interval, 5000, 'check_delay → check_interval');
  assert.equal(config.agent.warmup_delay, 1000);
  assert.equal(config.agent.loglevel, 'debug');
  assert.equal(config.env.APP_MODE, 'production');

  assert.deepEqual(config.watchers.map((w) => w.name).sort(), ['cron', 'mailer', 'web', 'web-admin', 'worker']);
  const web = watcher(config, 'web');
  assert.equal(web.cmd, '/opt/shop/bin/chaussette --fd $(circus.sockets.web) --backend meinheld', 'continuation line joined');
  assert.deepEqual(web.args, ['shop.wsgi:app'], 'inline ; comment dropped');
  assert.equal(web.numprocesses, 4, 'the first of two numprocesses wins');
  assert.equal(web.use_sockets, true);
  assert.equal(web.working_dir, '/opt/shop');
  assert.equal(web.uid, 65534);
  assert.equal(web.gid, 65534);
  assert.equal(web.copy_env, true, 'yes is true');
  assert.equal(web.graceful_timeout, 12_500);
  assert.equal(web.stop_signal, os.constants.signals.SIGQUIT);
  assert.equal(web.priority, 10);
  assert.deepEqual(web.rlimits, { nofile: 4096, core: null });
  assert.deepEqual(web.hooks, {}, 'Python hooks are not converted');
  assert.equal(web.env.SHARED, 'from-env-web-worker', '[env:web,worker]');
  assert.equal(web.env.WEB_ONLY, '1', '[env:web*]');
  assert.equal(web.env.APP_MODE, 'production', '[env] reaches every watcher');
  assert.equal(web.env.QUEUE, undefined, '[env:work*] does not match web');
  assert.deepEqual(web.stdout_stream, {
    class: 'FileStream', filename: '/var/log/shop/web.log', max_bytes: 1_048_576, backup_count: 3,
    time_format: '%Y-%m-%d %H:%M:%S', rotate_interval: 1, utc: false,
  });
  assert.equal(web.stderr_stream?.class, 'StdoutStream');

  assert.equal(watcher(config, 'web-admin').env.WEB_ONLY, '1', '[env:web*] matches web-admin');
  assert.equal(watcher(config, 'web-admin').env.SHARED, undefined);

  const worker = watcher(config, 'worker');
  assert.equal(worker.cmd, 'python3 -m shop.worker --id $(circus.wid) --mode production', '$(CIRCUS.ENV.X) resolved by ringd');
  assert.equal(worker.numprocesses, 2, 'key: value form');
  assert.equal(worker.max_retry, -1);
  assert.equal(worker.respawn, false);
  assert.equal(worker.singleton, false);
  assert.equal(worker.stop_signal, os.constants.signals.SIGINT);
  assert.equal(worker.env.QUEUE, 'orders');
  assert.equal(worker.env.SHARED, 'from-env-web-worker');

  const cron = watcher(config, 'cron');
  assert.equal(cron.singleton, true);
  assert.equal(cron.max_age, 3_600_000);
  assert.equal(cron.max_age_variance, 60_000);
  assert.equal(cron.stderr_stream?.class, 'TimedRotatingFileStream');
  assert.equal(cron.stderr_stream?.rotate_when, 'MIDNIGHT');
  assert.equal(cron.stderr_stream?.backup_count, 7);

  const mailer = watcher(config, 'mailer');
  assert.equal(mailer.respawn, false, 'no is false');
  assert.equal(mailer.close_child_stdout, true, '1 is true');
  assert.deepEqual(mailer.rlimits, { nofile: 1024 });

  const web8080 = config.sockets.find((s) => s.name === 'web');
  assert.equal(web8080?.port, 8080);
  assert.equal(web8080?.host, '127.0.0.1');
  assert.equal(web8080?.backlog, 128);
  const admin = config.sockets.find((s) => s.name === 'admin');
  assert.equal(admin?.family, 'unix');
  assert.equal(admin?.path, '/run/shop/admin.sock');
  assert.equal(admin?.umask, 0o010, 'Circus read umask 8 as decimal');
});

test('the shop fixture: notes name what could not be converted, and the TOML says where things came from', async () => {
  const { toml, notes } = await importCircus(SHOP);
  hasNote(notes, 'plugin:statsd', '', 'plugins are not supported; use the stats stream');
  hasNote(notes, 'watcher:web', 'hooks.before_start', 'Python function');
  hasNote(notes, 'watcher:web', 'hooks.before_start', '[watchers.web.hooks] before_start');
  hasNote(notes, 'watcher:web', 'numprocesses', 'repeated option ignored');
  hasNote(notes, 'watcher:worker', 'bogus_option', 'unknown watcher option');
  hasNote(notes, 'watcher:worker', 'flapping.max_retry', 'ignored');
  hasNote(notes, 'circus', 'pidfile', 'not supported');
  hasNote(notes, 'circus', 'statsd', 'stats stream');
  hasNote(notes, 'socket:admin', 'umask', 'decimal');
  assert.ok(!notes.some((n) => n.key === 'httpd'), 'httpd = False loses nothing');

  const hook = notes.find((n) => n.key === 'hooks.before_start');
  assert.equal(hook?.file, SHOP);
  assert.equal(hook?.line, 50);
  const bogus = notes.find((n) => n.key === 'bogus_option');
  assert.equal(bogus?.file, path.join('conf.d', 'workers.ini'), 'included files are named relative to the main file');
  assert.deepEqual([...new Set(notes.map((n) => n.file))], [SHOP, path.join('conf.d', 'workers.ini'), 'extra.ini'], 'notes in file order');

  assert.match(toml, /^# Ringmaster configuration converted from .*circus\.ini by ringctl import-circus\./);
  assert.match(toml, /# Included files merged in: conf\.d\/workers\.ini, extra\.ini, workers\.d\/mailer\.ini\./);
  assert.match(toml, /# from conf\.d\/workers\.ini\n\[watchers\.worker\]/);
  assert.match(toml, /# from workers\.d\/mailer\.ini\n\[watchers\.mailer\]/);
  assert.match(toml, /# {3}- .*\[plugin:statsd\]: plugins are not supported; use the stats stream/);
  assert.doesNotMatch(toml, /^include/m, 'includes are merged, not referenced');
});

test('ini reader: sections, both delimiters, comments, continuation lines, first occurrence wins, repeated sections merge', () => {
  const doc = parseIni(
    [
      '# comment', '; comment', 'rem legacy comment', '[watcher:a]', 'cmd = run', '   --flag', '', '    --other',
      'args: x;y # not a comment ; a comment', 'empty = ""', 'cmd = ignored', '   --ignored-too', '  # indented comment',
      'Key = kept case', '[watcher:b]', 'cmd = b', '[watcher:a]', 'numprocesses = 3', 'args = again',
    ].join('\n'),
    'x.ini',
  );
  assert.deepEqual(doc.sections.map((s) => s.header), ['watcher:a', 'watcher:b']);
  const a = doc.sections[0];
  assert.deepEqual(a.entries.map((e) => [e.key, e.value, e.line]), [
    ['cmd', 'run\n--flag\n--other', 5],
    ['args', 'x;y # not a comment', 9],
    ['empty', '', 10],
    ['Key', 'kept case', 14],
    ['numprocesses', '3', 18],
  ]);
  assert.deepEqual(a.ignored.map((e) => [e.key, e.value, e.line]), [['cmd', 'ignored\n--ignored-too', 11], ['args', 'again', 19]]);
  assert.deepEqual(a.files, ['x.ini']);
});

test('ini reader: every bad line is reported with its line number', () => {
  assert.throws(() => parseIni('[a]\nok = 1\nnot an option\n[b\n= value\n', 'bad.ini'), (err: unknown) => {
    assert.ok(err instanceof Error && 'problems' in err);
    assert.deepEqual((err as { problems: { line: number }[] }).problems.map((p) => p.line), [3, 4, 5]);
    assert.match(err.message, /^bad\.ini:3: expected "key = value", "\[section\]" or a comment, got "not an option"/);
    return true;
  });
  assert.throws(() => parseIni('cmd = x\n[a]\n', 'top.ini'), /top\.ini:1: option outside any section/);
});

test('a missing file is an error naming it', async () => {
  const missing = path.join(tmp(), 'nope.ini');
  await assert.rejects(importCircus(missing), (err: unknown) => {
    assert.ok(err instanceof CircusImportError);
    assert.equal(err.file, missing);
    assert.match(err.message, /cannot read the file: no such file/);
    return true;
  });
});

test('a syntax error is an error with its line number, also in an included file', async () => {
  await assert.rejects(importCircus(path.join(FIXTURES, 'bad', 'syntax.ini')), (err: unknown) => {
    assert.ok(err instanceof CircusImportError);
    assert.deepEqual(err.lines, [6]);
    assert.match(err.message, /syntax\.ini: syntax error:\n {2}line 6: expected "key = value", "\[section\]" or a comment, got "this line has no delimiter"/);
    return true;
  });
  await assert.rejects(importCircus(path.join(FIXTURES, 'bad', 'bad-include.ini')), (err: unknown) => {
    assert.ok(err instanceof CircusImportError);
    assert.equal(err.file, path.join('broken', 'oops.ini'));
    assert.deepEqual(err.lines, [3]);
    assert.match(err.message, /bad section header/);
    return true;
  });
});

test('unknown options and bad values are notes, not failures; the rest still loads', async () => {
  const { toml, notes } = await importCircus(path.join(FIXTURES, 'bad', 'unknown-option.ini'));
  const config = await load(toml);
  const web = watcher(config, 'web');
  assert.equal(web.cmd, '/bin/web --port 8080');
  assert.equal(web.numprocesses, 1, 'the rejected value falls back to the default');
  assert.equal(web.stop_signal, os.constants.signals.SIGTERM);
  assert.deepEqual(lines(notes), [
    'unknown-option.ini:3: [watcher:web] numprocesses: expected an integer ≥ 0, got "many"; not converted',
    'unknown-option.ini:4: [watcher:web] stop_signal: expected a signal name or number (e.g. TERM, SIGQUIT, 15), got "NOPE"; not converted',
    'unknown-option.ini:5: [watcher:web] colour: unknown watcher option (Circus kept it as a free-form option for plugins); not converted',
    'unknown-option.ini:6: [watcher:web] virtualenv: not supported: run the virtualenv\'s own interpreter (VENV/bin/python) in cmd, or put VENV/bin first in PATH in [watchers.NAME.env]',
  ]);
});

test('variables: both forms, any case, env names resolved, sockets lower-cased, $WID and options inlined', async () => {
  const { config, notes } = await convert([
    '[env]', 'Db_Url = pg-main', '[socket:Web]', 'port = 0',
    '[watcher:app]', 'cmd = app --fd $(CIRCUS.SOCKETS.WEB) --db ((circus.env.DB_URL)) --home $(circus.env.home) --wid $WID --dir $(circus.working_dir) $(circus.nope)',
    'working_dir = /srv/app', 'stdout_stream.filename = /var/log/$(Circus.Env.Db_Url)/app.log',
  ].join('\n'));
  const app = watcher(config, 'app');
  assert.equal(app.cmd, `app --fd $(circus.sockets.web) --db pg-main --home ${process.env.HOME ?? '$(circus.env.HOME)'} --wid $(circus.wid) --dir /srv/app $(circus.nope)`);
  assert.equal(app.stdout_stream?.filename, '/var/log/pg-main/app.log');
  assert.deepEqual(config.sockets.map((s) => s.name), ['web']);
  hasNote(notes, 'watcher:app', 'cmd', 'written as $(circus.env.HOME)');
  hasNote(notes, 'watcher:app', 'cmd', '$(circus.working_dir): Ringmaster has no such variable');
  hasNote(notes, 'watcher:app', 'cmd', '$(circus.nope): unknown variable');
});

test('sockets: families, types, decimal umask, reuseport; unusable options are noted', async () => {
  const { config, notes } = await convert([
    '[socket:v6]', 'family = AF_INET6', 'port = 9000', 'type = SOCK_DGRAM', 'so_reuseport = true', 'interface = eth0',
    '[socket:unix]', 'family = AF_UNIX', 'path = /run/x.sock', 'umask = 077', 'replace = True', 'blocking = 1',
    '[socket:nopath]', 'family = AF_UNIX',
    '[socket:raw]', 'type = SOCK_RAW', 'port = 7000',
    '[watcher:w]', 'cmd = w', 'use_sockets = true',
  ].join('\n'));
  const byName = new Map(config.sockets.map((s) => [s.name, s]));
  assert.deepEqual([...byName.keys()].sort(), ['raw', 'unix', 'v6']);
  assert.equal(byName.get('v6')?.family, 'inet6');
  assert.equal(byName.get('v6')?.host, '::1', 'Circus bound localhost');
  assert.equal(byName.get('v6')?.type, 'dgram');
  assert.equal(byName.get('v6')?.so_reuseport, true);
  assert.equal(byName.get('unix')?.umask, 77, 'Circus read 077 as decimal 77');
  assert.equal(byName.get('unix')?.replace, true);
  assert.equal(byName.get('unix')?.blocking, true);
  assert.equal(byName.get('raw')?.type, 'stream');
  hasNote(notes, 'socket:v6', 'interface', 'SO_BINDTODEVICE');
  hasNote(notes, 'socket:unix', 'umask', 'write "077" if you meant octal 077');
  hasNote(notes, 'socket:nopath', '', 'needs a path');
  hasNote(notes, 'socket:raw', 'type', 'converted as a stream socket');
});

test('watcher checks: singleton, on_demand, stdin_socket, streams, rlimits, names', async () => {
  const { config, notes } = await convert([
    '[socket:s]', 'port = 0',
    '[watcher:single]', 'cmd = one', 'singleton = true', 'numprocesses = 3', 'on_demand = true',
    '[watcher:lazy]', 'cmd = lazy --fd $(circus.sockets.s)', 'on_demand = true', 'stdin_socket = S',
    '[watcher:my web]', 'cmd = web', 'rlimit_bogus = 1', 'rlimit_nproc = -1', 'copy_path = false', 'copy_path = true',
    'stdout_stream.class = my.pkg.Stream', 'stderr_stream.class = FileStream', 'hooks.extended_stats = x.y',
    '[watcher:nocmd]', 'numprocesses = 2',
    '[watcher:empty]',
    '[watcher:MY_WEB]', 'cmd = clash',
    '[watcher:shell]', 'cmd = echo a', '  && echo b', 'shell = true', 'working_dir = app',
  ].join('\n'));
  assert.equal(watcher(config, 'single').numprocesses, 1);
  assert.equal(watcher(config, 'single').on_demand, false);
  assert.equal(watcher(config, 'lazy').on_demand, true);
  assert.equal(watcher(config, 'lazy').stdin_socket, 's');
  const web = watcher(config, 'my_web');
  assert.deepEqual(web.rlimits, { nproc: null });
  assert.equal(web.stdout_stream, undefined);
  assert.equal(web.stderr_stream, undefined);
  assert.equal(watcher(config, 'shell').cmd, 'echo a\n&& echo b', 'a shell command keeps its line breaks');
  assert.deepEqual(config.watchers.map((w) => w.name).sort(), ['lazy', 'my_web', 'shell', 'single']);
  hasNote(notes, 'watcher:single', 'numprocesses', 'written as 1');
  hasNote(notes, 'watcher:single', 'on_demand', 'needs a socket');
  hasNote(notes, 'watcher:my web', 'rlimit_bogus', 'unknown resource limit');
  hasNote(notes, 'watcher:my web', 'copy_path', 'repeated option ignored');
  assert.ok(!notes.some((n) => n.key === 'copy_path' && n.message.startsWith('not supported')), 'copy_path = false loses nothing');
  hasNote(notes, 'watcher:my web', 'stdout_stream.class', 'custom Python stream class');
  hasNote(notes, 'watcher:my web', 'stderr_stream.class', 'needs a filename');
  hasNote(notes, 'watcher:my web', 'hooks.extended_stats', 'no extended_stats hook');
  hasNote(notes, 'watcher:my web', '', 'renamed "my_web"');
  hasNote(notes, 'watcher:nocmd', '', 'no cmd');
  hasNote(notes, 'watcher:empty', '', 'empty section');
  hasNote(notes, 'watcher:MY_WEB', '', 'already defined');
  hasNote(notes, 'watcher:shell', 'working_dir', 'relative path "app"');
  assert.equal(path.basename(watcher(config, 'shell').working_dir ?? ''), 'app');
});

test('[circus] values that do not fit, unusual section case, [DEFAULT], unknown sections and unmatched env patterns', async () => {
  const { config, notes } = await convert([
    '[DEFAULT]', 'graceful_timeout = 3',
    '[circus]', 'check_delay = 0', 'endpoint = udp://127.0.0.1:5555', 'loglevel = critical', 'umask = 002', 'httpd = 1', 'httpd_port = 8081',
    'include = nothing/*.ini', 'include_dir = nowhere',
    '[Watcher:Up]', 'cmd = up', 'NumProcesses = 2', 'graceful_timeout = 9',
    '[watcher:down]', 'cmd = down',
    '[env:nobody*]', 'X = 1',
    '[node:other]', 'endpoint = tcp://10.0.0.1:5555',
    '[plugin:flap]', 'use = circus.plugins.flapping.Flapping',
  ].join('\n'));
  assert.equal(config.agent.check_interval, 1000, 'check_delay = 0 is not converted');
  assert.equal(config.agent.endpoint, 'tcp://127.0.0.1:5555', 'an endpoint ringd cannot bind is not converted');
  assert.equal(config.agent.loglevel, 'error');
  assert.equal(watcher(config, 'Up').numprocesses, 2);
  assert.equal(watcher(config, 'Up').graceful_timeout, 9000, 'the section value wins over [DEFAULT]');
  assert.equal(watcher(config, 'down').graceful_timeout, 3000, '[DEFAULT] fills in');
  hasNote(notes, 'circus', 'check_delay', 'must be > 0');
  hasNote(notes, 'circus', 'endpoint', 'expected a ZeroMQ endpoint');
  hasNote(notes, 'circus', 'loglevel', 'written as "error"');
  hasNote(notes, 'circus', 'umask', 'not supported');
  hasNote(notes, 'circus', 'httpd', 'circus-web');
  hasNote(notes, 'circus', 'httpd_port', 'circus-web');
  hasNote(notes, 'circus', 'include', 'matches no file');
  hasNote(notes, 'circus', 'include_dir', 'has no *.ini file');
  hasNote(notes, 'Watcher:Up', '', 'Circus reads only lower-case section kinds');
  hasNote(notes, 'Watcher:Up', 'NumProcesses', 'converted as numprocesses');
  hasNote(notes, 'DEFAULT', '', 'applied to every');
  hasNote(notes, 'env:nobody*', '', 'matches no watcher');
  hasNote(notes, 'node:other', '', 'unknown section');
  hasNote(notes, 'plugin:flap', '', 'plugins are not supported; Ringmaster\'s restart backoff');
});

test('a nested include is not followed (as in Circus); an included [circus] option still applies', async () => {
  const main = iniFiles({
    'circus.ini': '[circus]\ninclude = a.ini\n[watcher:main]\ncmd = main\n',
    'a.ini': '[circus]\ninclude = b.ini\nwarmup_delay = 2\n[watcher:main]\ncmd = overridden\nnumprocesses = 3\n',
    'b.ini': '[watcher:never]\ncmd = never\n',
  });
  const { toml, notes } = await importCircus(main);
  const config = await load(toml);
  assert.deepEqual(config.watchers.map((w) => w.name), ['main']);
  assert.equal(watcher(config, 'main').cmd, 'main', 'the main file\'s value wins');
  assert.equal(watcher(config, 'main').numprocesses, 3, 'a repeated section merges');
  assert.equal(config.agent.warmup_delay, 2000);
  assert.match(toml, /# from .*circus\.ini and a\.ini\n\[watchers\.main\]/);
  assert.deepEqual(lines(notes), [
    'a.ini:2: [circus] include: not followed: Circus reads include and include_dir only from the main file',
    `a.ini:5: [watcher:main] cmd: repeated option ignored: Circus keeps the first value (${main}:4)`,
  ]);
});

test('renderNote writes one plain line per note', () => {
  assert.equal(
    renderNote({ file: 'circus.ini', section: 'plugin:statsd', key: '', message: 'plugins are not supported; use the stats stream' }),
    'circus.ini: [plugin:statsd]: plugins are not supported; use the stats stream',
  );
  assert.equal(
    renderNote({ file: 'circus.ini', section: 'watcher:web', key: 'hooks.before_start', message: 'not convertible', line: 12 }),
    'circus.ini:12: [watcher:web] hooks.before_start: not convertible',
  );
  assert.equal(renderNote({ file: 'x.ini', section: '', key: '', message: 'unreadable' }), 'x.ini: unreadable');
});
