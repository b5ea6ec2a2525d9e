// ControlServer over tcp: DEALER and REQ framing, concurrency, limits, handler failures, casts, draining close.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as zmq from 'zeromq';
import { ControlServer, errorReply, type ControlServerOptions } from '../../../agent/transport/control.ts';
import { waitFor } from '../../support/wait.ts';
import { ControlClient } from '../../support/zmq.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** An echo-ish dispatcher: `slow` takes 500 ms, `boom` throws, `weird` returns a non-string, casts get no reply. */
async function echoHandler(body: Buffer): Promise<string | null> {
  let req: { id?: unknown; command?: unknown; properties?: unknown; msg_type?: unknown };
  try {
    req = JSON.parse(body.toString('utf8')) as typeof req;
  } catch {
    return errorReply('json invalid', 1, null);
  }
  if (req.msg_type === 'cast') return null;
  if (req.command === 'slow') await sleep(500);
  if (req.command === 'boom') throw new Error('kaboom');
  if (req.command === 'weird') return 42 as unknown as string;
  return JSON.stringify({ status: 'ok', time: Date.now() / 1000, command: req.command, properties: req.properties, id: req.id });
}

function bind(over: Partial<ControlServerOptions> = {}): Promise<ControlServer> {
  return ControlServer.bind({ endpoint: 'tcp://127.0.0.1:0', maxRequestBytes: 1024, handle: echoHandler, ...over });
}

describe('ControlServer (tcp)', () => {
  let server: ControlServer;
  let client: ControlClient;
  before(async () => {
    server = await bind();
    client = new ControlClient(server.endpoint);
  });
  after(async () => {
    client.close();
    await server.close();
  });

  it('reports the real port for tcp://127.0.0.1:0', () => {
    assert.match(server.endpoint, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(server.endpoint, 'tcp://127.0.0.1:0');
  });

  it('answers a DEALER with [body]', async () => {
    const reply = await client.call('list', { name: 'web' }, { id: 'req-1' });
    assert.deepEqual({ ...reply, time: 0 }, { status: 'ok', time: 0, command: 'list', properties: { name: 'web' }, id: 'req-1' });
  });

  it('answers a REQ client (with correlate) and a plain REQ socket', async () => {
    const req = new ControlClient(server.endpoint, { type: 'req' });
    try {
      assert.equal((await req.call('status')).status, 'ok');
      assert.equal((await req.call('list')).command, 'list');
    } finally {
      req.close();
    }
    const plain = new zmq.Request({ linger: 0, receiveTimeout: 5000 });
    try {
      plain.connect(server.endpoint);
      await plain.send(JSON.stringify({ id: 'r-1', command: 'list', properties: {} }));
      const frames = await plain.receive();
      assert.equal(frames.length, 1);
      assert.equal(JSON.parse(frames[0].toString()).id, 'r-1');
    } finally {
      plain.close();
    }
  });

  it('handles requests concurrently: a fast reply overtakes a slow one', async () => {
    const order: string[] = [];
    const slow = client.call('slow').then((r) => order.push(String(r.command)));
    await sleep(20);
    const fast = client.call('fast').then((r) => order.push(String(r.command)));
    await Promise.all([slow, fast]);
    assert.deepEqual(order, ['fast', 'slow']);
  });

  it('answers 200 pipelined requests', async () => {
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => client.call('n', { i })));
    assert.deepEqual(replies.map((r) => (r.properties as { i: number }).i), Array.from({ length: 200 }, (_, i) => i));
  });

  it('replies errno 3 to a DEALER message of 3 frames, in the DEALER envelope', async () => {
    await client.send(['a', 'b', 'c']);
    const reply = await client.receive(5000);
    assert.equal(reply?.status, 'error');
    assert.equal(reply?.reason, 'expected one frame, got 3');
    assert.equal(reply?.errno, 3);
    assert.equal(reply?.id, null);
  });

  it('replies errno 3 to a REQ-style message of 2 body frames, in the REQ envelope', async () => {
    const dealer = new zmq.Dealer({ linger: 0, receiveTimeout: 5000 });
    try {
      dealer.connect(server.endpoint);
      await dealer.send(['', 'x', 'y']);
      const frames = await dealer.receive();
      assert.equal(frames.length, 2);
      assert.equal(frames[0].length, 0);
      assert.equal(JSON.parse(frames[1].toString()).reason, 'expected one frame, got 2');
    } finally {
      dealer.close();
    }
  });

  it('refuses an oversize body without parsing it', async () => {
    await client.send(Buffer.alloc(2000, 0x7b));
    const reply = await client.receive(5000);
    assert.equal(reply?.reason, 'request of 2000 bytes exceeds the limit of 1024 bytes');
    assert.equal(reply?.errno, 3);
  });

  it('passes an empty body to the handler (which answers), unlike circusd', async () => {
    await client.send('');
    const reply = await client.receive(5000);
    assert.equal(reply?.errno, 1);
  });

  it('drops a peer whose frame exceeds maxMessageSize (no reply), then serves it again', async () => {
    await client.send(Buffer.alloc(17 * 1024 * 1024));
    assert.equal(await client.receive(1000), undefined);
    assert.equal((await client.call('after-giant')).status, 'ok');
  });

  it('turns a throwing handler into errno 5 with the request id, and keeps serving', async () => {
    const reply = await client.call('boom', {}, { id: 'b-1' });
    assert.deepEqual([reply.status, reply.reason, reply.errno, reply.id, reply.tb], ['error', 'internal error: kaboom', 5, 'b-1', null]);
    const weird = await client.call('weird');
    assert.equal(weird.errno, 5);
    assert.equal((await client.call('list')).status, 'ok');
  });

  it('sends nothing for a cast (handler returns null)', async () => {
    await client.call('list', {}, { msgType: 'cast' });
    assert.equal(await client.receive(500), undefined);
  });
});

