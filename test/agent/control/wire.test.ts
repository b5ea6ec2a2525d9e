// The control endpoint of a real ringd on the wire: a DEALER replays the request/reply pairs captured from circusd 0.19.0
// (circus-reference §14.1) and each reply is compared with the capture once volatile fields (time, pids, ages, memory…)
// are normalised: same status, same top-level keys in Circus's order, same payload, same errno and (where Ringmaster
// keeps Circus's text) the same reason. Every place where Ringmaster deliberately differs is written down next to the
// step, as an `adjust` of the captured reply. Then the envelope edge cases: raw text format, casts, bad JSON, REQ
// sockets, empty bodies, unknown properties, oversize and multi-frame requests, and `quit`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as zmq from 'zeromq';
import { pidAlive, waitGone } from '../../support/proc.ts';
import { startRingdControl, stopAllRingd, waitPids, type RawDealer, type RingdControl } from '../../support/ringd-control.ts';
import { waitFor } from '../../support/wait.ts';

// The capture's watchers (sleeper ×2, ticker, web ×2) with plain programs; no [socket:] sections, so listsockets is [].
const CONFIG = `
[watchers.sleeper]
cmd = "sleep 600"
numprocesses = 2

[watchers.ticker]
cmd = "sh -c 'while true; do echo tick; sleep 0.2; done'"

[watchers.web]
cmd = "sleep 601"
numprocesses = 2
`;
const MAX_REQUEST_BYTES = 4096;

let r: RingdControl;
let d: RawDealer;
before(async () => {
  r = await startRingdControl(CONFIG, { prefix: 'ringd-wire', agent: `max_request_bytes = ${MAX_REQUEST_BYTES}` });
  d = r.raw();
});
after(async () => {
  await stopAllRingd();
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/** JSON as Python's json.dumps writes it by default: separators ", " and ": " (written here independently of ringd's code). */
function pyDumps(v: Json, key = ''): string {
  if (Array.isArray(v)) return `[${v.map((x) => pyDumps(x)).join(', ')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${pyDumps(x, k)}`).join(', ')}}`;
  // `time` is a Python float: 1795818678.0, never 1795818678
  if (key === 'time' && typeof v === 'number' && Number.isInteger(v)) return `${v}.0`;
  return JSON.stringify(v);
}

const isObj = (v: Json | undefined): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const PID_LISTS = new Set(['pids', 'stopped', 'started', 'kept']);

/** A process-info object (stats, dstats) with its volatile fields checked and replaced by placeholders. */
function normInfo(o: Obj, where: string): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    const bad = (what: string) => assert.fail(`${where}.${k}: expected ${what}, got ${JSON.stringify(v)}`);
    switch (k) {
      case 'mem_info1': case 'mem_info2':
        if (typeof v !== 'string' || !/^\d+(\.\d+)?[BKMGT]$/.test(v)) bad('a human size like "17.81M"');
        out[k] = '<size>'; break;
      case 'cpu': case 'mem':
        if (typeof v !== 'number' || v < 0) bad('a number ≥ 0');
        out[k] = '<percent>'; break;
      case 'ctime':
        if (typeof v !== 'string' || !/^\d+:\d\d\.\d+$/.test(v)) bad('a cpu time "m:ss.cc"');
        out[k] = '<ctime>'; break;
      case 'pid':
        if (!Number.isInteger(v) || (v as number) <= 0) bad('a pid');
        out[k] = '<pid>'; break;
      case 'create_time': case 'started':
        if (typeof v !== 'number' || v < 1e9) bad('epoch seconds');
        out[k] = '<epoch>'; break;
      case 'age':
        if (typeof v !== 'number' || v < 0) bad('seconds ≥ 0');
        out[k] = '<age>'; break;
      case 'children':
        if (!Array.isArray(v)) bad('a list');
        (v as Json[]).forEach((c, i) => { assert.ok(isObj(c), `${where}.children[${i}] is an object`); normInfo(c, `${where}.children[${i}]`); });
        out[k] = '<children>'; // how many children a shell has at this instant is timing
        break;
      default:
        out[k] = norm(v, k, `${where}.${k}`);
    }
  }
  return out;
}

/** Replaces what differs from run to run (time, pids, process metrics) by placeholders, checking each value's type. */
function norm(v: Json, key: string, where: string): Json {
  if (key === 'time') {
    assert.equal(typeof v, 'number', `${where} is a number`);
    return '<time>';
  }
  if (PID_LISTS.has(key) && Array.isArray(v)) {
    for (const p of v) assert.ok(Number.isInteger(p) && (p as number) > 0, `${where} holds pids: ${JSON.stringify(v)}`);
    return v.map(() => '<pid>');
  }
  if (Array.isArray(v)) return v.map((x, i) => norm(x, '', `${where}[${i}]`));
  if (!isObj(v)) return v;
  if ('mem_info1' in v) return normInfo(v, where);
  const keys = Object.keys(v);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    // {"<pid>": info}: keyed by pid, in wid order
    const entries = Object.entries(v).map(([pid, info]) => {
      if (isObj(info)) assert.equal(info.pid, Number(pid), `${where}: key ${pid} is the pid of its info`);
      return [pid, info] as const;
    });
    entries.sort(([, a], [, b]) => (isObj(a) && isObj(b) ? Number(a.wid) - Number(b.wid) : 0));
    return Object.fromEntries(entries.map(([pid, info], i) => [`<pid#${i + 1}>`, norm(info, pid, `${where}.${pid}`)]));
  }
  return Object.fromEntries(keys.map((k) => [k, norm(v[k], k, `${where}.${k}`)]));
}

