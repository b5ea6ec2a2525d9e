/**
 * Following a watcher's output on fleet hosts, for `ringctl logs -f` and the TUI's log pane: its log
 * subject on every host, with a follow lease asked at once and renewed every third of its length
 * (agents publish output only while someone holds a lease).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { LogChunk } from '../protocol/fleet/payloads.ts';
import { subjects } from '../protocol/fleet/subjects.ts';

/** How long each lease lasts; renewed every third of it. */
export const FOLLOW_LEASE_MS = 15_000;

export interface FollowHandlers {
  chunk(host: string, chunk: LogChunk): void;
  leaseFailed(host: string, err: Error): void;
}

export interface Following {
  /** Resolves once the subscriptions are known to the server and the first leases were answered (or failed). */
  ready: Promise<void>;
  stop(): void;
}

export function followHosts(nc: NatsConnection, watcher: string, hosts: readonly string[], timeoutMs: number, on: FollowHandlers): Following {
  let stopped = false;
  const subs = hosts.map((host) => nc.subscribe(subjects.log(host, watcher), {
    callback: (err, m) => {
      if (err || stopped) return;
      let chunk: LogChunk;
      try {
        chunk = m.json<LogChunk>();
      } catch {
        return; // not an agent's chunk: nothing to show
      }
      on.chunk(host, chunk);
    },
  }));
  const lease = () => Promise.all(hosts.map((host) =>
    nc.request(subjects.follow(host), JSON.stringify({ watcher, lease_ms: FOLLOW_LEASE_MS }), { timeout: timeoutMs })
      .then(() => undefined, (err: Error) => { if (!stopped) on.leaseFailed(host, err); })));
  const renew = setInterval(() => void lease(), FOLLOW_LEASE_MS / 3);
  const ready = nc.flush().catch(() => undefined).then(lease).then(() => undefined);
  return {
    ready,
    stop: () => {
      stopped = true;
      clearInterval(renew);
      for (const s of subs) s.unsubscribe();
    },
  };
}
