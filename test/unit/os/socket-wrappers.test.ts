// The typed wrappers over the addon, on loopback only (root, no namespace).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadNative } from '../../../src/os/linux/native.js';
import { AF_PACKET, AF_UNIX, SOCK_DGRAM, SOCK_RAW, SOL_SOCKET, SO_RCVBUF } from '../../../src/os/linux/linux-constants.js';
import { LinuxSocket } from '../../../src/os/linux/socket.js';
import { isSocketError } from '../../../src/os/linux/socket-error.js';
import { sockaddrLl, sockaddrUn, decodeSockaddr, sockaddrIn6 } from '../../../src/os/linux/sockaddr.js';
import { decodeControl, encodeControl, findControl, ipv6HopLimitControl } from '../../../src/os/linux/cmsg.js';
import { UnixDatagramSender } from '../../../src/os/linux/unix-dgram.js';
import { L2Announcer } from '../../../src/os/linux/packet-socket.js';
import { enterNetworkNamespace } from '../../../src/os/linux/netns.js';
import { IcmpEchoClient, type EchoClock } from '../../../src/os/linux/icmp-echo-client.js';

const native = loadNative();

test('a closed LinuxSocket throws EBADF without touching a recycled fd number', () => {
  const socket = LinuxSocket.open(AF_UNIX, SOCK_DGRAM, 0);
  assert.ok(socket.getIntOption(SOL_SOCKET, SO_RCVBUF) > 0);
  socket.close();
  const reused = native.socket(AF_UNIX, SOCK_DGRAM, 0); // likely gets the same number
  try {
    assert.throws(() => socket.setIntOption(SOL_SOCKET, SO_RCVBUF, 4096), (e) => isSocketError(e, 'EBADF'));
    assert.throws(() => socket.send(Buffer.alloc(1)), (e) => isSocketError(e, 'EBADF'));
    assert.throws(() => socket.receiveInto(Buffer.alloc(1), null, null, new Int32Array(3)), (e) => isSocketError(e, 'EBADF'));
    socket.close(); // idempotent
  } finally {
    native.close(reused);
  }
});

test('addon errors become SocketError with errno, code and syscall', () => {
  const socket = LinuxSocket.open(AF_UNIX, SOCK_DGRAM, 0);
  try {
    assert.throws(() => socket.connect(sockaddrUn('/nonexistent/kats.sock')), (e) => isSocketError(e, 'ENOENT') && e.errno === 2 && e.syscall === 'connect');
  } finally {
    socket.close();
  }
  assert.throws(() => sockaddrUn('x'.repeat(200)), (e) => isSocketError(e, 'EINVAL'));
});

test('UnixDatagramSender: delivers, reports a missing receiver and a full queue by errno name', () => {
  const path = `/tmp/kats-dgram-${process.pid}.sock`;
  assert.throws(() => UnixDatagramSender.open(path), (e) => isSocketError(e, 'ENOENT'));
  const receiver = LinuxSocket.open(AF_UNIX, SOCK_DGRAM, 0);
  receiver.bind(sockaddrUn(path));
  const sender = UnixDatagramSender.open(path);
  try {
    assert.equal(sender.send(Buffer.from('<30>hello')), 9);
    const buffer = Buffer.alloc(64);
    const bytes = receiver.receiveInto(buffer, null, null, new Int32Array(3));
    assert.equal(buffer.subarray(0, bytes).toString(), '<30>hello');
    assert.throws(() => { for (;;) sender.send(Buffer.alloc(2048)); }, (e) => isSocketError(e, 'EAGAIN'));
    sender.reconnect();
    assert.equal(sender.closed, false);
  } finally {
    sender.close();
    receiver.close();
    native.close(native.socket(AF_UNIX, SOCK_DGRAM, 0));
  }
});

test('cmsg encode / find / decode round trip', () => {
  const control = encodeControl([ipv6HopLimitControl(7), { level: 1, type: 2, data: Buffer.from([1, 2, 3]) }]);
  assert.equal(control.length, 16 + 8 + 16 + 8); // CMSG_SPACE(4) + CMSG_SPACE(3)
  const at = findControl(control, control.length, 41, 52);
  assert.equal(control.readInt32LE(at), 7);
  assert.equal(findControl(control, control.length, 9, 9), -1);
  assert.equal(findControl(control, 10, 41, 52), -1); // truncated header
  assert.deepEqual(decodeControl(control).map((m) => [m.level, m.type, m.data.length]), [[41, 52, 4], [1, 2, 3]]);
  const addr = decodeSockaddr(sockaddrIn6('fe80::1', 3, 112));
  assert.deepEqual(addr, { family: 10, address: 'fe80::1', port: 112, scopeId: 3 });
});

