// Robustness: thousands of random multi-frame binary messages must not crash or wedge the control server.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ControlServer, errorReply } from '../../../agent/transport/control.ts';
import { waitFor } from '../../support/wait.ts';
import { ControlClient } from '../../support/zmq.ts';
import { prng } from '../../support/prng.ts';


/** A JSON-validating stub dispatcher: errno 1 for anything that is not a JSON object with a string command. */
async function validatingHandler(body: Buffer): Promise<string> {
  let msg: unknown;
  try {
    msg = JSON.parse(body.toString('utf8'));
  } catch {
    return errorReply('json invalid', 1, null);
  }
  if (!msg || typeof msg !== 'object' || !('command' in msg) || typeof msg.command !== 'string') {
    return errorReply('message invalid', 3, null);
  }
  const id = 'id' in msg && typeof msg.id === 'string' ? msg.id : null;
  return JSON.stringify({ status: 'ok', time: Date.now() / 1000, id });
}

it('survives 2000 random binary messages (0-3 frames, 0-64 KiB) and answers each, then a valid request', async () => {
  const seed = Number(process.env.FUZZ_SEED ?? 20240611);
  const rand = prng(seed);
  const server = await ControlServer.bind({ endpoint: 'tcp://127.0.0.1:0', maxRequestBytes: 32 * 1024, handle: validatingHandler });
  const client = new ControlClient(server.endpoint);
  try {
    let replies = 0;
    let counting = true;
    const counter = (async () => {
      while (counting) if ((await client.receive(100)) !== undefined) replies++;
    })();
    for (let n = 0; n < 2000; n++) {
      const count = Math.floor(rand() * 4); // 0 frames: an empty message body (a DEALER cannot send no frame at all)
      const frames: Buffer[] = [];
      for (let f = 0; f < Math.max(1, count); f++) {
        const r = rand();
        // a tenth of the frames empty (envelope delimiters), a few JSON-looking, the rest random up to 64 KiB
        const len = count === 0 || r < 0.1 ? 0 : Math.floor(rand() * 64 * 1024);
        const buf = Buffer.alloc(len);
        for (let i = 0; i < len; i++) buf[i] = Math.floor(rand() * 256);
        if (r > 0.95 && len > 2) buf[0] = 0x7b;
        frames.push(buf);
      }
      await client.send(frames);
    }
    // Every message gets exactly one reply, whatever its shape (error replies included).
    await waitFor(() => replies === 2000, { what: `2000 replies (seed ${seed})`, timeoutMs: 30_000 });
    counting = false;
    await counter;
    const reply = await client.call('list', {}, { id: 'after-fuzz' });
    assert.equal(reply.status, 'ok');
    assert.equal(reply.id, 'after-fuzz');
    assert.equal(server.pending, 0);
    assert.equal(await client.receive(300), undefined, 'no reply beyond one per message');
  } finally {
    client.close();
    await server.close();
  }
});
