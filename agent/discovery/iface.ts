/** Where discovery runs: the interface to join on, the agent's fleet id, and which endpoints other hosts can reach. */
import os from 'node:os';
import { isIPv4 } from 'node:net';

export interface Interface {
  name: string;
  address: string;
}

/** IPv4 addresses of the interfaces that are up and running (libuv leaves out those without carrier). */
function ipv4Interfaces(): Interface[] {
  const out: Interface[] = [];
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4') out.push({ name, address: a.address });
  }
  return out;
}

const listing = (all: Interface[]): string => (all.length ? all.map((i) => `${i.name} ${i.address}`).join(', ') : 'none');

/**
 * The interface named by `spec` (a name or an IPv4 address), or the first non-loopback IPv4 one.
 * Returns a plain-English reason when there is none.
 */
export function resolveInterface(spec: string | undefined): Interface | { error: string } {
  const all = ipv4Interfaces();
  if (spec === undefined) {
    const found = all.find((i) => !i.address.startsWith('127.'));
    return found ?? { error: `no non-loopback IPv4 interface (have: ${listing(all)}); set [discovery] interface` };
  }
  if (isIPv4(spec)) {
    return all.find((i) => i.address === spec) ?? { error: `no running interface has the address ${spec} (have: ${listing(all)})` };
  }
  return all.find((i) => i.name === spec) ?? { error: `no running IPv4 interface named ${spec} (have: ${listing(all)})` };
}

/** The agent's id in the fleet: [agent] id, else the short host name with anything a NATS subject cannot hold replaced. */
export function agentId(configured: string | undefined, hostname = os.hostname()): string {
  if (configured) return configured;
  const short = hostname.split('.')[0].replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
  return short || 'ringd';
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i;
const WILDCARD = /^(0\.0\.0\.0|\*|\[::\])$/;

/**
 * Forms of a bound ZeroMQ endpoint that another host can connect to: a wildcard bind becomes the
 * discovery interface's address; loopback and ipc:// endpoints are not reachable from elsewhere.
 */
export function routableEndpoints(endpoint: string, ifaceAddress: string): string[] {
  const m = /^tcp:\/\/(.+):(\d+)$/.exec(endpoint);
  if (!m) return [];
  const [, host, port] = m;
  if (LOOPBACK.test(host)) return [];
  if (WILDCARD.test(host)) return [`tcp://${ifaceAddress}:${port}`];
  return [endpoint];
}
