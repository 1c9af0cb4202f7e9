// Misuse of the native addon never aborts: each case throws an Error with the errno name as code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, closeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { loadNative } from '../../../src/os/linux/native.js';
import { AF_INET, AF_UNIX, SOCK_DGRAM, SOL_SOCKET, SO_RCVBUF } from '../../../src/os/linux/linux-constants.js';
import { sockaddrUn } from '../../../src/os/linux/sockaddr.js';

const native = loadNative();

function assertErrno(fn: () => unknown, code: string, syscall: string): void {
  assert.throws(fn, (error: unknown) => {
    const e = error as { code?: unknown; errno?: unknown; syscall?: unknown };
    assert.equal(e.code, code);
    assert.equal(e.syscall, syscall);
    assert.equal(typeof e.errno, 'number');
    assert.ok((e.errno as number) > 0);
    return true;
  });
}

function unixPair(): { a: number; b: number; path: string; close: () => void } {
  const path = `/tmp/kats-native-${process.pid}-${Math.floor(performance.now() * 1000)}.sock`;
  const b = native.socket(AF_UNIX, SOCK_DGRAM, 0);
  native.bind(b, sockaddrUn(path));
  const a = native.socket(AF_UNIX, SOCK_DGRAM, 0);
  native.connect(a, sockaddrUn(path));
  return { a, b, path, close: () => { native.close(a); native.close(b); } };
}

test('bad file descriptors throw EBADF', () => {
  assertErrno(() => native.close(-1), 'EBADF', 'close');
  assertErrno(() => native.sendmsg(987654, Buffer.alloc(1), null, null, 0), 'EBADF', 'sendmsg');
  assertErrno(() => native.recvmsg(987654, Buffer.alloc(8), 0, 0), 'EBADF', 'recvmsg');
  assertErrno(() => native.setsockopt(987654, SOL_SOCKET, SO_RCVBUF, Buffer.alloc(4)), 'EBADF', 'setsockopt');
  assertErrno(() => native.getsockopt(987654, SOL_SOCKET, SO_RCVBUF, 4), 'EBADF', 'getsockopt');
  assertErrno(() => native.poll(-5, () => undefined), 'EBADF', 'poll');
  assertErrno(() => native.setns(987654, 0x40000000), 'EBADF', 'setns');
});

test('wrong argument types and sizes throw EINVAL', () => {
  assertErrno(() => native.socket('2' as unknown as number, SOCK_DGRAM, 0), 'EINVAL', 'socket');
  assertErrno(() => native.socket(1.5, SOCK_DGRAM, 0), 'EINVAL', 'socket');
  assertErrno(() => native.sendmsg(0, 'x' as unknown as Buffer, null, null, 0), 'EINVAL', 'sendmsg');
  assertErrno(() => native.bind(0, Buffer.alloc(1)), 'EINVAL', 'bind');
  assertErrno(() => native.bind(0, Buffer.alloc(200)), 'EINVAL', 'bind');
  assertErrno(() => native.getsockopt(0, SOL_SOCKET, SO_RCVBUF, -1), 'EINVAL', 'getsockopt');
  assertErrno(() => native.recvmsg(0, Buffer.alloc(4), 1 << 20, 0), 'EINVAL', 'recvmsg');
  assertErrno(() => native.poll(0, 'nope' as unknown as () => void), 'EINVAL', 'poll');
  assertErrno(() => native.recvmsgInto(0, Buffer.alloc(4), null, null, new Int32Array(2), 0), 'EINVAL', 'recvmsg');
  assertErrno(() => native.ifNameToIndex(3 as unknown as string), 'EINVAL', 'if_nametoindex');
});

test('a short sockaddr for its family is rejected by the kernel with EINVAL', () => {
  const fd = native.socket(AF_INET, SOCK_DGRAM, 0);
  try {
    assertErrno(() => native.bind(fd, Buffer.from([AF_INET, 0, 0, 0])), 'EINVAL', 'bind');
  } finally {
    native.close(fd);
  }
});

