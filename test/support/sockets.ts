// Socket-layer test helpers: a SocketConfig with defaults, and sockets closed when the test file ends.
import { after } from 'node:test';
import type { BoundSocket, SocketConfig } from '../../agent/sockets/types.ts';

const bound: BoundSocket[] = [];
let hooked = false;

/** A TCP socket config on 127.0.0.1, port 0, with `over` applied. */
export const socketConfig = (over: Partial<SocketConfig> = {}): SocketConfig => ({
  name: 'web', family: 'inet', type: 'stream', host: '127.0.0.1', port: 0, backlog: 128,
  replace: false, blocking: false, so_reuseport: false, close_when_unused: false, ...over,
});

/** Registers a bound socket to be closed after the file's tests. */
export function keep(s: BoundSocket): BoundSocket {
  if (!hooked) {
    hooked = true;
    after(() => { for (const b of bound) b.close(); });
  }
  bound.push(s);
  return s;
}