/** Checks the raw text of a reply (Python separators, float time) and returns it parsed. */
function parseRaw(raw: string): Obj {
  const parsed = JSON.parse(raw) as Json;
  assert.ok(isObj(parsed), `a JSON object: ${raw}`);
  assert.equal(raw, pyDumps(parsed), 'Python json.dumps separators ", " and ": ", nothing else');
  assert.match(raw, /"time": \d+\.\d+[,}]/, 'time is a float literal');
  assert.ok(Math.abs((parsed.time as number) - Date.now() / 1000) < 600, `time ${String(parsed.time)} is epoch seconds`);
  return parsed;
}

interface Step {
  /** The request body, exactly as captured. */
  req: string;
  /** circusd's reply, exactly as captured. */
  circus: string;
  /** Turns the normalised capture into what ringd must send: each change is a documented, deliberate difference. */
  adjust?: (expected: Obj) => void;
  /** Further checks on the raw parsed reply. */
  check?: (reply: Obj) => void | Promise<void>;
  /** Masks, in a copy of ringd's reply, what `check` verifies instead of the comparison. */
  mask?: (reply: Obj) => void;
  /** Payload objects where ringd adds options of its own to Circus's: there, keys absent from the capture are not compared. */
  extrasAt?: string[];
}

async function replay(step: Step): Promise<Obj> {
  const reply = parseRaw(await d.request(step.req, 30_000));
  const expected = norm(JSON.parse(step.circus) as Json, '', 'circus') as Obj;
  step.adjust?.(expected);
  const masked = structuredClone(reply);
  step.mask?.(masked);
  const actual = norm(masked, '', 'ringd') as Obj;
  for (const key of step.extrasAt ?? []) {
    const [a, e] = [actual[key], expected[key]];
    if (isObj(a) && isObj(e)) for (const k of Object.keys(a)) if (!(k in e)) delete a[k];
  }
  const label = `${step.req}\n  circus: ${step.circus.slice(0, 300)}\n  ringd:  ${JSON.stringify(reply).slice(0, 300)}`;
  assert.deepEqual(Object.keys(actual), Object.keys(expected), `top-level keys and their order for ${label}`);
  assert.deepEqual(actual, expected, `normalised reply for ${label}`);
  await step.check?.(reply);
  return reply;
}

// Ringmaster serves the stats stream from ringd itself: there is no `circusd-stats` watcher to list, count or stat.
const dropCircusdStats = (names: string[]) => names.filter((n) => n !== 'circusd-stats');

