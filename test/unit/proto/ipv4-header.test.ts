import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeIpv4Header, nextIpIdentification, writeIpv4Header } from '../../../src/proto/ipv4-header.js';
import { parseIPv4 } from '../../../src/proto/inet-address.js';

// The header keepalived puts in front of a VRRPv3 advert with 1 VIP (IP total length 40 with a
// 20-byte VRRP body): 192.0.2.1 -> 224.0.0.18.
const KEEPALIVED_HEADER = Uint8Array.of(
  0x45, // version 4, IHL 5 (20 bytes)
  0xc0, // TOS: internetwork control
  0x00, 0x28, // total length 40
  0x00, 0x01, // identification 1 (the first advert)
  0x00, 0x00, // no DF, fragment offset 0
  0xff, // TTL 255
  0x70, // protocol 112 (VRRP)
  0x18, 0x91, // header checksum
  192, 0, 2, 1, // source
  224, 0, 0, 18, // destination
);

test('writeIpv4Header produces keepalived\'s header byte for byte', () => {
  const out = new Uint8Array(40);
  const written = writeIpv4Header(out, 0, {
    tos: 0xc0, totalLength: 40, identification: 1, flagsAndFragment: 0, ttl: 255, protocol: 112,
    source: parseIPv4('192.0.2.1'), destination: parseIPv4('224.0.0.18'),
  });
  assert.equal(written, 20);
  assert.deepEqual([...out.subarray(0, 20)], [...KEEPALIVED_HEADER]);
});

test('decodeIpv4Header reads every field and checks the checksum', () => {
  const datagram = new Uint8Array(40);
  datagram.set(KEEPALIVED_HEADER);
  const r = decodeIpv4Header(datagram);
  assert.ok(r.ok);
  assert.equal(r.header.ttl, 255);
  assert.equal(r.header.tos, 0xc0);
  assert.equal(r.header.protocol, 112);
  assert.equal(r.header.totalLength, 40);
  assert.equal(r.header.headerLength, 20);
  assert.deepEqual([...r.header.destination], [224, 0, 0, 18]);
});

test('decodeIpv4Header rejections', () => {
  const datagram = new Uint8Array(40);
  datagram.set(KEEPALIVED_HEADER);
  assert.deepEqual(decodeIpv4Header(datagram.subarray(0, 19)), { ok: false, reason: 'too_short' });
  assert.deepEqual(decodeIpv4Header(datagram.subarray(0, 30)), { ok: false, reason: 'bad_total_length' });
  const corrupt = Uint8Array.from(datagram);
  corrupt[8] = 254; // TTL changed, checksum now wrong
  assert.deepEqual(decodeIpv4Header(corrupt), { ok: false, reason: 'bad_checksum' });
  const v6 = Uint8Array.from(datagram);
  v6[0] = 0x65;
  assert.deepEqual(decodeIpv4Header(v6), { ok: false, reason: 'bad_version' });
  const shortIhl = Uint8Array.from(datagram);
  shortIhl[0] = 0x44;
  assert.deepEqual(decodeIpv4Header(shortIhl), { ok: false, reason: 'bad_header_length' });
});

test('identification starts at 1, increments, and skips 0 on wrap', () => {
  assert.equal(nextIpIdentification(0), 1);
  assert.equal(nextIpIdentification(1), 2);
  assert.equal(nextIpIdentification(0xffff), 1);
});
