// The raw socket syscalls added to agent/supervise/native.ts (koffi): results or -errno, existing API untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { closeSync } from 'node:fs';
import {
  getAddrInfo, inetNtop, nativeAvailable, sysBind, sysGetFdFlags, sysGetSockName, sysListen, sysPollFd, sysSetFdFlags,
  sysSetSockOptInt, sysSocket, waitpidNoHang,
} from '../../../agent/supervise/native.ts';

const EBADF = 9;

test('socket/setsockopt/bind/listen/getsockname round trip; poll sees POLLIN only after a connect', async () => {
  assert.equal(nativeAvailable(), true);
  const fd = sysSocket(2, 1 | 0o2000000, 0);
  assert.ok(fd > 2, `fd ${fd}`);
  try {
    assert.equal(sysSetSockOptInt(fd, 1, 2, 1), 0);
    const addr = getAddrInfo('127.0.0.1', 2, 1);
    assert.ok(Array.isArray(addr) && addr[0]);
    assert.equal(sysBind(fd, addr[0]), 0);
    assert.equal(sysListen(fd, 8), 0);
    const local = sysGetSockName(fd);
    assert.ok(Buffer.isBuffer(local));
    const port = local.readUInt16BE(2);
    assert.ok(port > 0);
    assert.equal(inetNtop(2, local.subarray(4, 8)), '127.0.0.1');
    assert.equal(sysPollFd(fd, 1, 0), 0);
    const c = net.connect(port, '127.0.0.1');
    c.on('error', () => undefined);
    await new Promise((r) => c.once('connect', r));
    assert.equal(sysPollFd(fd, 1, 1000) & 1, 1);
    c.destroy();
  } finally {
    closeSync(fd);
  }
});

test('fcntl flags get/set; errors come back as -errno', () => {
  const fd = sysSocket(2, 1 | 0o2000000, 0);
  try {
    const flags = sysGetFdFlags(fd);
    assert.equal(flags & 0o4000, 0);
    assert.equal(sysSetFdFlags(fd, flags | 0o4000), 0);
    assert.equal(sysGetFdFlags(fd) & 0o4000, 0o4000);
  } finally {
    closeSync(fd);
  }
  assert.equal(sysListen(1_000_000, 1), -EBADF);
  assert.equal(sysGetFdFlags(1_000_000), -EBADF);
  assert.equal(sysSetSockOptInt(1_000_000, 1, 2, 1), -EBADF);
  assert.equal(sysGetSockName(1_000_000), -EBADF);
  assert.equal(sysPollFd(1_000_000, 1, 0), 0x20); // POLLNVAL
});

test('getAddrInfo: IPv6 literal, unknown name → negative EAI code; inetNtop of IPv6', () => {
  const six = getAddrInfo('::1', 10, 1);
  assert.ok(Array.isArray(six) && six[0]);
  assert.equal(inetNtop(10, six[0].subarray(8, 24)), '::1');
  const bad = getAddrInfo('no-such-host.invalid', 2, 1);
  assert.equal(typeof bad, 'number');
  assert.ok((bad as number) < 0);
});

test('existing API unchanged: waitpidNoHang refuses non-positive pids', () => {
  assert.equal(waitpidNoHang(-1), -1);
  assert.equal(waitpidNoHang(0), -1);
});
