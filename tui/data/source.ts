/**
 * The data behind the UI, one interface for both transports: a FleetSource (NATS, through the
 * controllers) and a LocalSource (one ringd over ZeroMQ) push what they learn into a Sink (the
 * store) and follow a watcher's output into a LogSink. Both reconnect by themselves.
 */
import type { OutputLineView } from '../../protocol/agent-api.ts';
import type { AgentView, Heartbeat } from '../../protocol/fleet/messages.ts';
import type { FleetStats } from '../../protocol/fleet/payloads.ts';
import type { ConnState, EventEntry } from './model.ts';

export interface Sink {
  connection(state: ConnState, detail: string): void;
  /** Every agent (hosts missing from it are dropped). */
  snapshot(agents: readonly AgentView[]): void;
  /** One agent's view changed. */
  agent(view: AgentView): void;
  /** Figures of a heartbeat (one agent: its load only). */
  heartbeat(hb: Pick<Heartbeat, 'id' | 'load'> & Partial<Pick<Heartbeat, 'version'>>): void;
  stats(s: FleetStats): void;
  event(e: EventEntry): void;
}

/** One output line, with the host it comes from (null for the one agent). */
export type LogLine = OutputLineView & { host: string | null };

export interface LogSink {
  lines(lines: readonly LogLine[]): void;
  /** Something to tell about the stream: lines dropped, a host that cannot be followed. */
  note(text: string): void;
}

export interface Source {
  readonly mode: 'fleet' | 'local';
  /** Shown in the status line: "fleet nats://…" or the endpoint. */
  readonly target: string;
  /** Starts streaming into `sink`, in the background, reconnecting until close(). */
  start(sink: Sink): void;
  /** Recent lines, then new ones as they come, of `watcher` on `hosts` (ignored for one agent); returns how to stop. */
  follow(watcher: string, hosts: readonly string[], sink: LogSink): () => void;
  close(): Promise<void>;
}

/** Resolves after `ms`, or at once when `signal` aborts (a source closing); never rejects. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