test('read-only commands of capture 14.1', async () => {
  const steps: Step[] = [
    {
      req: '{"id":"req-1","command":"list","properties":{}}',
      circus: '{"status": "ok", "time": 1795810266.9313436, "watchers": ["circusd-stats", "sleeper", "ticker", "web"], "id": "req-1"}',
      adjust: (e) => { e.watchers = dropCircusdStats(e.watchers as string[]); },
    },
    {
      req: '{"id":"req-2","command":"list","properties":{"name":"web"}}',
      circus: '{"status": "ok", "time": 1795810267.0537224, "pids": [7195, 7196], "id": "req-2"}',
      check: (rep) => { assert.ok((rep.pids as number[]).every(pidAlive), 'live pids'); },
    },
    {
      req: '{"id":"req-3","command":"status","properties":{}}',
      circus: '{"status": "ok", "time": 1795810267.1541944, "statuses": {"sleeper": "active", "ticker": "active", "web": "active", "circusd-stats": "active"}, "id": "req-3"}',
      adjust: (e) => { delete (e.statuses as Obj)['circusd-stats']; },
    },
    {
      // Circus quirk kept: with a name, the watcher's state is the reply's `status`.
      req: '{"id":"req-4","command":"status","properties":{"name":"sleeper"}}',
      circus: '{"status": "active", "time": 1795810267.2527468, "id": "req-4"}',
    },
    {
      req: '{"id":"req-5","command":"numprocesses","properties":{"name":"web"}}',
      circus: '{"status": "ok", "time": 1795810267.3452291, "numprocesses": 2, "watcher_name": "web", "id": "req-5"}',
    },
    {
      // No [socket:] sections in this config (and ringd binds no sockets for watchers): an empty list, same shape.
      req: '{"id":"req-6","command":"listsockets","properties":{}}',
      circus: '{"status": "ok", "time": 1795810267.4584267, "sockets": [{"fd": 10, "name": "web", "backlog": 2048, "host": "127.0.0.1", "port": 8765}], "id": "req-6"}',
      adjust: (e) => { e.sockets = []; },
    },
    {
      req: '{"id":"req-7","command":"globaloptions","properties":{}}',
      circus: '{"status": "ok", "time": 1795810267.561653, "options": {"endpoint": "tcp://127.0.0.1:5555", "stats_endpoint": "tcp://127.0.0.1:5557", "pubsub_endpoint": "tcp://127.0.0.1:5556", "check_delay": 5.0, "multicast_endpoint": "udp://237.219.251.97:12027"}, "id": "req-7"}',
      adjust: (e) => {
        e.options = {
          // The endpoints as bound (the test config asks for port 0).
          endpoint: r.endpoints.control, stats_endpoint: r.endpoints.stats, pubsub_endpoint: r.endpoints.events,
          // check_delay is [agent] check_interval (default 1 s; Circus's default is 5 s).
          check_delay: 1,
          // No UDP multicast discovery in Ringmaster: null.
          multicast_endpoint: null,
        };
      },
      // Ringmaster's own [agent] options (stats_interval, max_request_bytes, state_dir…) follow Circus's five.
      extrasAt: ['options'],
      check: (rep) => {
        const o = rep.options as Obj;
        assert.deepEqual([o.max_request_bytes, o.state_dir], [MAX_REQUEST_BYTES, `${r.dir}/state`], 'ringd\'s own options are this config\'s');
      },
    },
    {
      req: '{"id":"req-8","command":"dstats","properties":{}}',
      circus: '{"status": "ok", "time": 1795810267.742644, "info": {"mem_info1": "27.88M", "mem_info2": "122.60M", "cpu": 0.0, "mem": 0.116, "ctime": "0:00.31", "pid": 7187, "username": "root", "nice": 0, "create_time": 1795810249.61, "age": 18.132635354995728, "cmdline": "python3", "children": []}, "id": "req-8"}',
      // ringd is a node process, circusd a python3 one.
      adjust: (e) => { (e.info as Obj).cmdline = 'node'; },
      check: (rep) => { assert.equal((rep.info as Obj).pid, r.pid, 'dstats describes ringd itself'); },
    },
    {
      req: '{"id":"req-9","command":"stats","properties":{"name":"sleeper"}}',
      circus: '{"status": "ok", "time": 1795810267.9013667, "name": "sleeper", "info": {"7193": {"mem_info1": "1.52M", "mem_info2": "2.44M", "cpu": 0.0, "mem": 0.006, "ctime": "0:00.10", "pid": 7193, "username": "root", "nice": 0, "create_time": 1795810249.75, "age": 17.930756092071533, "cmdline": "sleep", "children": [], "started": 1795810249.9645164, "wid": 1}, "7194": {"mem_info1": "1.46M", "mem_info2": "2.44M", "cpu": 0.0, "mem": 0.006, "ctime": "0:00.0", "pid": 7194, "username": "root", "nice": 0, "create_time": 1795810249.77, "age": 17.910584449768066, "cmdline": "sleep", "children": [], "started": 1795810249.9882398, "wid": 2}}, "id": "req-9"}',
      check: async (rep) => { assert.deepEqual(Object.keys(rep.info as Obj).map(Number), await r.pids('sleeper')); },
    },
    {
      // circusd's web used its sockets; this config's web has none.
      req: '{"id":"req-10","command":"get","properties":{"name":"web","keys":["numprocesses","use_sockets"]}}',
      circus: '{"status": "ok", "time": 1795810268.0595298, "options": {"numprocesses": 2, "use_sockets": true}, "id": "req-10"}',
      adjust: (e) => { (e.options as Obj).use_sockets = false; },
    },
    {
      // An option of both, not in the capture.
      req: '{"id":"req-10b","command":"get","properties":{"name":"web","keys":["numprocesses","graceful_timeout"]}}',
      circus: '{"status": "ok", "time": 1795810268.0595298, "options": {"numprocesses": 2, "graceful_timeout": 30.0}, "id": "req-10b"}',
    },
    {
      req: '{"id":"e-5","command":"list"}',
      circus: '{"status": "ok", "time": 1795810272.5583, "watchers": ["circusd-stats", "sleeper", "ticker", "web"], "id": "e-5"}',
      adjust: (e) => { e.watchers = dropCircusdStats(e.watchers as string[]); },
    },
    {
      req: '{"id":"e-11","command":"globaloptions","properties":{"option":"check_delay"}}',
      circus: '{"status": "ok", "time": 1795810277.4657083, "options": {"check_delay": 5.0}, "id": "e-11"}',
      adjust: (e) => { e.options = { check_delay: 1 }; }, // check_interval's default, see req-7
    },
  ];
  for (const s of steps) await replay(s);
});

