// ZmqPublisher: ordered 2-frame delivery, non-blocking publish, drop accounting, collector slow-joiner handling.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as zmq from 'zeromq';
import { ZmqPublisher } from '../../../agent/transport/publisher.ts';
import { EventCollector } from '../../support/zmq.ts';

describe('ZmqPublisher', () => {
  it('delivers 1000 messages as [topic, json], in order, after the slow-joiner wait', async () => {
    const pub = await ZmqPublisher.bind('tcp://127.0.0.1:0');
    assert.match(pub.endpoint, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    const sub = await EventCollector.subscribe(pub.endpoint, [''], { probe: () => pub.publish('probe', { hello: true }) });
    try {
      for (let i = 0; i < 1000; i++) pub.publish(`watcher.w${i % 3}.spawn`, { i, name: `w${i % 3}` });
      await sub.waitFor((m) => m.payload.i === 999, 'message 999');
      const got = sub.messages.filter((m) => m.topic !== 'probe');
      assert.equal(got.length, 1000);
      got.forEach((m, i) => {
        assert.equal(m.topic, `watcher.w${i % 3}.spawn`);
        assert.deepEqual(m.payload, { i, name: `w${i % 3}` });
      });
      assert.equal(pub.dropped, 0);
    } finally {
      sub.close();
      await pub.close();
    }
  });

  it('sends exactly two frames, the second being JSON text', async () => {
    const pub = await ZmqPublisher.bind('tcp://127.0.0.1:0');
    const raw = new zmq.Subscriber({ linger: 0, receiveTimeout: 5000 });
    try {
      raw.connect(pub.endpoint);
      raw.subscribe('topic.');
      const probe = setInterval(() => pub.publish('topic.x', { a: [1, 'b'] }), 20);
      let frames: Buffer[];
      try {
        frames = await raw.receive();
      } finally {
        clearInterval(probe);
      }
      assert.deepEqual(frames.map(String), ['topic.x', '{"a": [1, "b"]}'], 'circusd\'s json.dumps separators');
    } finally {
      raw.close();
      await pub.close();
    }
  });

  it('subscribes by topic prefix', async () => {
    const pub = await ZmqPublisher.bind('tcp://127.0.0.1:0');
    const sub = await EventCollector.subscribe(pub.endpoint, ['watcher.web.'], { probe: () => pub.publish('watcher.web.probe', {}) });
    try {
      pub.publish('watcher.db.start', { n: 1 });
      pub.publish('watcher.web.start', { n: 2 });
      await sub.waitFor((m) => m.topic === 'watcher.web.start', 'web start');
      assert.ok(sub.messages.every((m) => m.topic.startsWith('watcher.web.')));
    } finally {
      sub.close();
      await pub.close();
    }
  });

  it('never throws or blocks: full queue and unserialisable payloads are dropped and counted', async () => {
    const pub = await ZmqPublisher.bind('tcp://127.0.0.1:0', { highWaterMark: 10 });
    try {
      const t0 = Date.now();
      for (let i = 0; i < 100; i++) pub.publish('x', { i });
      assert.ok(pub.dropped > 0 && pub.dropped < 100, `dropped ${pub.dropped}`);
      const before = pub.dropped;
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      pub.publish('x', circular);
      pub.publish('x', { big: 1n });
      assert.equal(pub.dropped, before + 2);
      await pub.flush();
      assert.equal(pub.queued, 0);
      assert.ok(Date.now() - t0 < 2000);
    } finally {
      await pub.close();
    }
    pub.publish('after-close', {});
  });

  it('publishes 100k messages without blocking the caller', async () => {
    const pub = await ZmqPublisher.bind('tcp://127.0.0.1:0', { highWaterMark: 0 });
    try {
      const t0 = Date.now();
      for (let i = 0; i < 100_000; i++) pub.publish('bulk', { i });
      const publishMs = Date.now() - t0;
      assert.ok(pub.queued > 0, 'the burst should be queued, not sent inline');
      await pub.flush();
      assert.equal(pub.dropped, 0);
      assert.ok(publishMs < 5000, `publish loop took ${publishMs}ms`);
    } finally {
      await pub.close();
    }
  });

  it('EventCollector.subscribe fails clearly when nothing listens', async () => {
    await assert.rejects(EventCollector.subscribe('tcp://127.0.0.1:1', [''], { timeoutMs: 300 }), /no ZMTP handshake with tcp:\/\/127\.0\.0\.1:1 within 300ms/);
  });
});