test('sockets are non-blocking: recvmsg returns null and recvmsgInto -1 when nothing waits', () => {
  const pair = unixPair();
  try {
    assert.equal(native.recvmsg(pair.b, Buffer.alloc(16), 64, 0), null);
    assert.equal(native.recvmsgInto(pair.b, Buffer.alloc(16), null, null, new Int32Array(3), 0), -1);
    assert.equal(native.sendmsg(pair.a, Buffer.from('hello'), null, null, 0), 5);
    const data = Buffer.alloc(16);
    const got = native.recvmsg(pair.b, data, 0, 0);
    assert.ok(got);
    assert.equal(got.bytes, 5);
    assert.equal(data.subarray(0, 5).toString(), 'hello');
  } finally {
    pair.close();
  }
});

test('a full datagram queue throws EAGAIN on send', () => {
  const pair = unixPair();
  try {
    let sent = 0;
    assertErrno(() => {
      for (;;) sent += native.sendmsg(pair.a, Buffer.alloc(1024), null, null, 0);
    }, 'EAGAIN', 'sendmsg');
    assert.ok(sent > 0);
  } finally {
    pair.close();
  }
});

test('a truncated datagram reports MSG_TRUNC in flags', () => {
  const pair = unixPair();
  try {
    native.sendmsg(pair.a, Buffer.alloc(100, 7), null, null, 0);
    const meta = new Int32Array(3);
    assert.equal(native.recvmsgInto(pair.b, Buffer.alloc(10), null, null, meta, 0), 10);
    assert.equal(meta[2]! & 0x20, 0x20);
  } finally {
    pair.close();
  }
});

test('poll refuses regular files and a second poller on one fd, and close stops the poller', async () => {
  const file = openSync('/proc/self/status', 'r');
  try {
    assertErrno(() => native.poll(file, () => undefined), 'EPERM', 'uv_poll_init');
  } finally {
    closeSync(file);
  }
  const pair = unixPair();
  let calls = 0;
  let readable: () => void = () => undefined;
  const firstCall = new Promise<void>((resolve) => { readable = resolve; });
  const handle = native.poll(pair.b, () => {
    calls++;
    native.recvmsg(pair.b, Buffer.alloc(64), 0, 0);
    readable();
  });
  assertErrno(() => native.poll(pair.b, () => undefined), 'EEXIST', 'poll');
  native.sendmsg(pair.a, Buffer.from('x'), null, null, 0);
  await firstCall;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(calls, 1, 'a drained socket is not reported readable again');
  pair.close(); // closes b, which must stop its poller first
  handle.close(); // idempotent after the fd is gone
  handle.close();
  assertErrno(() => native.close(pair.b), 'EBADF', 'close');
});

test('an exception thrown in a poll callback reaches uncaughtException (child process)', () => {
  const addonPath = new URL('../../../../native/build/Release/keepalived_native.node', import.meta.url).pathname;
  const script = `
    const n = require(${JSON.stringify(addonPath)});
    const fd = n.socket(1, 2, 0); // AF_UNIX datagram, bound by autobind
    n.bind(fd, Buffer.from([1, 0]));
    const name = n.getsockname(fd);
    const sender = n.socket(1, 2, 0);
    process.on('uncaughtException', (e) => { console.log('caught:' + e.message); n.close(fd); n.close(sender); });
    n.poll(fd, () => { n.recvmsg(fd, Buffer.alloc(8), 0, 0); throw new Error('boom from callback'); });
    n.sendmsg(sender, Buffer.from('x'), name, null, 0);`;
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(child.stdout.trim(), 'caught:boom from callback', child.stderr);
  assert.equal(child.status, 0);
});

test('interface name lookups', () => {
  assert.equal(native.ifNameToIndex('lo'), 1);
  assert.equal(native.ifIndexToName(1), 'lo');
  assert.equal(native.ifNameToIndex('no-such-if0'), 0);
  assert.equal(native.ifNameToIndex('x'.repeat(64)), 0);
  assert.equal(native.ifIndexToName(0x7fffffff), null);
});