test('mutating and async commands of capture 14.1, with and without waiting', async () => {
  const sleepers = await r.pids('sleeper');
  let before: number[] = [];
  const steps: Step[] = [
    {
      req: '{"id":"w-1","command":"incr","properties":{"name":"sleeper"}}',
      circus: '{"status": "ok", "time": 1795811240.8119574, "id": "w-1"}',
    },
    {
      req: '{"id":"w-2","command":"incr","properties":{"name":"sleeper","nb":2,"waiting":true}}',
      circus: '{"status": "ok", "time": 1795811240.9553723, "numprocesses": 5, "id": "w-2"}',
      check: async () => {
        const now = await r.pids('sleeper');
        assert.equal(now.length, 5, 'the reply came once all five run');
        assert.deepEqual(now.slice(0, 2), sleepers, 'incr restarts nothing');
      },
    },
    {
      req: '{"id":"w-3","command":"decr","properties":{"name":"sleeper","nb":3,"waiting":true}}',
      circus: '{"status": "ok", "time": 1795811241.0533733, "numprocesses": 2, "id": "w-3"}',
      check: async () => {
        assert.deepEqual(await r.pids('sleeper'), sleepers, 'decr stops the highest wids');
        before = sleepers;
      },
    },
    {
      req: '{"id":"w-4","command":"restart","properties":{"name":"sleeper","waiting":true}}',
      circus: '{"status": "ok", "time": 1795811241.2959816, "info": {"stopped": [20850, 20851], "started": [20858, 20859], "kept": []}, "id": "w-4"}',
      check: async (rep) => {
        const info = rep.info as Obj;
        assert.deepEqual(info.stopped, before);
        assert.deepEqual(info.started, await r.pids('sleeper'));
        assert.ok(before.every((p) => !pidAlive(p)), 'the old processes are gone when the reply comes');
        before = info.started as number[];
      },
    },
    {
      req: '{"id":"w-5","command":"reload","properties":{"name":"sleeper","graceful":true,"sequential":false,"waiting":true}}',
      circus: '{"status": "ok", "time": 1795811241.5386214, "info": {"stopped": [20858, 20859], "started": [20863, 20864], "kept": []}, "id": "w-5"}',
      check: async (rep) => {
        const info = rep.info as Obj;
        assert.deepEqual(info.stopped, before);
        assert.deepEqual(info.started, await r.pids('sleeper'));
      },
    },
    {
      req: '{"id":"w-6","command":"stop","properties":{"name":"sleeper","waiting":true}}',
      circus: '{"status": "ok", "time": 1795811241.731195, "info": null, "id": "w-6"}',
    },
    {
      // Not in the capture: the `status NAME` quirk for a stopped watcher.
      req: '{"id":"w-6b","command":"status","properties":{"name":"sleeper"}}',
      circus: '{"status": "stopped", "time": 1795811241.8, "id": "w-6b"}',
    },
    {
      req: '{"id":"w-7","command":"start","properties":{"name":"sleeper","waiting":true}}',
      circus: '{"status": "ok", "time": 1795811241.9434752, "info": {"started": [20878, 20885], "kept": []}, "id": "w-7"}',
      check: async (rep) => {
        before = await r.pids('sleeper');
        assert.deepEqual((rep.info as Obj).started, before);
      },
    },
    {
      req: '{"id":"w-8","command":"restart","properties":{"name":"s*","match":"glob","waiting":true}}',
      circus: '{"status": "ok", "time": 1795811242.1557646, "info": {"stopped": [20878, 20885], "started": [20913, 20914], "kept": []}, "id": "w-8"}',
      check: (rep) => { assert.deepEqual((rep.info as Obj).stopped, before); },
    },
    {
      req: '{"id":"w-9","command":"add","properties":{"name":"Extra2","cmd":"sleep 99","args":[],"options":{"numprocesses":2,"graceful_timeout":1.5},"start":true}}',
      circus: '{"status": "ok", "time": 1795811242.2849443, "id": "w-9"}',
    },
    {
      req: '{"id":"w-10","command":"set","properties":{"name":"extra2","options":{"numprocesses":1},"waiting":true}}',
      circus: '{"status": "ok", "time": 1795811242.5108345, "id": "w-10"}',
      check: async () => { assert.equal((await r.pids('extra2')).length, 1, 'the started watcher was resized (commands run in order)'); },
    },
    {
      req: '{"id":"w-11","command":"options","properties":{"name":"extra2"}}',
      circus: '{"status": "ok", "time": 1795811242.6027858, "options": {"args": [], "close_child_stderr": false, "close_child_stdin": true, "close_child_stdout": false, "cmd": "sleep 99", "copy_env": false, "env": null, "executable": null, "gid": null, "graceful_timeout": 1.5, "max_age": 0, "max_age_variance": 30, "max_retry": 5, "numprocesses": 1, "on_demand": false, "priority": 0, "respawn": true, "send_hup": false, "shell": false, "shell_args": null, "singleton": false, "stderr_stream_conf": null, "stdout_stream_conf": null, "stop_children": false, "stop_signal": 15, "uid": null, "use_sockets": false, "warmup_delay": 0.0, "working_dir": "/srv/app"}, "id": "w-11"}',
      adjust: (e) => {
        const o = e.options as Obj;
        // Streams are reported as configured, under their config-file keys (stdout_stream / stderr_stream).
        delete o.stdout_stream_conf;
        delete o.stderr_stream_conf;
        Object.assign(o, {
          stdout_stream: null, stderr_stream: null,
          // Empty tables/lists instead of null; working_dir null = ringd's own (the capture ran circusd in /srv/app).
          env: {}, shell_args: [], working_dir: null,
        });
      },
      // Ringmaster's own watcher options (autostart, depends_on, backoff_*, hooks, output_lines…) sorted among Circus's.
      extrasAt: ['options'],
      check: (rep) => {
        const keys = Object.keys(rep.options as Obj);
        assert.deepEqual(keys, [...keys].sort(), 'options sorted by key, as circusd sends them');
      },
    },
    {
      // One watcher less than circusd: no circusd-stats.
      req: '{"id":"w-12","command":"numwatchers","properties":{}}',
      circus: '{"status": "ok", "time": 1795811242.6949148, "numwatchers": 5, "id": "w-12"}',
      adjust: (e) => { e.numwatchers = 4; },
    },
    {
      // One process less than circusd: no circusd-stats.
      req: '{"id":"w-13","command":"numprocesses","properties":{}}',
      circus: '{"status": "ok", "time": 1795811242.792936, "numprocesses": 7, "id": "w-13"}',
      adjust: (e) => { e.numprocesses = 6; },
    },
    {
      req: '{"id":"w-14","command":"signal","properties":{"name":"extra2","signum":"USR1"}}',
      circus: '{"status": "ok", "time": 1795811242.8816838, "id": "w-14"}',
    },
    {
      req: '{"id":"w-15","command":"kill","properties":{"name":"sleeper","signum":"TERM","graceful_timeout":2}}',
      circus: '{"status": "ok", "time": 1795811248.9901004, "id": "w-15"}',
    },
    {
      req: '{"id":"w-16","command":"rm","properties":{"name":"extra2","waiting":true}}',
      circus: '{"status": "ok", "time": 1795811249.1821568, "id": "w-16"}',
    },
    {
      req: '{"id":"w-17","command":"stats","properties":{}}',
      circus: '{"status": "ok", "time": 1795811249.2951174, "infos": {"sleeper": {"20913": "No such process (stopped?)", "20914": "No such process (stopped?)"}, "ticker": {"20811": {"mem_info1": "1.68M", "mem_info2": "2.53M", "cpu": 0.0, "mem": 0.007, "ctime": "0:00.50", "pid": 20811, "username": "root", "nice": 0, "create_time": 1795811237.53, "age": 11.526733160018921, "cmdline": "sh", "children": [{"mem_info1": "1.45M", "mem_info2": "2.44M", "cpu": 0.0, "mem": 0.006, "ctime": "0:00.0", "pid": 20959, "username": "root", "nice": 0, "create_time": 1795811247.63, "age": 1.6513073444366455, "cmdline": "sleep", "children": []}], "started": 1795811237.7486498, "wid": 1}}, "web": {"20819": {"mem_info1": "17.80M", "mem_info2": "23.96M", "cpu": 0.0, "mem": 0.074, "ctime": "0:00.12", "pid": 20819, "username": "root", "nice": 0, "create_time": 1795811237.69, "age": 11.380955934524536, "cmdline": "python3", "children": [], "started": 1795811237.9006894, "wid": 1}, "20825": {"mem_info1": "17.65M", "mem_info2": "23.96M", "cpu": 0.0, "mem": 0.073, "ctime": "0:00.14", "pid": 20825, "username": "root", "nice": 0, "create_time": 1795811237.73, "age": 11.344074487686157, "cmdline": "python3", "children": [], "started": 1795811237.9422667, "wid": 2}}, "circusd-stats": {"20827": {"mem_info1": "32.16M", "mem_info2": "121.72M", "cpu": 0.0, "mem": 0.133, "ctime": "0:00.47", "pid": 20827, "username": "root", "nice": 0, "create_time": 1795811237.82, "age": 11.2637619972229, "cmdline": "python3", "children": [], "started": 1795811238.027204, "wid": 1}}}, "id": "w-17"}',
      adjust: (e) => {
        const infos = e.infos as Obj;
        delete infos['circusd-stats'];
        // Our web is `sleep`, circusd's a python3 app.
        for (const info of Object.values(infos.web as Obj)) (info as Obj).cmdline = 'sleep';
        // Right after `kill`, Circus reports the killed pids as the string "No such process (stopped?)"; Ringmaster
        // leaves vanished processes out (documented in `stats`' help). Which sleeper pids are listed at this instant
        // (old ones still stopping, or their replacements) is timing: checked below, not compared.
        infos.sleeper = '<checked separately>';
      },
      mask: (rep) => { (rep.infos as Obj).sleeper = '<checked separately>'; },
      check: (rep) => {
        const sleeper = (rep.infos as Obj).sleeper as Obj;
        assert.ok(isObj(sleeper), 'sleeper: an object');
        for (const [pid, info] of Object.entries(sleeper)) {
          assert.ok(isObj(info), `sleeper ${pid}: a process-info object, never a string`);
          assert.equal(info.cmdline, 'sleep');
        }
      },
    },
    {
      req: '{"id":"w-18","command":"reloadconfig","properties":{"waiting":true}}',
      circus: '{"status": "ok", "time": 1795811249.3878772, "id": "w-18"}',
    },
  ];
  for (const s of steps) {
    await replay(s);
  }
  await waitPids(r, 'sleeper', 2);
  assert.equal((await r.control.call('status', { name: 'extra2' })).status, 'error', 'rm removed extra2');
});

