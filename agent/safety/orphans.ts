/**
 * Reaps orphans that were reparented to ringd (a child subreaper). A zombie is reaped only when
 * it was already a zombie at the previous sweep: libuv reaps its own children at once, so a
 * zombie that lingers a whole interval is an orphan, and no exit status is stolen from Node.
 * Sweeps run on SIGCHLD (the kernel signals it for every child that exits, reparented or not),
 * never on an idle timer: an agent whose children all run does not wake up for them.
 */
import { ORPHAN_SWEEP_DELAY_MS } from '../defaults.ts';
import { childrenOf, readStat } from '../supervise/proc.ts';
import { waitpidNoHang } from '../supervise/native.ts';

export class OrphanReaper {
  /** Zombies (not Node's children) seen at the last sweep: reaped at the next one if still there. */
  private seen = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly onChild = () => this.schedule(ORPHAN_SWEEP_DELAY_MS);

  /**
   * @param spawnedByNode the pids Node (libuv) spawned and reaps itself
   * @param confirmMs how long a zombie must linger to be taken for an orphan (the agent's check_interval)
   */
  constructor(private readonly spawnedByNode: () => Set<number>, private readonly confirmMs: number) {}

  /** Sweeps shortly after every SIGCHLD (a burst of them makes one sweep), until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    process.on('SIGCHLD', this.onChild);
  }

  stop(): void {
    this.running = false;
    process.off('SIGCHLD', this.onChild);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One pass: reaps the orphaned zombies seen at the previous pass too; returns their pids. */
  sweep(spawnedByNode: Set<number>): number[] {
    const reaped: number[] = [];
    const fresh = new Set<number>();
    for (const pid of childrenOf(process.pid)) {
      if (spawnedByNode.has(pid) || readStat(pid)?.state !== 'Z') continue;
      if (!this.seen.has(pid)) fresh.add(pid);
      else if (waitpidNoHang(pid) === pid) reaped.push(pid);
    }
    this.seen = fresh;
    return reaped.sort((a, b) => a - b);
  }

  /** Whether a zombie waits for its confirming sweep. */
  get pending(): boolean {
    return this.seen.size > 0;
  }

  private schedule(delayMs: number): void {
    if (!this.running || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.sweep(this.spawnedByNode());
      if (this.pending) this.schedule(this.confirmMs);
    }, delayMs);
    this.timer.unref();
  }
}
