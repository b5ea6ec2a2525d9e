/** The contracts of a process slot: what it needs from its watcher, and what it is asked and reports. */
import type { HookName } from '../../protocol/states.ts';
import type { ProcessView } from '../../protocol/agent-api.ts';
import type { RingEventInput } from '../../protocol/events.ts';
import type { WatcherConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import type { BoundSocket } from '../sockets/types.ts';
import type { HookContext, HookResult } from './hooks.ts';
import type { NotifySocket } from './notify.ts';
import type { ProcessSlot } from './process.ts';

/** What a slot needs from its watcher. */
export interface SlotHost {
  readonly name: string;
  readonly log: Logger;
  config(): WatcherConfig;
  emit(e: RingEventInput): void;
  nextMarker(): string;
  output(stream: 'stdout' | 'stderr', line: Buffer, meta: { pid: number; wid: number; time: number }): void;
  /** May this slot restart after its process ended (watcher active, respawn on)? */
  mayRespawn(): boolean;
  hook(name: HookName, ctx: Omit<HookContext, 'watcher'>): Promise<HookResult>;
  childStarted(slot: ProcessSlot, pid: number, marker: string): void;
  childEnded(slot: ProcessSlot, pid: number): void;
  /** The slot settled in stopped or fatal by itself (no respawn). */
  slotSettled(slot: ProcessSlot): void;
  /** Sockets and readiness channel for one spawn; throws (e.g. a socket that cannot be rebound). */
  spawnResources(marker: string): SpawnResources;
}

export interface SpawnResources {
  sockets: BoundSocket[];
  stdinSocket?: BoundSocket;
  fdOf: Record<string, number>;
  notify?: NotifySocket;
  /** Closes what belongs to this spawn only (its own SO_REUSEPORT sockets) once the child has them. */
  release(): void;
}

export interface StopRequest {
  graceful?: boolean;
  /** Overrides stop_signal (the `kill` command's signum). */
  signal?: number;
  /** Overrides graceful_timeout, in ms. */
  gracefulTimeout?: number;
}

/** What a slot reports about itself (the `ProcessView` of the control protocol). */
export type ProcessInfo = ProcessView;