test('errors of capture 14.1: errno and reason', async () => {
  const steps: Step[] = [
    {
      req: '{"id":"e-1","command":"nosuchcmd","properties":{}}',
      circus: '{"status": "error", "reason": "unknown command: \'nosuchcmd\'", "tb": null, "time": 1795810271.8726788, "errno": 2, "id": "e-1"}',
    },
    {
      req: 'this is not json',
      circus: '{"status": "error", "reason": "json invalid", "tb": null, "time": 1795810272.0977857, "errno": 1, "id": null}',
    },
    {
      req: '{"id":"e-3","command":"get","properties":{"name":"web"}}',
      circus: '{"status": "error", "reason": "message invalid \'keys\' is missing", "tb": null, "time": 1795810272.2662923, "errno": 3, "id": "e-3"}',
    },
    {
      req: '{"id":"e-4","command":"status","properties":{"name":"nope"}}',
      circus: '{"status": "error", "reason": "program nope not found", "tb": null, "time": 1795810272.4116082, "errno": 3, "id": "e-4"}',
    },
    {
      // Same errno; the reason is that of the config-file checker (set's options are validated like [watchers.NAME] keys).
      req: '{"id":"e-6","command":"set","properties":{"name":"web","options":{"numprocesses":"3"}}}',
      circus: '{"status": "error", "reason": "\'numprocesses\' isn\'t an integer", "tb": null, "time": 1795810272.7051423, "errno": 3, "id": "e-6"}',
      adjust: (e) => { e.reason = 'set web: watchers.web.numprocesses: expected an integer ≥ 0, got "3"'; },
    },
    {
      // Same errno; the checker's reason.
      req: '{"id":"w-20","command":"set","properties":{"name":"sleeper","options":{"bogus":1}}}',
      circus: '{"status": "error", "reason": "unknown key \'bogus\'", "tb": null, "time": 1795811249.5642867, "errno": 3, "id": "w-20"}',
      adjust: (e) => { e.reason = 'set sleeper: watchers.sleeper.bogus: unknown option'; },
    },
    {
      // Circus fails with errno 5 and a Python traceback (AttributeError on signal.SIGNOSIG); Ringmaster validates the
      // property: errno 3 (MESSAGE_ERROR), a reason naming it, no traceback.
      req: '{"id":"e-7","command":"signal","properties":{"name":"web","signum":"NOSIG"}}',
      circus: '{"status": "error", "reason": "command b\'{\\"id\\":\\"e-7\\",\\"command\\":\\"signal\\",\\"properties\\":{\\"name\\":\\"web\\",\\"signum\\":\\"NOSIG\\"}}\': module \'signal\' has no attribute \'SIGNOSIG\'", "tb": "Traceback (most recent call last):\\n  …AttributeError: module \'signal\' has no attribute \'SIGNOSIG\'\\n", "time": 1795810272.8699465, "errno": 5, "id": "e-7"}',
      adjust: (e) => { Object.assign(e, { reason: 'property \'signum\' must be a signal name or number, got "NOSIG"', tb: null, errno: 3 }); },
    },
    {
      // Same errno 5 and the same exception text, without Circus's `command b'<raw request>': ` prefix and traceback.
      req: '{"id":"w-19","command":"add","properties":{"name":"sleeper","cmd":"sleep 1"}}',
      circus: '{"status": "error", "reason": "command b\'{\\"id\\":\\"w-19\\",\\"command\\":\\"add\\",\\"properties\\":{\\"name\\":\\"sleeper\\",\\"cmd\\":\\"sleep 1\\"}}\': \'sleeper\' already exist", "tb": "Traceback (most recent call last):\\n  …circus.exc.AlreadyExist: \'sleeper\' already exist\\n", "time": 1795811249.4814787, "errno": 5, "id": "w-19"}',
      adjust: (e) => { Object.assign(e, { reason: "'sleeper' already exist", tb: null }); },
    },
    {
      req: '{"id":"e-10","command":"stats","properties":{"name":"web","process":1}}',
      circus: '{"status": "error", "reason": "process 1 not found in \'web\'", "tb": null, "time": 1795810277.3010025, "errno": 3, "id": "e-10"}',
    },
    {
      // Same errno; `match` is validated like every property, with the accepted values in the reason.
      req: '{"id":"e-12","command":"start","properties":{"name":"x*","match":"bogus"}}',
      circus: '{"status": "error", "reason": "unknown match method bogus", "tb": null, "time": 1795810277.6047883, "errno": 3, "id": "e-12"}',
      adjust: (e) => { e.reason = 'property \'match\' must be one of glob, simple, regex, got "bogus"'; },
    },
  ];
  const pids = await r.pids('web');
  for (const s of steps) await replay(s);
  assert.deepEqual(await r.pids('web'), pids, 'no error changed anything');
});

