// Runs inside a network namespace (the test process cannot reach its addresses): a NATS client driven by JSON lines on
// stdin, answering on stdout. {"id", "req": subject, "data"?, "timeoutMs"?} → {"id", "ok", "data"|"error"};
// {"id", "sub": subject} → {"id", "ok"} then {"sub": id, "subject", "data"} per message. Exits when stdin closes.
import { createInterface } from 'node:readline';
import { connect } from '@nats-io/transport-node';

const nc = await connect({ servers: [process.argv[2]], maxReconnectAttempts: -1, reconnectTimeWait: 200 });
const say = (o: unknown): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
say({ ready: true });
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const m = JSON.parse(line) as { id: number; req?: string; sub?: string; data?: string; timeoutMs?: number };
  if (m.req !== undefined) {
    nc.request(m.req, m.data ?? '', { timeout: m.timeoutMs ?? 5000 }).then(
      (r) => say({ id: m.id, ok: true, data: r.string() }),
      (err: Error) => say({ id: m.id, ok: false, error: err.message }),
    );
  } else if (m.sub !== undefined) {
    const sub = nc.subscribe(m.sub);
    void (async () => {
      for await (const msg of sub) say({ sub: m.id, subject: msg.subject, data: msg.string() });
    })();
    nc.flush().then(() => say({ id: m.id, ok: true }), (err: Error) => say({ id: m.id, ok: false, error: err.message }));
  }
});
lines.on('close', () => void nc.close().then(() => process.exit(0)));
