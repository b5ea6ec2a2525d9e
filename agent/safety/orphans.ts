/**
 * Reaps orphans that were reparented to ringd (a child subreaper). A zombie is reaped only when
 * it was already a zombie at the previous sweep: libuv reaps its own children at once, so a
 * zombie that lingers a whole interval is an orphan, and no exit status is stolen from Node.
 */
import { childrenOf, readStat } from '../supervise/proc.ts';
import { reapOrphans } from '../supervise/tree.ts';

export class OrphanReaper {
  private lastZombies = new Set<number>();

  sweep(spawnedByNode: Set<number>): number[] {
    const zombies = childrenOf(process.pid).filter((pid) => !spawnedByNode.has(pid) && readStat(pid)?.state === 'Z');
    const fresh = zombies.filter((pid) => !this.lastZombies.has(pid));
    this.lastZombies = new Set(fresh);
    return reapOrphans(new Set([...spawnedByNode, ...fresh]));
  }
}