test('envelope edge cases: cast, empty body, unknown property, oversize and multi-frame requests', async () => {
  // A cast gets no reply at all, but runs: `incr` through a cast raises numprocesses.
  await d.send('{"id":"e-8","command":"incr","msg_type":"cast","properties":{"name":"sleeper"}}');
  await waitPids(r, 'sleeper', 3);
  await d.send('{"id":"e-8b","command":"list","msg_type":"cast","properties":{}}');
  const after = parseRaw(await d.request('{"id":"after-cast","command":"decr","properties":{"name":"sleeper","waiting":true}}'));
  assert.equal(after.id, 'after-cast', 'the next reply is the next request\'s: the casts got none');
  assert.equal(after.numprocesses, 2);
  assert.equal(await d.next(1500), undefined, 'nothing else arrives (receive timeout)');

  // Circus sends nothing back for an empty or whitespace body (an internal error); Ringmaster replies errno 1, id null.
  for (const body of ['   ', '']) {
    const e = parseRaw(await d.request(body));
    assert.deepEqual(Object.keys(e), ['status', 'reason', 'tb', 'time', 'errno', 'id']);
    assert.deepEqual([e.status, e.errno, e.id, e.reason], ['error', 1, null, 'empty request']);
  }
  // Not UTF-8 and not an object: INVALID_JSON with id null too.
  const bad = parseRaw(await d.request(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])));
  assert.deepEqual([bad.errno, bad.id], [1, null]);
  assert.match(String(bad.reason), /UTF-8/);
  assert.deepEqual([parseRaw(await d.request('[1, 2]')).errno, parseRaw(await d.request('42')).errno], [1, 1]);

  // An unknown property is errno 3 naming it (and the accepted ones).
  const unknown = parseRaw(await d.request('{"id":"u-1","command":"list","properties":{"bogus":1}}'));
  assert.deepEqual([unknown.status, unknown.errno, unknown.id], ['error', 3, 'u-1']);
  assert.match(String(unknown.reason), /^unknown property 'bogus' for command 'list'/);
  // An unknown envelope key too.
  const extra = parseRaw(await d.request('{"id":"u-2","command":"list","extra":1}'));
  assert.deepEqual([extra.errno, extra.id], [3, 'u-2']);
  assert.match(String(extra.reason), /unknown key 'extra'/);

  // A request above [agent] max_request_bytes is refused unparsed (so id null), errno 3; a request just under is served.
  const name = 'x'.repeat(MAX_REQUEST_BYTES);
  const big = parseRaw(await d.request(JSON.stringify({ id: 'big', command: 'status', properties: { name } })));
  assert.deepEqual([big.status, big.errno, big.id], ['error', 3, null]);
  assert.match(String(big.reason), new RegExp(`exceeds the limit of ${MAX_REQUEST_BYTES} bytes`));
  const fits = parseRaw(await d.request(JSON.stringify({ id: 'fits', command: 'status', properties: { name: name.slice(0, MAX_REQUEST_BYTES - 200) } })));
  assert.deepEqual([fits.errno, fits.id], [3, 'fits']);
  assert.match(String(fits.reason), /^program x+ not found$/);

  // Circus only logs "got unexpected message" for a DEALER message of two frames; Ringmaster replies errno 3.
  await d.send(['{"id":"m-1","command":"list"}', '{"id":"m-2","command":"list"}']);
  const multi = parseRaw((await d.next(20_000))!);
  assert.deepEqual([multi.status, multi.errno, multi.id], ['error', 3, null]);
  assert.match(String(multi.reason), /expected one frame, got 2/);
  assert.equal(await d.next(1000), undefined, 'neither frame was run as a request');
});

