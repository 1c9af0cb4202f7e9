/**
 * Error vectors of the VRRP codec (every rejection is typed) and property tests: the decoders
 * never throw, and what the encoder writes decodes back to the same message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseIPv4, parseIPv6 } from '../../../src/proto/inet-address.js';
import { VrrpError } from '../../../src/vrrp/errors.js';
import { decodeVrrpMessage, encodeVrrpMessage } from '../../../src/vrrp/packet-codec.js';
import { decodeIpv4Datagram, encodeIpv4Datagram, encodeVrrpIpv4Packet, nextIdentification } from '../../../src/vrrp/packet-ipv4.js';
import { VRRP_REJECT_REASONS, type ChecksumContext, type VrrpMessage } from '../../../src/vrrp/packet-types.js';
import { defaultParams } from '../../../src/vrrp/params.js';
import { validateAdvert } from '../../../src/vrrp/validate.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s/g, ''), 'hex'));
const V4: ChecksumContext = { family: 'ipv4', source: parseIPv4('192.0.2.1'), destination: parseIPv4('224.0.0.18') };
const V6: ChecksumContext = { family: 'ipv6', source: parseIPv6('fe80::a'), destination: parseIPv6('ff02::12') };
// v2, VRID 51, prio 100, count 1, auth 0, 1 s, checksum 0xb865, 192.0.2.100, 8 zero auth bytes.
const GOOD_V2 = hex('21336401 0001b865 c0000264 00000000 00000000');

const decodeV4 = (bytes: Uint8Array) => decodeVrrpMessage(bytes, { family: 'ipv4', checksum: V4 });
const reasonOf = (r: { ok: boolean; reason?: string }): string => (r.ok ? 'ok' : (r.reason ?? '?'));

describe('VRRP codec error vectors', () => {
  it('the good vector decodes (the error vectors below each change one thing)', () => {
    assert.equal(reasonOf(decodeV4(GOOD_V2)), 'ok');
  });

  it('MUST-9: fewer than 8 bytes, one byte short, one byte long -> packet_len_err', () => {
    assert.equal(reasonOf(decodeV4(GOOD_V2.subarray(0, 7))), 'packet_len_err');
    assert.equal(reasonOf(decodeV4(GOOD_V2.subarray(0, 19))), 'packet_len_err');
    assert.equal(reasonOf(decodeV4(Uint8Array.of(...GOOD_V2, 0))), 'packet_len_err');
    // count says 2 addresses but only one is there
    assert.equal(reasonOf(decodeV4(hex('21336402 0001b864 c0000264 00000000 00000000'))), 'packet_len_err');
  });

  it('MUST-6: version 1 and version 4 -> version_mismatch; v2 over IPv6 -> version_mismatch', () => {
    assert.equal(reasonOf(decodeV4(hex('11336401 0001c865 c0000264 00000000 00000000'))), 'version_mismatch');
    assert.equal(reasonOf(decodeV4(hex('41336401 0001 9865 c0000264 00000000 00000000'))), 'version_mismatch');
    assert.equal(reasonOf(decodeVrrpMessage(GOOD_V2, { family: 'ipv6', checksum: V6 })), 'version_mismatch');
  });

  it('MUST-7: type 0 and type 2 -> invalid_type_rcvd (checksum corrected, so only the type is wrong)', () => {
    assert.equal(reasonOf(decodeV4(hex('20336401 0001b965 c0000264 00000000 00000000'))), 'invalid_type_rcvd');
    assert.equal(reasonOf(decodeV4(hex('22336401 0001b765 c0000264 00000000 00000000'))), 'invalid_type_rcvd');
  });

  it('MUST-10: any flipped bit -> checksum_err', () => {
    const bytes = GOOD_V2.slice();
    bytes[13] = 0x01; // auth data byte: still covered by the v2 checksum
    assert.equal(reasonOf(decodeV4(bytes)), 'checksum_err');
    const v3 = encodeVrrpMessage({ version: 3, vrid: 1, priority: 1, addresses: ['fe80::1'], maxAdvertIntervalCs: 1, reserved: 0 }, { checksum: V6 });
    assert.equal(reasonOf(decodeVrrpMessage(v3, { family: 'ipv6' })), 'checksum_err'); // no IPv6 addresses to verify with
  });

  it('IPv4 datagram: truncated, bad header checksum, wrong protocol, AH with another next header', () => {
    const datagram = encodeVrrpIpv4Packet(
      { version: 2, vrid: 51, priority: 100, addresses: ['192.0.2.100'], authType: 0, advertIntervalS: 1, authData: new Uint8Array(8) },
      { source: '192.0.2.1', destination: '224.0.0.18', identification: 1 },
    );
    assert.equal(reasonOf(decodeIpv4Datagram(datagram.subarray(0, 19))), 'packet_len_err');
    assert.equal(reasonOf(decodeIpv4Datagram(datagram.subarray(0, 39))), 'packet_len_err');
    const badSum = datagram.slice();
    badSum[10] = (badSum[10] ?? 0) ^ 0x10;
    assert.equal(reasonOf(decodeIpv4Datagram(badSum)), 'ip_header_err');
    const udp = encodeIpv4Datagram(GOOD_V2, { source: '192.0.2.1', destination: '224.0.0.18', identification: 1 });
    udp[9] = 17;
    udp[10] = 0;
    udp[11] = 0;
    const sum = (() => {
      let s = 0;
      for (let i = 0; i < 20; i += 2) s += ((udp[i] ?? 0) << 8) | (udp[i + 1] ?? 0);
      while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
      return ~s & 0xffff;
    })();
    udp[10] = sum >> 8;
    udp[11] = sum & 0xff;
    assert.equal(reasonOf(decodeIpv4Datagram(udp)), 'ip_header_err');
    const ah = encodeIpv4Datagram(GOOD_V2, { source: '192.0.2.1', destination: '224.0.0.18', identification: 1, ah: { spi: 0xc0000201, sequence: 1 } });
    const decoded = decodeIpv4Datagram(ah);
    assert.ok(decoded.ok);
    assert.deepEqual([decoded.value.protocol, decoded.value.ah?.spi, decoded.value.ah?.sequence, decoded.value.vrrp], [51, 0xc0000201, 1, GOOD_V2]);
    const wrongNext = ah.slice();
    wrongNext[20] = 6;
    assert.equal(reasonOf(decodeIpv4Datagram(wrongNext)), 'ip_header_err');
  });

  it('IP identification counts 1, 2, ... and wraps 0xffff -> 1 (keepalived skips 0)', () => {
    assert.deepEqual([0, 1, 0xfffe, 0xffff].map(nextIdentification), [1, 2, 0xffff, 1]);
  });

  it('Ethernet padding after the IP total length is ignored', () => {
    const datagram = encodeIpv4Datagram(GOOD_V2, { source: '192.0.2.1', destination: '224.0.0.18', identification: 1 });
    const padded = Uint8Array.of(...datagram, ...new Uint8Array(6));
    const decoded = decodeIpv4Datagram(padded);
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.value.vrrp, GOOD_V2);
  });

  it('the encoder refuses out-of-range fields and missing checksum addresses with typed errors', () => {
    const base: VrrpMessage = { version: 3, vrid: 1, priority: 100, addresses: ['192.0.2.1'], maxAdvertIntervalCs: 100, reserved: 0 };
    const code = (fn: () => unknown): string => {
      try {
        fn();
        return 'no error';
      } catch (error) {
        return error instanceof VrrpError ? error.code : 'untyped';
      }
    };
    assert.equal(code(() => encodeVrrpMessage({ ...base, vrid: 0 }, { checksum: V4 })), 'ERR_VRRP_FIELD_RANGE');
    assert.equal(code(() => encodeVrrpMessage({ ...base, maxAdvertIntervalCs: 4096 }, { checksum: V4 })), 'ERR_VRRP_FIELD_RANGE');
    assert.equal(code(() => encodeVrrpMessage({ ...base, addresses: ['2001:db8::1'] }, { checksum: V4 })), 'ERR_VRRP_ADDRESS');
    assert.equal(code(() => encodeVrrpMessage(base)), 'ERR_VRRP_CHECKSUM_CONTEXT');
    assert.equal(code(() => encodeVrrpMessage(base, { form: 'message-only' })), 'no error');
  });
});

const messageArb: fc.Arbitrary<VrrpMessage> = fc.oneof(
  fc.record({
    version: fc.constant(2 as const),
    vrid: fc.integer({ min: 1, max: 255 }),
    priority: fc.integer({ min: 0, max: 255 }),
    addresses: fc.array(fc.ipV4(), { maxLength: 20 }),
    authType: fc.integer({ min: 0, max: 2 }),
    advertIntervalS: fc.integer({ min: 0, max: 255 }),
    authData: fc.uint8Array({ minLength: 8, maxLength: 8 }),
  }),
  fc.record({
    version: fc.constant(3 as const),
    vrid: fc.integer({ min: 1, max: 255 }),
    priority: fc.integer({ min: 0, max: 255 }),
    addresses: fc.array(fc.ipV4(), { maxLength: 20 }),
    maxAdvertIntervalCs: fc.integer({ min: 0, max: 4095 }),
    reserved: fc.constant(0),
  }),
);

describe('VRRP codec properties', () => {
  it('decodeVrrpMessage and decodeIpv4Datagram never throw and reject only with listed reasons', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.boolean(), (bytes, v6) => {
        const r = v6 ? decodeVrrpMessage(bytes, { family: 'ipv6', checksum: V6 }) : decodeV4(bytes);
        const ip = decodeIpv4Datagram(bytes);
        for (const result of [r, ip]) if (!result.ok) assert.ok(VRRP_REJECT_REASONS.includes(result.reason));
      }),
      { numRuns: 3000 },
    );
  });

  it('validateAdvert never throws on any bytes, including mutations of a valid advert', () => {
    const params = defaultParams({ name: 'VI_1', vrid: 51, primaryAddress: '192.0.2.1', vips: ['192.0.2.100'] });
    const params6 = defaultParams({ name: 'VI_6', vrid: 51, version: 3, primaryAddress: 'fe80::1', vips: ['fe80::100'] });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 19 }), fc.integer({ min: 0, max: 255 }), (noise, at, value) => {
        const mutated = GOOD_V2.slice();
        mutated[at] = value;
        for (const vrrp of [noise, mutated]) {
          const r = validateAdvert({ family: 'ipv4', vrrp, ttl: 255, source: '192.0.2.2', destination: '224.0.0.18' }, { params, listening: true });
          if (!r.ok) assert.ok(VRRP_REJECT_REASONS.includes(r.reason));
          const r6 = validateAdvert({ family: 'ipv6', vrrp, ttl: 255, source: 'fe80::2', destination: 'ff02::12' }, { params: params6, listening: true });
          if (!r6.ok) assert.ok(VRRP_REJECT_REASONS.includes(r6.reason));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('encode then decode is the identity (both v3 IPv4 checksum forms)', () => {
    fc.assert(
      fc.property(messageArb, fc.constantFrom('pseudo-header' as const, 'message-only' as const), (message, form) => {
        const bytes = encodeVrrpMessage(message, { checksum: V4, form });
        const r = decodeVrrpMessage(bytes, { family: 'ipv4', checksum: V4, accept: form });
        assert.ok(r.ok);
        assert.deepEqual(r.value.message, { ...message }); // fast-check records have a null prototype
      }),
      { numRuns: 500 },
    );
  });

  it('any single-bit flip of an encoded message is rejected', () => {
    fc.assert(
      fc.property(messageArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (message, index, bit) => {
        const bytes = encodeVrrpMessage(message, { checksum: V4 });
        const at = index % bytes.length;
        bytes[at] = (bytes[at] ?? 0) ^ (1 << bit);
        assert.equal(decodeVrrpMessage(bytes, { family: 'ipv4', checksum: V4 }).ok, false);
      }),
      { numRuns: 500 },
    );
  });
});
