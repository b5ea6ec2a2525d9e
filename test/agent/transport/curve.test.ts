// CURVE: encrypted control and event sockets, and the zcert-like key files.
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ControlServer } from '../../../agent/transport/control.ts';
import { generateKeyPair, isZ85Key, readKeyFile, writeKeyFiles } from '../../../agent/transport/curve.ts';
import { ZmqPublisher } from '../../../agent/transport/publisher.ts';
import { tmpDir } from '../../support/tmp.ts';
import { ControlClient, EventCollector } from '../../support/zmq.ts';

const handle = async (body: Buffer): Promise<string> => JSON.stringify({ status: 'ok', id: JSON.parse(body.toString()).id });

describe('CURVE control socket', () => {
  it('answers a client with the right server key, not a plaintext or wrong-key client', async () => {
    const keys = generateKeyPair();
    const server = await ControlServer.bind({ endpoint: 'tcp://127.0.0.1:0', maxRequestBytes: 4096, curveSecretKey: keys.secretKey, handle });
    const good = new ControlClient(server.endpoint, { curveServerKey: keys.publicKey });
    const plain = new ControlClient(server.endpoint);
    const wrong = new ControlClient(server.endpoint, { curveServerKey: generateKeyPair().publicKey });
    try {
      assert.equal((await good.call('list', {}, { id: 'c-1' })).id, 'c-1');
      await assert.rejects(plain.call('list', {}, { timeoutMs: 800 }), /no reply to 'list'/);
      await assert.rejects(wrong.call('list', {}, { timeoutMs: 800 }), /no reply to 'list'/);
      assert.equal((await good.call('list')).status, 'ok');
    } finally {
      good.close();
      plain.close();
      wrong.close();
      await server.close();
    }
  });

  it('publishes events to a CURVE subscriber', async () => {
    const keys = generateKeyPair();
    const pub = await ZmqPublisher.bind('tcp://127.0.0.1:0', { curveSecretKey: keys.secretKey });
    const sub = await EventCollector.subscribe(pub.endpoint, [''], {
      curveServerKey: keys.publicKey,
      probe: () => pub.publish('probe', {}),
    });
    try {
      pub.publish('watcher.web.start', { name: 'web' });
      const msg = await sub.waitFor((m) => m.topic === 'watcher.web.start', 'the start event');
      assert.deepEqual(msg.payload, { name: 'web' });
    } finally {
      sub.close();
      await pub.close();
    }
  });
});

describe('CURVE key files', () => {
  it('round-trips through <base>.key (0600) and <base>.pub (0644)', () => {
    const base = join(tmpDir('keys'), 'ringd');
    const old = process.umask(0o077); // modes must not depend on the umask
    let written;
    try {
      written = writeKeyFiles(base);
    } finally {
      process.umask(old);
    }
    assert.deepEqual([written.secretFile, written.publicFile], [`${base}.key`, `${base}.pub`]);
    assert.equal(statSync(written.secretFile).mode & 0o777, 0o600);
    assert.equal(statSync(written.publicFile).mode & 0o777, 0o644);
    const secret = readKeyFile(written.secretFile);
    const pub = readKeyFile(written.publicFile);
    assert.ok(isZ85Key(secret.publicKey) && isZ85Key(secret.secretKey));
    assert.equal(secret.publicKey, written.publicKey);
    assert.deepEqual(pub, { publicKey: secret.publicKey });
    assert.match(readFileSync(written.secretFile, 'utf8'), /^curve\n {4}public-key = "[^"]{40}"\n {4}secret-key = "[^"]{40}"\n$/m);
    assert.doesNotMatch(readFileSync(written.publicFile, 'utf8'), /secret-key/);
  });

  it('refuses to overwrite unless asked', () => {
    const base = join(tmpDir('keys'), 'ringd');
    const first = writeKeyFiles(base);
    assert.throws(() => writeKeyFiles(base), /ringd\.key: already exists/);
    const second = writeKeyFiles(base, { overwrite: true });
    assert.notEqual(second.publicKey, first.publicKey);
    assert.equal(readKeyFile(`${base}.key`).publicKey, second.publicKey);
  });

  it('reports malformed files by name', () => {
    const dir = tmpDir('keys');
    const f = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const short = f('short.pub', 'curve\n    public-key = "abc"\n');
    assert.throws(() => readKeyFile(short), (e: Error) => e.message.startsWith(`${short}:2: public-key is not a 40-character Z85 key (got 3`));
    const bad = f('bad.key', `curve\n    public-key = "${'~'.repeat(40)}"\n`);
    assert.throws(() => readKeyFile(bad), /bad\.key:2: public-key is not a 40-character Z85 key/);
    const nopub = f('nopub.key', `curve\n    secret-key = "${generateKeyPair().secretKey}"\n`);
    assert.throws(() => readKeyFile(nopub), /nopub\.key: not a CURVE key file: no public-key line/);
    assert.throws(() => readKeyFile(join(dir, 'missing.key')), /missing\.key: cannot read CURVE key file: ENOENT/);
    const dup = f('dup.pub', `public-key = "${generateKeyPair().publicKey}"\npublic-key = "${generateKeyPair().publicKey}"\n`);
    assert.throws(() => readKeyFile(dup), /dup\.pub:2: duplicate public-key/);
  });
});
