// VrrpSocket on the loopback interface (root, no namespace): unicast mode, because lo has no
// multicast. A raw socket also receives what it sends through lo, which lets one socket check
// TTL / hop limit, addresses and ifindex of its own packets. Multicast is covered by the lab tier.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VrrpSocket, writeVrrpIpv4Header, type ReceivedVrrpPacket } from '../../../src/os/linux/vrrp-socket.js';
import { sockaddrIn } from '../../../src/os/linux/sockaddr.js';
import { nextIpIdentification, writeIpv4Header } from '../../../src/proto/ipv4-header.js';
import { isSocketError } from '../../../src/os/linux/socket-error.js';

test('the per-advert IPv4 header is the one writeIpv4Header writes', () => {
  const source = Uint8Array.of(192, 0, 2, 1);
  let id = 0xfff0;
  for (const [destination, ttl, protocol, total] of [['224.0.0.18', 255, 112, 40], ['198.51.100.2', 7, 51, 68], ['203.0.113.9', 1, 112, 1500]] as const) {
    for (let i = 0; i < 20; i++) {
      id = nextIpIdentification(id);
      const address = sockaddrIn(destination);
      const ours = Buffer.alloc(20, 0xaa);
      writeVrrpIpv4Header(ours, total, id, ttl, protocol, source, address);
      const expected = Buffer.alloc(20);
      writeIpv4Header(expected, 0, { tos: 0xc0, totalLength: total, identification: id, flagsAndFragment: 0, ttl, protocol, source, destination: address.subarray(4, 8) });
      assert.deepEqual(ours, expected);
    }
  }
});

interface Seen {
  readonly source: string;
  readonly destination: string;
  readonly ttl: number;
  readonly ifindex: number;
  readonly payload: string;
  readonly totalLength: number;
  readonly datagramLength: number;
}

function receiveOne(socket: VrrpSocket, marker: string): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no packet within 2 s')), 2000);
    socket.start((p: ReceivedVrrpPacket) => {
      if (!p.payload.includes(marker)) return;
      clearTimeout(timer);
      resolve({
        source: p.source, destination: p.destination, ttl: p.ttl, ifindex: p.ifindex,
        payload: p.payload.toString('latin1'), totalLength: p.ipTotalLength, datagramLength: p.datagram.length,
      });
    }, reject);
  });
}

test('IPv4 unicast on lo: our header (TTL 7) arrives with ifindex and addresses', async () => {
  const socket = VrrpSocket.open({ family: 4, interfaceName: 'lo', unicast: true, sourceAddress: '127.0.0.1' });
  try {
    const marker = `v4-${process.pid}-${Date.now()}`;
    const seen = receiveOne(socket, marker);
    const sent = socket.send(Buffer.from(marker, 'latin1'), '127.0.0.1', 7);
    assert.equal(sent, 20 + marker.length);
    const got = await seen;
    assert.equal(got.source, '127.0.0.1');
    assert.equal(got.destination, '127.0.0.1');
    assert.equal(got.ttl, 7);
    assert.equal(got.ifindex, 1);
    assert.equal(got.payload, marker);
    assert.equal(got.totalLength, 20 + marker.length);
    assert.equal(got.datagramLength, 20 + marker.length);
  } finally {
    socket.close();
  }
});

test('IPv6 unicast on lo: hop limit 7 per send is seen as 7, default is 255', async () => {
  const socket = VrrpSocket.open({ family: 6, interfaceName: 'lo', unicast: true });
  try {
    const marker = `v6-${process.pid}-${Date.now()}`;
    const payload = Buffer.concat([Buffer.alloc(8), Buffer.from(marker, 'latin1')]); // room for the checksum at 6
    let seen = receiveOne(socket, marker);
    socket.send(payload, '::1', 7);
    let got = await seen;
    assert.equal(got.ttl, 7);
    assert.equal(got.source, '::1');
    assert.equal(got.destination, '::1');
    assert.equal(got.ifindex, 1);
    socket.stop();
    seen = receiveOne(socket, marker);
    socket.send(payload, '::1');
    got = await seen;
    assert.equal(got.ttl, 255);
  } finally {
    socket.close();
  }
});

test('an unknown interface is ENODEV, a closed socket is EBADF', () => {
  assert.throws(() => VrrpSocket.open({ family: 4, interfaceName: 'nonexistent0' }), (e) => isSocketError(e, 'ENODEV'));
  const socket = VrrpSocket.open({ family: 4, interfaceName: 'lo', unicast: true });
  socket.close();
  socket.close();
  assert.equal(socket.closed, true);
  assert.throws(() => socket.send(Buffer.alloc(8), '127.0.0.1'), (e) => isSocketError(e, 'EBADF'));
  assert.throws(() => socket.start(() => undefined, () => undefined), (e) => isSocketError(e, 'EBADF'));
});

test('a malformed destination is a typed error, not a crash', () => {
  const socket = VrrpSocket.open({ family: 4, interfaceName: 'lo', unicast: true });
  try {
    assert.throws(() => socket.send(Buffer.alloc(8), '300.1.1.1'), (e: unknown) => (e as { code?: string }).code === 'ERR_INVALID_ADDRESS');
  } finally {
    socket.close();
  }
});

test('closing the socket inside the packet handler stops draining without an error', async () => {
  const socket = VrrpSocket.open({ family: 4, interfaceName: 'lo', unicast: true });
  const errors: unknown[] = [];
  let packets = 0;
  const closedInHandler = new Promise<void>((resolve) => {
    socket.start(() => {
      packets++;
      socket.close();
      resolve();
    }, (error) => errors.push(error));
  });
  socket.send(Buffer.from('one'), '127.0.0.1');
  socket.send(Buffer.from('two'), '127.0.0.1'); // still queued when the handler closes
  await closedInHandler;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(packets, 1);
  assert.deepEqual(errors, []);
});
