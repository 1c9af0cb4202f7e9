import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CodecError } from '../../../src/proto/codec-error.js';
import { formatIPv6, formatIp, formatMac, ipv4MulticastMac, ipv6MulticastMac, parseIPv4, parseIPv6, parseIp, parseMac } from '../../../src/proto/inet-address.js';

test('IPv4 text <-> bytes', () => {
  assert.deepEqual([...parseIPv4('192.0.2.1')], [192, 0, 2, 1]);
  assert.equal(formatIp(Uint8Array.of(203, 0, 113, 255)), '203.0.113.255');
  for (const bad of ['192.0.2', '192.0.2.256', '192.0.2.01', '1.2.3.4.5', '', 'a.b.c.d', '1..2.3']) {
    assert.throws(() => parseIPv4(bad), (e) => e instanceof CodecError && e.code === 'ERR_INVALID_ADDRESS', bad);
  }
});

test('IPv6 parse: compression, embedded IPv4, scope suffix', () => {
  assert.deepEqual([...parseIPv6('ff02::12')], [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12]);
  assert.deepEqual([...parseIPv6('::')], new Array(16).fill(0));
  assert.deepEqual([...parseIPv6('::ffff:192.0.2.1')].slice(10), [0xff, 0xff, 192, 0, 2, 1]);
  assert.deepEqual([...parseIPv6('fe80::1%eth0')].slice(0, 2), [0xfe, 0x80]);
  for (const bad of ['1::2::3', '2001:db8', '12345::', 'g::1', '1:2:3:4:5:6:7:8:9', ':::', '1:2:3:4:5:6:7::8']) {
    assert.throws(() => parseIPv6(bad), CodecError, bad);
  }
});

test('IPv6 format follows RFC 5952', () => {
  assert.equal(formatIPv6(parseIPv6('2001:0db8:0000:0000:0000:0000:0000:0001')), '2001:db8::1');
  assert.equal(formatIPv6(parseIPv6('2001:db8:0:1:1:1:1:1')), '2001:db8:0:1:1:1:1:1'); // one zero group stays
  assert.equal(formatIPv6(parseIPv6('2001:0:0:1:0:0:0:1')), '2001:0:0:1::1'); // longest run wins
  assert.equal(formatIPv6(parseIPv6('2001:db8:0:0:1:0:0:1')), '2001:db8::1:0:0:1'); // first on a tie
  assert.equal(formatIPv6(parseIPv6('::')), '::');
  assert.equal(formatIPv6(parseIPv6('FE80::A')), 'fe80::a');
});

test('property: format(parse(format(bytes))) is stable for any 16 bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
      const text = formatIPv6(bytes);
      assert.deepEqual([...parseIp(text)], [...bytes]);
    }),
  );
});

test('property: parsers only throw CodecError', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 50 }), (text) => {
      for (const parse of [parseIPv4, parseIPv6, parseMac]) {
        try {
          parse(text);
        } catch (error) {
          assert.ok(error instanceof CodecError);
        }
      }
    }),
  );
});

test('MAC text and multicast MACs', () => {
  assert.equal(formatMac(parseMac('00:00:5E:00:01:2a')), '00:00:5e:00:01:2a');
  assert.equal(formatMac(ipv4MulticastMac(parseIPv4('224.0.0.18'))), '01:00:5e:00:00:12');
  assert.equal(formatMac(ipv4MulticastMac(parseIPv4('239.128.1.2'))), '01:00:5e:00:01:02'); // high bit dropped
  assert.equal(formatMac(ipv6MulticastMac(parseIPv6('ff02::12'))), '33:33:00:00:00:12');
  assert.throws(() => parseMac('00:00:5e:00:01'), (e) => e instanceof CodecError && e.code === 'ERR_INVALID_MAC');
});