describe('ControlServer options and close', () => {
  it('errorReply has Circus key order and a float time', () => {
    const text = errorReply('nope', 3, 'x');
    assert.match(text, /^\{"status": "error", "reason": "nope", "tb": null, "time": \d+\.\d+, "errno": 3, "id": "x"\}$/);
    assert.deepEqual(Object.keys(JSON.parse(errorReply('a', 1, null))), ['status', 'reason', 'tb', 'time', 'errno', 'id']);
  });

  it('rejects a bad CURVE key and a taken port with clear errors', async () => {
    await assert.rejects(bind({ curveSecretKey: 'short' }), /40-character Z85/);
    const first = await bind();
    try {
      await assert.rejects(bind({ endpoint: first.endpoint }), /cannot bind control socket tcp:\/\/127\.0\.0\.1:\d+: .*in use/i);
    } finally {
      await first.close();
    }
  });

  it('refuses new work past maxInFlight with errno 5', async () => {
    const server = await bind({ maxInFlight: 1 });
    const client = new ControlClient(server.endpoint);
    try {
      const slow = client.call('slow');
      await waitFor(() => server.pending === 1, { what: 'the slow request in flight' });
      const busy = await client.call('fast');
      assert.equal(busy.errno, 5);
      assert.match(String(busy.reason), /server busy/);
      assert.equal((await slow).status, 'ok');
    } finally {
      client.close();
      await server.close();
    }
  });

  it('close({drainMs}) answers in-flight requests before closing', async () => {
    const server = await bind();
    const client = new ControlClient(server.endpoint);
    try {
      const slow = client.call('slow', {}, { timeoutMs: 5000 });
      await waitFor(() => server.pending === 1, { what: 'the slow request in flight' });
      await server.close({ drainMs: 3000 });
      assert.equal((await slow).status, 'ok');
    } finally {
      client.close();
    }
  });

  it('close() is idempotent', async () => {
    const server = await bind();
    await Promise.all([server.close(), server.close()]);
    await server.close();
  });
});
