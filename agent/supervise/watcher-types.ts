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