test('L2Announcer puts GARP and NA frames on lo (seen by a packet sniffer)', async () => {
  const ETH_P_ALL_BE = 0x0300; // htons(ETH_P_ALL)
  const sniffer = LinuxSocket.open(AF_PACKET, SOCK_RAW, ETH_P_ALL_BE);
  sniffer.bind(sockaddrLl(1, 0x0003));
  const l2 = L2Announcer.open('lo');
  const seen: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`frames not seen: ${seen.join(',')}`)), 2000);
    const buffer = Buffer.alloc(2048);
    const meta = new Int32Array(3);
    sniffer.startReading(() => {
      for (let n = sniffer.receiveInto(buffer, null, null, meta); n >= 0; n = sniffer.receiveInto(buffer, null, null, meta)) {
        const frame = buffer.subarray(0, n);
        if (n === 42 && frame.readUInt16BE(12) === 0x0806 && frame[31] === 100) seen.push('garp');
        if (n === 86 && frame.readUInt16BE(12) === 0x86dd && frame[54] === 136) seen.push('na');
      }
      if (seen.includes('garp') && seen.includes('na')) {
        clearTimeout(timer);
        resolve();
      }
    }, reject);
  });
  try {
    l2.sendGratuitousArp('192.0.2.100', '00:00:5e:00:01:2a');
    l2.sendUnsolicitedNa('2001:db8::100', '00:00:5e:00:02:2a', { router: false });
    await done;
  } finally {
    l2.close();
    sniffer.close();
  }
  assert.throws(() => L2Announcer.open('nonexistent0'), (e) => isSocketError(e, 'ENODEV'));
});

test('enterNetworkNamespace: a missing namespace is ENOENT, a bad name EINVAL', () => {
  assert.throws(() => enterNetworkNamespace(`kats-missing-${process.pid}`), (e) => isSocketError(e, 'ENOENT'));
  assert.throws(() => enterNetworkNamespace('../etc'), (e) => isSocketError(e, 'EINVAL'));
});

/** A manual clock: timers fire only when the test says so. */
function manualClock(): EchoClock & { fireAll(): void; nowMs: number } {
  const timers = new Map<number, () => void>();
  let next = 0;
  return {
    nowMs: 0,
    monotonicMs() { return this.nowMs; },
    setTimer(callback: () => void) { timers.set(++next, callback); return next; },
    clearTimer(handle: unknown) { timers.delete(handle as number); },
    fireAll() { for (const [id, cb] of [...timers]) { timers.delete(id); cb(); } },
  };
}

test('ICMP echo: concurrent probes to 127.0.0.1 and ::1 each get their own reply', async () => {
  let seed = 12345;
  const random = (): number => (seed = (seed * 1103515245 + 12345) >>> 0);
  for (const [family, target] of [[4, '127.0.0.1'], [6, '::1']] as const) {
    const clock = manualClock();
    const client = IcmpEchoClient.open({ family, clock, random });
    try {
      const results = await Promise.all([client.probe(target, 1000), client.probe(target, 1000, 8), client.probe(target, 1000, 200)]);
      assert.deepEqual(results.map((r) => r.ok), [true, true, true]);
      assert.equal(client.inFlight, 0);
    } finally {
      client.close();
    }
  }
});

test('ICMP echo: a timeout from the injected clock wins, the late reply is ignored, close settles', async () => {
  const clock = manualClock();
  const client = IcmpEchoClient.open({ family: 4, clock, random: () => 7 });
  try {
    const probe = client.probe('127.0.0.1', 1000);
    clock.fireAll(); // the timer fires before the event loop can deliver the reply
    assert.deepEqual(await probe, { ok: false, reason: 'timeout' });
    await new Promise((resolve) => setTimeout(resolve, 20)); // the late reply arrives and is dropped
    const pending = client.probe('127.0.0.1', 1000);
    client.close();
    assert.deepEqual(await pending, { ok: false, reason: 'closed' }); // closed before the reply could be read
    assert.deepEqual(await client.probe('127.0.0.1', 1000), { ok: false, reason: 'closed' });
  } finally {
    client.close();
  }
});
