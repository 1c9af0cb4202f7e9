// The Linux StreamPort (epoll set on the native addon) against real loopback TCP servers, and
// misuse of the addon calls it added (non-blocking connect/send/recv, epoll): errors, never aborts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { loadNative } from '../../../src/os/linux/native.js';
import { AF_INET, SOCK_DGRAM } from '../../../src/os/linux/linux-constants.js';
import { EpollStreamPort } from '../../../src/os/linux/stream-exchange.js';
import type { StreamError, StreamSink } from '../../../src/check/stream-port.js';

const native = loadNative();

function assertErrno(fn: () => unknown, code: string, syscall: string): void {
  assert.throws(fn, (e: unknown) => {
    const err = e as { code?: unknown; syscall?: unknown; errno?: unknown };
    assert.equal(err.code, code);
    assert.equal(err.syscall, syscall);
    assert.equal(typeof err.errno, 'number');
    return true;
  });
}

interface Recorded { connected: boolean; data: string; end: boolean; error: StreamError | undefined }

function recorder(closeOnConnect = false): { sink: StreamSink; rec: Recorded; done: Promise<void> } {
  const rec: Recorded = { connected: false, data: '', end: false, error: undefined };
  let finish = (): void => undefined;
  const done = new Promise<void>((r) => (finish = r));
  const sink: StreamSink = {
    onConnected: () => {
      rec.connected = true;
      if (closeOnConnect) finish();
      return closeOnConnect;
    },
    onData: (b) => {
      rec.data += b.toString('latin1');
      return false;
    },
    onEnd: () => {
      rec.end = true;
      finish();
    },
    onError: (e) => {
      rec.error = e;
      finish();
    },
  };
  return { sink, rec, done };
}

async function server(handler: (s: net.Socket) => void): Promise<{ port: number; close: () => Promise<void> }> {
  // The port closes with RST (SO_LINGER 0): the test servers see ECONNRESET and ignore it.
  const srv = net.createServer((s) => {
    s.on('error', () => undefined);
    handler(s);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  return { port, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

test('new addon calls report misuse as errors with errno names', () => {
  assertErrno(() => native.connectStart(987654, Buffer.alloc(16)), 'EBADF', 'connect');
  assertErrno(() => native.connectStart(0, Buffer.alloc(1)), 'EINVAL', 'connect');
  assertErrno(() => native.send(987654, Buffer.alloc(1)), 'EBADF', 'send');
  assertErrno(() => native.recv(987654, Buffer.alloc(8)), 'EBADF', 'recv');
  assertErrno(() => native.send(0, 'x' as unknown as Buffer), 'EINVAL', 'send');
  assertErrno(() => native.epollCtl(987654, 1, 0, 1), 'EBADF', 'epoll_ctl');
  assertErrno(() => native.epollWaitInto(987654, new Int32Array(4)), 'EBADF', 'epoll_wait');
  const epfd = native.epollCreate();
  const udp = native.socket(AF_INET, SOCK_DGRAM, 0);
  try {
    assertErrno(() => native.epollCtl(epfd, 9, udp, 1), 'EINVAL', 'epoll_ctl');
    assertErrno(() => native.epollCtl(epfd, 2, udp, 0), 'ENOENT', 'epoll_ctl');
    assertErrno(() => native.epollWaitInto(epfd, new Int32Array(1)), 'EINVAL', 'epoll_wait');
    assertErrno(() => native.epollWaitInto(epfd, new Uint32Array(4) as unknown as Int32Array), 'EINVAL', 'epoll_wait');
    assert.equal(native.recv(udp, Buffer.alloc(8)), -1, 'nothing waiting is -1, not an exception');
    native.epollCtl(epfd, 1, udp, 0x004);
    const out = new Int32Array(8);
    assert.equal(native.epollWaitInto(epfd, out), 1);
    assert.deepEqual([out[0], (out[1] ?? 0) & 0x004], [udp, 0x004]);
  } finally {
    native.close(udp);
    native.close(epfd);
  }
  assertErrno(() => native.close(udp), 'EBADF', 'close');
});

test('a stream connects, sends the request once and reads the answer up to the peer close', async () => {
  let received = '';
  const srv = await server((s) => s.on('data', (d) => {
    received += d.toString('latin1');
    if (received.endsWith('\r\n\r\n')) s.end('HTTP/1.0 200 OK\r\n\r\nhello');
  }));
  const port = new EpollStreamPort();
  try {
    const { sink, rec, done } = recorder();
    port.connector({ address: '127.0.0.1', port: srv.port }).open(Buffer.from('GET / HTTP/1.0\r\n\r\n'), sink);
    await done;
    assert.deepEqual(rec, { connected: true, data: 'HTTP/1.0 200 OK\r\n\r\nhello', end: true, error: undefined });
    assert.equal(received, 'GET / HTTP/1.0\r\n\r\n');
    assert.equal(port.openCount(), 0);
  } finally {
    port.close();
    await srv.close();
  }
});

test('a request larger than the socket buffer is written in parts; a sink may stop reading early', async () => {
  let bytes = 0;
  const big = Buffer.alloc(4 * 1024 * 1024, 0x41);
  const srv = await server((s) => s.on('data', (d) => {
    bytes += d.length;
    if (bytes === big.length) s.write('done');
  }));
  const port = new EpollStreamPort();
  try {
    const rec = { connected: false, data: '' };
    let finish = (): void => undefined;
    const done = new Promise<void>((r) => (finish = r));
    const handle = port.connector({ address: '127.0.0.1', port: srv.port, bindTo: '127.0.0.1' }).open(big, {
      onConnected: () => ((rec.connected = true), false),
      onData: (b) => ((rec.data += b.toString()), finish(), true),
      onEnd: () => finish(),
      onError: () => finish(),
    });
    await done;
    handle.close();
    assert.deepEqual(rec, { connected: true, data: 'done' });
    assert.equal(bytes, big.length);
    assert.equal(port.openCount(), 0);
  } finally {
    port.close();
    await srv.close();
  }
});

test('refused connections and TCP_CHECK-style empty requests', async () => {
  const srv = await server(() => undefined);
  const port = new EpollStreamPort();
  try {
    const ok = recorder(true);
    port.connector({ address: '127.0.0.1', port: srv.port }).open(new Uint8Array(0), ok.sink);
    await ok.done;
    assert.equal(ok.rec.connected, true);
    await srv.close();
    const refused = recorder();
    port.connector({ address: '127.0.0.1', port: srv.port }).open(Buffer.from('x'), refused.sink);
    await refused.done;
    assert.equal(refused.rec.error?.code, 'ECONNREFUSED');
    assert.equal(refused.rec.connected, false);
    assert.throws(() => port.connector({ address: 'not-an-ip', port: 80 }), /CHECK_BAD_TARGET|cannot connect/);
    assert.equal(port.openCount(), 0);
  } finally {
    port.close();
  }
});
