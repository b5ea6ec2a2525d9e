// Multi-host test lab built from Linux network namespaces (root only; see PLATFORM-NOTES.md §2).
//
// Layout for createLab(n): one namespace holding a bridge `br0`, and n "host" namespaces, each with `lo` up and one veth
// (`veth0`, address 10.213.<octet>.<i>/24, route 224.0.0.0/4) whose peer `p<i>` is a port of the bridge. Nothing is ever
// created in the root namespace: the veth pairs are created from inside the bridge namespace. The subnet exists only
// inside the lab's namespaces, so traffic never leaves them.
//
// Cleanup: teardown() kills the process group of everything started through Host.exec/run, kills anything else still
// inside the lab's namespaces (`ip netns pids`), and deletes the namespaces (which removes the veths and the bridge).
// It also runs synchronously on process exit and on SIGINT/SIGTERM. createLab removes stale namespaces of earlier
// crashed runs: only names matching `<prefix>-<pid>-<counter>-(br|h<i>)` whose <pid> is no longer alive.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface ExecOptions {
  /** Merged over process.env. */
  env?: Record<string, string>;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Host {
  /** "h1".."hn". */
  name: string;
  /** The namespace name (for `ip netns exec <ns>` / `ip -n <ns>`). */
  ns: string;
  /** The IPv4 address of iface, without the prefix length, e.g. "10.213.42.1". */
  addr: string;
  /** The host's veth interface inside ns ("veth0"). */
  iface: string;
  /** `ip netns exec <ns> cmd args…`: stdio piped, detached (own process group), killed (group) at teardown. */
  exec(cmd: string, args: string[], opts?: ExecOptions): ChildProcess;
  /** Like exec, and resolves with the exit code and output once it exits (SIGKILLed after 60 s). */
  run(cmd: string, args: string[], opts?: ExecOptions): Promise<RunResult>;
  /** Partition: sets the bridge-side end of this host's veth down (the host sees NO-CARRIER; its config is kept). */
  cut(): Promise<void>;
  /** Undoes cut(): bridge port up again (and makes sure the host's link and multicast route are in place). */
  reconnect(): Promise<void>;
}

export interface Lab {
  hosts: Host[];
  /** The namespace holding the bridge "br0". */
  bridgeNs: string;
  /** The lab's subnet, e.g. "10.213.42.0/24". */
  subnet: string;
  /** Every namespace of the lab (bridge first). */
  namespaces: string[];
  /** Pids of every process started through exec/run (alive or not). */
  pids(): number[];
  /** Idempotent; never throws (problems are collected and thrown as one error after everything was attempted). */
  teardown(): Promise<void>;
}

export const DEFAULT_PREFIX = 'rmlab';
const IP = existsSync('/usr/sbin/ip') ? '/usr/sbin/ip' : existsSync('/sbin/ip') ? '/sbin/ip' : 'ip';
const RUN_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------------------------------------------------------------
// `ip` helpers

function ipAsync(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(IP, args, { timeout: 30_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`ip ${args.join(' ')} failed: ${String(stderr).trim() || err.message}`));
      else resolve();
    });
  });
}

