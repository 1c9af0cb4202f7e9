// VrrpSocket on the loopback interface (root, no namespace): unicast mode, because lo has no
// multicast. A raw socket also receives what it sends through lo, which lets one socket check
// TTL / hop limit, addresses and ifindex of its own packets. Multicast is covered by the lab tier.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VrrpSocket, type ReceivedVrrpPacket } from '../../../src/os/linux/vrrp-socket.js';
import { isSocketError } from '../../../src/os/linux/socket-error.js';

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
