// Finds a free TCP port by binding port 0 and releasing it.
import net from 'node:net';

/** Returns a port that was free on host a moment ago (another process may still take it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error(`no port bound on ${host}`))));
    });
  });
}
