import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { finishChecksum, internetChecksum, ipv6PseudoHeaderSum, ipv6UpperLayerChecksum, onesComplementSum } from '../../../src/proto/checksum.js';
import { parseIPv6 } from '../../../src/proto/inet-address.js';

test('RFC 1071 example: words 0001 f203 f4f5 f6f7 sum to ddf2, checksum 220d', () => {
  const bytes = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
  assert.equal(finishChecksum(onesComplementSum(bytes)), 0x220d);
  assert.equal(internetChecksum(bytes), 0x220d);
});

test('an odd trailing byte is padded with zero', () => {
  assert.equal(internetChecksum(Uint8Array.of(0x12)), ~0x1200 & 0xffff);
});

test('IPv6 pseudo-header: ICMPv6 echo 2001:db8::1 -> 2001:db8::2, id 0x1234 seq 1 "abcd" = 4d48', () => {
  const message = Uint8Array.of(128, 0, 0, 0, 0x12, 0x34, 0, 1, 0x61, 0x62, 0x63, 0x64);
  assert.equal(ipv6UpperLayerChecksum(parseIPv6('2001:db8::1'), parseIPv6('2001:db8::2'), 58, message), 0x4d48);
  const pseudo = ipv6PseudoHeaderSum(parseIPv6('2001:db8::1'), parseIPv6('2001:db8::2'), 12, 58);
  assert.equal(finishChecksum(onesComplementSum(message, 0, message.length, pseudo)), 0x4d48);
});

test('property: a message with its checksum inserted verifies to 0', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 4, maxLength: 300 }), (data) => {
      const bytes = Uint8Array.from(data);
      bytes[2] = 0;
      bytes[3] = 0;
      const sum = internetChecksum(bytes);
      bytes[2] = sum >> 8;
      bytes[3] = sum & 0xff;
      assert.equal(internetChecksum(bytes), 0);
    }),
  );
});
