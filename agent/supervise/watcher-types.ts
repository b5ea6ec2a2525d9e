/** What a watcher needs from its arbiter, and what it reports about itself. */
import type { WatcherState } from '../../protocol/states.ts';
import type { RingEventInput } from '../../protocol/events.ts';
import type { Logger } from '../log.ts';
import type { SocketManager } from '../sockets/manager.ts';
import type { ProcessInfo } from './slot-types.ts';

/** What a watcher needs from its arbiter. */
export interface WatcherHost {
  readonly log: Logger;
  readonly sockets: SocketManager;
  /** Folder for per-process NOTIFY_SOCKETs. */
  readonly notifyDir: string;
  emit(e: RingEventInput): void;
  nextMarker(): string;
  childStarted(watcher: string, pid: number, marker: string): void;
  childEnded(watcher: string, pid: number): void;
  /** One line of a process's output (after it went to the sinks and the ring). */
  output(line: OutputEvent): void;
}

/** A line of output as the arbiter re-emits it (to followers of the watcher). */
export interface OutputEvent {
  watcher: string;
  stream: 'stdout' | 'stderr';
  pid: number;
  wid: number;
  /** When the line was read, ms since the epoch. */
  time: number;
  /** The raw line, without its newline. */
  line: Buffer;
}

export interface WatcherStatus {
  name: string;
  state: WatcherState;
  numprocesses: number;
  priority: number;
  depends_on: string[];
  pending: number;
  processes: ProcessInfo[];
}
