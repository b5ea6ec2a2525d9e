// ControlServer and ZmqPublisher on ipc:// endpoints: file mode, cleanup, stale sockets, refusing to clobber.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ControlServer } from '../../../agent/transport/control.ts';
import { ZmqPublisher } from '../../../agent/transport/publisher.ts';
import { tmpDir } from '../../support/tmp.ts';
import { ControlClient } from '../../support/zmq.ts';

const handle = async (body: Buffer): Promise<string> => JSON.stringify({ status: 'ok', id: JSON.parse(body.toString()).id });
const bind = (path: string, log?: { warning(m: string): void; error(m: string): void; debug(m: string): void }) =>
  ControlServer.bind({ endpoint: `ipc://${path}`, maxRequestBytes: 4096, handle, log });

/** A unix socket file with nobody listening: what a SIGKILLed run leaves behind. */
function staleSocket(path: string): void {
  const code = `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`;
  const res = spawnSync(process.execPath, ['-e', code], { timeout: 10_000 });
  assert.equal(res.signal, 'SIGKILL');
  assert.ok(lstatSync(path).isSocket());
}

describe('ipc endpoints', () => {
  it('serves on a socket file of mode 0600 and removes it on close', async () => {
    const path = join(tmpDir('ipc'), 'ctl.sock');
    const server = await bind(path);
    assert.equal(server.endpoint, `ipc://${path}`);
    const st = lstatSync(path);
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o600);
    const client = new ControlClient(server.endpoint);
    try {
      assert.equal((await client.call('list', {}, { id: 'i-1' })).id, 'i-1');
    } finally {
      client.close();
      await server.close();
    }
    assert.equal(existsSync(path), false);
  });

  it('replaces a stale socket file left by a dead run, with a warning', async () => {
    const path = join(tmpDir('ipc'), 'ctl.sock');
    staleSocket(path);
    const warnings: string[] = [];
    const server = await bind(path, { warning: (m) => warnings.push(m), error() {}, debug() {} });
    const client = new ControlClient(server.endpoint);
    try {
      assert.equal((await client.call('list')).status, 'ok');
      assert.match(warnings.join('\n'), /stale socket file/);
    } finally {
      client.close();
      await server.close();
    }
  });

  it('refuses to bind over a regular file and leaves it intact', async () => {
    const path = join(tmpDir('ipc'), 'ctl.sock');
    writeFileSync(path, 'precious');
    await assert.rejects(bind(path), /cannot bind ipc:\/\/.*ctl\.sock: the path exists and is not a socket/);
    assert.equal(readFileSync(path, 'utf8'), 'precious');
  });

  it("refuses to steal a live server's socket (libzmq alone would)", async () => {
    const path = join(tmpDir('ipc'), 'ctl.sock');
    const first = await bind(path);
    try {
      await assert.rejects(bind(path), /address in use/);
      const client = new ControlClient(first.endpoint);
      try {
        assert.equal((await client.call('list')).status, 'ok');
      } finally {
        client.close();
      }
    } finally {
      await first.close();
    }
  });

  it('does not unlink a successor socket on close', async () => {
    const path = join(tmpDir('ipc'), 'ctl.sock');
    const first = await bind(path);
    unlinkSync(path);
    const second = await bind(path);
    await first.close();
    assert.ok(existsSync(path), "the first server's close removed the second server's socket");
    await second.close();
    assert.equal(existsSync(path), false);
  });

  it('rejects a path longer than a unix socket allows', async () => {
    const path = join(tmpDir('ipc'), 'x'.repeat(120));
    await assert.rejects(bind(path), /limited to 107 bytes/);
  });

  it('publisher: 0600 socket file, removed on close', async () => {
    const path = join(tmpDir('ipc'), 'pub.sock');
    const pub = await ZmqPublisher.bind(`ipc://${path}`);
    assert.equal(lstatSync(path).mode & 0o777, 0o600);
    await pub.close();
    assert.equal(existsSync(path), false);
  });
});