test('REQ sockets get replies (circusd never answered them)', async () => {
  // A plain REQ: envelope [identity, "", body].
  const req = new zmq.Request({ linger: 0, receiveTimeout: 20_000, sendTimeout: 20_000 });
  try {
    req.connect(r.endpoints.control);
    await req.send('{"id":"r-1","command":"list","properties":{}}');
    const [frame] = await req.receive();
    const reply = parseRaw(frame.toString('utf8'));
    assert.deepEqual(Object.keys(reply), ['status', 'time', 'watchers', 'id']);
    assert.deepEqual([reply.status, reply.id, reply.watchers], ['ok', 'r-1', ['sleeper', 'ticker', 'web']]);
  } finally {
    req.close();
  }
  // A REQ with `correlate` (one more envelope frame, echoed back), as the test client uses it.
  const c = r.client({ type: 'req' });
  assert.equal((await c.call('status', { name: 'web' }, { timeoutMs: 20_000 })).status, 'active');
  assert.deepEqual((await c.call('numprocesses', {}, { timeoutMs: 20_000 })).numprocesses, 5);
});

test('nested payloads keep circusd\'s key order (info: stopped, started, kept; globaloptions: endpoint, stats_endpoint, pubsub_endpoint…)', async () => {
  // circusctl prints `globaloptions` and `restart --waiting` results in the order of the reply's keys.
  const restart = parseRaw(await d.request('{"id":"o-1","command":"restart","properties":{"name":"web","waiting":true}}', 30_000));
  const reload = parseRaw(await d.request('{"id":"o-2","command":"reload","properties":{"name":"web","waiting":true}}', 30_000));
  const g = parseRaw(await d.request('{"id":"o-3","command":"globaloptions","properties":{}}'));
  const found = {
    restart: Object.keys(restart.info as Obj),
    reload: Object.keys(reload.info as Obj),
    globaloptions: Object.keys(g.options as Obj).slice(0, 5),
  };
  assert.deepEqual(found, {
    restart: ['stopped', 'started', 'kept'],
    reload: ['stopped', 'started', 'kept'],
    globaloptions: ['endpoint', 'stats_endpoint', 'pubsub_endpoint', 'check_delay', 'multicast_endpoint'],
  });
});

test('quit --waiting replies, then ringd stops every process and exits 0 (capture q-1)', async () => {
  const pids = [...(await r.pids('sleeper')), ...(await r.pids('ticker')), ...(await r.pids('web'))];
  assert.equal(pids.length, 5);
  await replay({
    req: '{"id":"q-1","command":"quit","properties":{"waiting":true}}',
    circus: '{"status": "ok", "time": 1795811253.9357069, "id": "q-1"}',
    check: () => { assert.deepEqual(pids.filter(pidAlive), [], 'the reply comes once everything has stopped'); },
  });
  const code = await waitFor(() => (r.ringd.child.exitCode !== null || r.ringd.child.signalCode !== null) && { code: r.ringd.child.exitCode },
    { what: 'ringd to exit after quit', timeoutMs: 30_000 });
  assert.equal(code.code, 0);
  await waitGone(pids, 5000);
});