function ipSync(args: string[]): { ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync(IP, args, { encoding: 'utf8', timeout: 30_000 });
  return { ok: r.status === 0, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') || (r.error?.message ?? '') };
}

/** Names from `ip netns list` (lines look like "name (id: 3)" or "name"). */
export function listNetns(): string[] {
  const r = ipSync(['netns', 'list']);
  if (!r.ok) return [];
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((s) => s.length > 0);
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function killQuietly(pid: number, sig: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

/** SIGKILLs every process inside ns (`ip netns pids`) and deletes the namespace. Synchronous; returns an error text or ''. */
function destroyNetnsSync(ns: string): string {
  const pids = ipSync(['netns', 'pids', ns]);
  if (pids.ok) {
    for (const p of pids.stdout.split(/\s+/).filter(Boolean)) {
      const pid = Number(p);
      if (pid > 0 && pid !== process.pid) killQuietly(pid);
    }
  }
  const del = ipSync(['netns', 'del', ns]);
  if (!del.ok && listNetns().includes(ns)) return `ip netns del ${ns}: ${del.stderr.trim()}`;
  return '';
}

// ---------------------------------------------------------------------------------------------------------------------
// Availability probe

let availability: { ok: true } | { ok: false; reason: string } | undefined;

/**
 * Whether labs can be created here: root, `ip` present, and a probe namespace with a bridge and a veth pair can be
 * added and deleted. Probed once per process; the answer is cached.
 */
export function netnsAvailable(): { ok: true } | { ok: false; reason: string } {
  if (availability) return availability;
  availability = probe();
  return availability;
}

function probe(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: `network namespaces need Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'network namespaces need root (uid 0)' };
  const v = spawnSync(IP, ['-V'], { encoding: 'utf8' });
  if (v.status !== 0) return { ok: false, reason: `iproute2 \`ip\` not usable (${v.error?.message ?? v.stderr})` };
  const ns = `${DEFAULT_PREFIX}probe${process.pid}`;
  try {
    const steps: string[][] = [
      ['netns', 'add', ns],
      ['-n', ns, 'link', 'add', 'br0', 'type', 'bridge'],
      ['-n', ns, 'link', 'add', 'pa', 'type', 'veth', 'peer', 'name', 'pb'],
      ['-n', ns, 'link', 'set', 'pa', 'master', 'br0'],
      ['-n', ns, 'link', 'set', 'lo', 'up'],
    ];
    for (const args of steps) {
      const r = ipSync(args);
      if (!r.ok) return { ok: false, reason: `\`ip ${args.join(' ')}\` failed: ${r.stderr.trim()}` };
    }
    return { ok: true };
  } finally {
    if (listNetns().includes(ns)) ipSync(['netns', 'del', ns]);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Registry of live labs, torn down synchronously on exit / SIGINT / SIGTERM

interface LabState {
  namespaces: string[]; // created so far, bridge first
  children: Set<ChildProcess>;
  allPids: number[];
  done: boolean;
}

const liveLabs = new Set<LabState>();
let counter = 0;
let hooksInstalled = false;

function teardownSync(state: LabState): string[] {
  const errors: string[] = [];
  state.done = true;
  for (const child of state.children) if (child.pid) killQuietly(-child.pid);
  // Host namespaces first, then the bridge.
  for (const ns of [...state.namespaces].reverse()) {
    const e = destroyNetnsSync(ns);
    if (e) errors.push(e);
  }
  liveLabs.delete(state);
  return errors;
}

function teardownAllSync(): void {
  for (const state of [...liveLabs]) teardownSync(state);
}

function onSignal(sig: NodeJS.Signals): void {
  teardownAllSync();
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  // Keep the default behaviour (die by the signal) unless somebody else handles it.
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
}
const onSigint = (): void => onSignal('SIGINT');
const onSigterm = (): void => onSignal('SIGTERM');

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', teardownAllSync);
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
}

// ---------------------------------------------------------------------------------------------------------------------
// Stale namespaces

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Namespace name pattern of labs with this prefix; group 1 is the owning pid. */
export function labNamePattern(prefix = DEFAULT_PREFIX): RegExp {
  return new RegExp(`^${escapeRe(prefix)}-(\\d+)-(\\d+)-(br|h\\d+)$`);
}

/**
 * Deletes namespaces named like this prefix's labs whose owning pid is dead (or every one of them with `all`, except
 * this process's own). Returns the deleted names.
 */
export function cleanupStaleNamespaces(prefix = DEFAULT_PREFIX, opts: { all?: boolean } = {}): string[] {
  const re = labNamePattern(prefix);
  const stale: string[] = [];
  for (const ns of listNetns()) {
    const m = re.exec(ns);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid) continue;
    if (opts.all || !pidExists(pid)) stale.push(ns);
  }
  // Hosts before bridges, so each bridge goes last within its lab.
  stale.sort((a, b) => Number(a.endsWith('-br')) - Number(b.endsWith('-br')));
  return stale.filter((ns) => destroyNetnsSync(ns) === '');
}

// ---------------------------------------------------------------------------------------------------------------------
// Labs

/** Third octet for this process's lab number k: deterministic from the pid, in 1..254. */
function thirdOctet(k: number): number {
  return ((process.pid + k * 37) % 254) + 1;
}

/**
 * Creates n hosts on one bridge. Names: `<prefix>-<pid>-<counter>-br` and `…-h1`..`…-h<n>` (default prefix "rmlab").
 * Interface names are per namespace: `veth0` in each host, `p<i>` and `br0` in the bridge namespace.
 */
export async function createLab(n: number, opts: { prefix?: string } = {}): Promise<Lab> {
  if (!Number.isInteger(n) || n < 1 || n > 253) throw new Error(`createLab: n must be 1..253, got ${n}`);
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(prefix)) throw new Error(`createLab: prefix must be alphanumeric, got ${prefix}`);
  const avail = netnsAvailable();
  if (!avail.ok) throw new Error(`createLab: network namespaces unavailable: ${avail.reason}`);
  cleanupStaleNamespaces(prefix);

  const k = counter++;
  const base = `${prefix}-${process.pid}-${k}`;
  const octet = thirdOctet(k);
  const subnet = `10.213.${octet}.0/24`;
  const bridgeNs = `${base}-br`;
  const state: LabState = { namespaces: [], children: new Set(), allPids: [], done: false };
  installHooks();
  liveLabs.add(state);

  const hosts: Host[] = [];
  try {
    await ipAsync(['netns', 'add', bridgeNs]);
    state.namespaces.push(bridgeNs);
    await ipAsync(['-n', bridgeNs, 'link', 'add', 'br0', 'type', 'bridge']);
    await ipAsync(['-n', bridgeNs, 'link', 'set', 'br0', 'up']);
    for (let i = 1; i <= n; i++) {
      const ns = `${base}-h${i}`;
      const iface = 'veth0';
      const port = `p${i}`;
      const addr = `10.213.${octet}.${i}`;
      await ipAsync(['netns', 'add', ns]);
      state.namespaces.push(ns);
      // Created from inside the bridge namespace, the host end moved straight into ns: nothing in the root namespace.
      await ipAsync(['-n', bridgeNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', iface, 'netns', ns]);
      await ipAsync(['-n', bridgeNs, 'link', 'set', port, 'master', 'br0']);
      await ipAsync(['-n', bridgeNs, 'link', 'set', port, 'up']);
      await ipAsync(['-n', ns, 'link', 'set', 'lo', 'up']);
      await ipAsync(['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', iface]);
      await ipAsync(['-n', ns, 'link', 'set', iface, 'up']);
      await ipAsync(['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', iface]);
      hosts.push(makeHost(state, { name: `h${i}`, ns, addr, iface, bridgeNs, port }));
    }
  } catch (err) {
    const errors = teardownSync(state);
    throw new Error(`createLab failed: ${(err as Error).message}${errors.length ? `; cleanup: ${errors.join('; ')}` : ''}`);
  }

  let teardownPromise: Promise<void> | undefined;
  return {
    hosts,
    bridgeNs,
    subnet,
    namespaces: [...state.namespaces],
    pids: () => [...state.allPids],
    teardown: () => (teardownPromise ??= teardownAsync(state)),
  };
}

async function teardownAsync(state: LabState): Promise<void> {
  const children = [...state.children];
  const exited = children.map(
    (c) =>
      new Promise<void>((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) resolve();
        else c.once('exit', () => resolve());
      }),
  );
  const errors = teardownSync(state); // kills the groups, then deletes the namespaces
  // Let the kernel deliver the SIGKILLs and node reap the children, so callers see them gone (bounded wait).
  await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 5000))]);
  if (errors.length) throw new Error(`lab teardown: ${errors.join('; ')}`);
}

