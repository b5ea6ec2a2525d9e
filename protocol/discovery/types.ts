/**
 * The discovery datagrams (UDP multicast, docs/discovery.md): compact versioned JSON of three kinds,
 * optionally signed with a fleet key. Shared by the agent's announcer, the controller's listener
 * and `ringctl discover`.
 */

export const DISCOVERY_VERSION = 1;
/** Largest datagram sent or accepted (fits any Ethernet MTU, IPv4 and IPv6 headers included). */
export const MAX_DATAGRAM_BYTES = 1200;
/** What the HMAC covers: this prefix, then the datagram text up to the signature. */
export const SIGNATURE_DOMAIN = 'ringmaster-discovery-v1\n';
/** At most this many entries of each list (control endpoints, NATS URLs) are announced. */
export const MAX_ANNOUNCED_URLS = 4;
/** Labels: at most this many, each key and value at most LABEL_MAX_CHARS. */
export const MAX_LABELS = 16;
export const LABEL_MAX_CHARS = 63;
/** …and all of them together at most this many bytes of JSON, so an announcement always fits. */
export const MAX_LABELS_BYTES = 512;

export const DATAGRAM_KINDS = ['announce', 'goodbye', 'query'] as const;
export type DatagramKind = (typeof DATAGRAM_KINDS)[number];

/** Who sends: an agent (ringd), a controller (ringmaster) or a client that only listens (ringctl). */
export const ROLES = ['agent', 'controller', 'client'] as const;
export type Role = (typeof ROLES)[number];

/** Fields every datagram carries. `ts` is the sender's clock (ms since the epoch). */
export interface Header {
  v: typeof DISCOVERY_VERSION;
  k: DatagramKind;
  role: Role;
  /** Agent id (or controller/client name): subject-safe, see ID_PATTERN. */
  id: string;
  /** Changes at every start of the sender: a new boot id means it restarted. */
  boot: string;
  /** Increases by one with every datagram the sender sends during one boot. */
  seq: number;
  ts: number;
}

export interface Announce extends Header {
  k: 'announce';
  host: string;
  ver: string;
  /** Announce interval of the sender (ms): a listener expects the next one within about this. */
  ivl: number;
  /** Control endpoints reachable from other hosts (empty when control is bound to loopback only). */
  ctl: string[];
  /** NATS URLs the sender is connected to (a controller: the URLs agents should use). */
  nats: string[];
  /** Watchers and processes supervised (agents; 0 for others). */
  w: number;
  p: number;
  labels: Record<string, string>;
}

export interface Goodbye extends Header {
  k: 'goodbye';
}

export interface Query extends Header {
  k: 'query';
  /** Which roles should answer; absent = every role. */
  want?: Role[];
}

export type Datagram = Announce | Goodbye | Query;

/** Why a received datagram was dropped; each reason has its own counter. */
export const DROP_REASONS = ['malformed', 'oversize', 'version', 'unsigned', 'forged', 'stale', 'replayed'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** Ids, label keys: what can appear in a NATS subject token. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const LABEL_KEY_PATTERN = /^[A-Za-z0-9_.-]{1,63}$/;

/** The Circus probe: a datagram holding a JSON empty string. */
export function isCircusProbe(buf: Buffer): boolean {
  return buf.toString('latin1').trim() === '""';
}

export function emptyDropCounts(): Record<DropReason, number> {
  return Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
}
