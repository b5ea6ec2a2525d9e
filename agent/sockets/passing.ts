/** How a child receives sockets: fixed fd numbers 3, 4, … through child_process.spawn stdio slots. */

import type { BoundSocket } from './types.ts';

/** One stdio slot beyond 0-2: a parent fd (dup2'd to the slot's index in the child) or 'ignore' (closed there). */
export type ExtraStdio = number | 'ignore';

export interface FdLayout {
  /** stdio for spawn is [stdin, stdout, stderr, ...stdioExtra]; slot i (from 3) holds the parent fd for child fd i. */
  stdioExtra: ExtraStdio[];
  /** Socket name → fd number in the child, for $(circus.sockets.NAME). */
  fdOf: Record<string, number>;
}

/**
 * Assigns child fds firstFd, firstFd+1, … to sockets in the order given. Slots 3..firstFd-1 are 'ignore' placeholders
 * (the caller may put e.g. 'ipc' there). Node's spawn dup2()s each given fd to its index, and the copy in the child
 * has no CLOEXEC. All other agent fds are CLOEXEC, so the child holds exactly 0-2 plus these sockets.
 */
export function fdLayout(sockets: BoundSocket[], firstFd = 3): FdLayout {
  if (!Number.isInteger(firstFd) || firstFd < 3) throw new RangeError(`firstFd must be an integer >= 3, got ${firstFd}`);
  const stdioExtra: ExtraStdio[] = [];
  for (let i = 3; i < firstFd; i++) stdioExtra.push('ignore');
  const fdOf: Record<string, number> = {};
  sockets.forEach((s, i) => {
    if (Object.hasOwn(fdOf, s.name)) throw new Error(`socket "${s.name}" given twice`);
    if (!(s.fd >= 0)) throw new Error(`socket "${s.name}" has no open fd`);
    fdOf[s.name] = firstFd + i;
    stdioExtra.push(s.fd);
  });
  return { stdioExtra, fdOf };
}