function makeHost(
  state: LabState,
  h: { name: string; ns: string; addr: string; iface: string; bridgeNs: string; port: string },
): Host {
  const exec = (cmd: string, args: string[], opts: ExecOptions = {}): ChildProcess => {
    if (state.done) throw new Error(`host ${h.name}: lab already torn down`);
    const child = spawn(IP, ['netns', 'exec', h.ns, cmd, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, ...opts.env },
    });
    if (child.pid !== undefined) state.allPids.push(child.pid);
    state.children.add(child);
    child.once('exit', () => state.children.delete(child));
    child.once('error', () => state.children.delete(child));
    return child;
  };
  return {
    name: h.name,
    ns: h.ns,
    addr: h.addr,
    iface: h.iface,
    exec,
    run(cmd, args, opts) {
      return new Promise((resolve, reject) => {
        let child: ChildProcess;
        try {
          child = exec(cmd, args, opts);
        } catch (err) {
          reject(err as Error);
          return;
        }
        child.stdin?.end();
        let stdout = '';
        let stderr = '';
        child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => child.pid && killQuietly(-child.pid), RUN_TIMEOUT_MS);
        child.once('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        child.once('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      });
    },
    async cut() {
      await ipAsync(['-n', h.bridgeNs, 'link', 'set', h.port, 'down']);
    },
    async reconnect() {
      await ipAsync(['-n', h.ns, 'link', 'set', h.iface, 'up']);
      await ipAsync(['-n', h.ns, 'route', 'replace', '224.0.0.0/4', 'dev', h.iface]);
      await ipAsync(['-n', h.bridgeNs, 'link', 'set', h.port, 'up']);
    },
  };
}
