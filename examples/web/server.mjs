// A minimal HTTP worker for examples/web.toml: serves the listening socket ringd hands it at fd 3,
// says it is ready on $RING_READY_FD, and drains on SIGTERM (stop accepting, finish in-flight requests).
import http from 'node:http';
import net from 'node:net';
import { closeSync, writeSync } from 'node:fs';

let draining = false;
const server = http.createServer((req, res) => {
  if (draining) res.setHeader('Connection', 'close');
  res.end(`hello from pid ${process.pid} (worker ${process.env.RING_WID})\n`);
});
server.listen({ fd: Number(process.argv[2] ?? 3) }, () => {
  const fd = Number(process.env.RING_READY_FD);
  if (fd) { writeSync(fd, '\n'); closeSync(fd); }
});
process.on('SIGTERM', () => {
  draining = true;
  // Not server.close(): in Node 20 it also drops idle keep-alive connections just as clients reuse them.
  net.Server.prototype.close.call(server, () => process.exit(0));
  setTimeout(() => server.closeIdleConnections(), 1000).unref();
  setTimeout(() => process.exit(0), 10_000).unref();
});
