/**
 * Byte-exact VRRP vectors, every field commented. Checksums were computed independently (RFC 1071
 * by hand / a separate script), not by the code under test. Test names carry the RFC checklist
 * IDs of vrrp-rfc-and-peers.md §1.8 ("MUST-n").
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIPv4, parseIPv6 } from '../../../src/proto/inet-address.js';
import { decodeVrrpMessage, encodeVrrpMessage, passAuthData } from '../../../src/vrrp/packet-codec.js';
import { decodeIpv4Datagram, encodeVrrpIpv4Packet } from '../../../src/vrrp/packet-ipv4.js';
import type { ChecksumContext, VrrpMessage } from '../../../src/vrrp/packet-types.js';

/** Hex bytes, one row per line, each row's comment after `//`. */
const hex = (text: string): Uint8Array =>
  Uint8Array.from(Buffer.from(text.split('\n').map((line) => line.split('//')[0] ?? '').join('').replace(/\s/g, ''), 'hex'));
const v4ctx = (src: string, dst = '224.0.0.18'): ChecksumContext => ({ family: 'ipv4', source: parseIPv4(src), destination: parseIPv4(dst) });

// VRRPv2, no authentication, VRID 51, priority 100, 1 VIP, 1 s; 192.0.2.1 -> 224.0.0.18, IP ID 1.
const V2_NONE = hex(`
  45 c0 00 28  // version 4 IHL 5 | TOS 0xC0 | total length 40
  00 01 00 00  // identification 1 | flags 0 (no DF), fragment offset 0
  ff 70 18 91  // TTL 255 | protocol 112 | header checksum 0x1891
  c0 00 02 01  // source 192.0.2.1
  e0 00 00 12  // destination 224.0.0.18
  21 33 64 01  // version 2 type 1 | VRID 51 | priority 100 | count 1
  00 01 b8 65  // auth type 0 | adver int 1 s | checksum 0xb865
  c0 00 02 64  // VIP 192.0.2.100
  00 00 00 00  // auth data (zeros)
  00 00 00 00`);
const V2_NONE_MSG: VrrpMessage = { version: 2, vrid: 51, priority: 100, addresses: ['192.0.2.100'], authType: 0, advertIntervalS: 1, authData: new Uint8Array(8) };

// VRRPv2, PASS "secret", VRID 1, priority 150, 2 VIPs: IP total length 44 (keepalived-behaviour §5.1).
const V2_PASS = hex(`
  45 c0 00 2c  // version 4 IHL 5 | TOS 0xC0 | total length 44
  00 07 00 00  // identification 7 | no DF
  ff 70 18 86  // TTL 255 | protocol 112 | header checksum 0x1886
  c0 00 02 02  // source 192.0.2.2
  e0 00 00 12  // destination 224.0.0.18
  21 01 96 02  // version 2 type 1 | VRID 1 | priority 150 | count 2
  01 01 87 98  // auth type 1 (PASS) | adver int 1 s | checksum 0x8798
  c0 00 02 0a  // VIP 192.0.2.10
  c0 00 02 0b  // VIP 192.0.2.11
  73 65 63 72  // auth data "secr"
  65 74 00 00  // auth data "et" NUL NUL`);
const V2_PASS_MSG: VrrpMessage = {
  version: 2, vrid: 1, priority: 150, addresses: ['192.0.2.10', '192.0.2.11'], authType: 1, advertIntervalS: 1, authData: passAuthData('secret'),
};

// VRRPv3 over IPv4, VRID 10, priority 200, 1 VIP, 0.5 s = 50 cs = 0x032; IP total length 32.
const V3_V4_HEADER = `
  45 c0 00 20  // version 4 IHL 5 | TOS 0xC0 | total length 32
  12 34 00 00  // identification 0x1234 | no DF
  ff 70 9e 31  // TTL 255 | protocol 112 | header checksum 0x9e31
  c6 33 64 02  // source 198.51.100.2
  e0 00 00 12  // destination 224.0.0.18`;
const v3v4 = (checksum: string): Uint8Array => hex(`${V3_V4_HEADER}
  31 0a c8 01  // version 3 type 1 | VRID 10 | priority 200 | count 1
  00 32 ${checksum}  // rsvd 0 + max adver int 50 cs | checksum
  c6 33 64 0a  // VIP 198.51.100.10`);
/** keepalived's default: IPv4 pseudo-header {198.51.100.2, 224.0.0.18, 0, 112, 12} included. */
const V3_V4_PSEUDO = v3v4('d1 be');
/** v3_checksum_as_v2 / RFC 9568 / Cisco, Juniper: the VRRP message only. */
const V3_V4_MSG_ONLY = v3v4('dc 83');
const V3_V4_MSG: VrrpMessage = { version: 3, vrid: 10, priority: 200, addresses: ['198.51.100.10'], maxAdvertIntervalCs: 50, reserved: 0 };

// VRRPv3 over IPv6 (the VRRP message only; the kernel builds the IPv6 header), fe80::a -> ff02::12.
const V3_V6 = hex(`
  31 14 64 02  // version 3 type 1 | VRID 20 | priority 100 | count 2
  00 64 3f 12  // rsvd 0 + max adver int 100 cs | checksum 0x3f12 (RFC 8200 pseudo-header, length 40)
  fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01  // fe80::1 (the link-local comes first)
  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 01 00  // 2001:db8::100`);
const V3_V6_MSG: VrrpMessage = { version: 3, vrid: 20, priority: 100, addresses: ['fe80::1', '2001:db8::100'], maxAdvertIntervalCs: 100, reserved: 0 };
const V6_CTX: ChecksumContext = { family: 'ipv6', source: parseIPv6('fe80::a'), destination: parseIPv6('ff02::12') };

describe('VRRP byte-exact vectors', () => {
  it('MUST-1 MUST-3 MUST-6 MUST-10: v2 without authentication encodes byte for byte (TOS 0xC0, TTL 255, proto 112)', () => {
    const bytes = encodeVrrpIpv4Packet(V2_NONE_MSG, { source: '192.0.2.1', destination: '224.0.0.18', identification: 1 });
    assert.deepEqual(bytes, V2_NONE);
  });

  it('MUST-6 MUST-10: v2 without authentication decodes to its fields', () => {
    const ip = decodeIpv4Datagram(V2_NONE);
    assert.ok(ip.ok);
    assert.equal(ip.value.ttl, 255);
    assert.equal(ip.value.tos, 0xc0);
    assert.equal(ip.value.flagsAndFragment, 0);
    assert.equal(ip.value.source, '192.0.2.1');
    const vrrp = decodeVrrpMessage(ip.value.vrrp, { family: 'ipv4' });
    assert.ok(vrrp.ok);
    assert.deepEqual(vrrp.value.message, V2_NONE_MSG);
    assert.equal(vrrp.value.checksumForm, 'v2');
  });

  it('MUST-10 MUST-12: v2 PASS with 2 VIPs is 44 bytes with NUL-padded auth data, and round-trips', () => {
    const bytes = encodeVrrpIpv4Packet(V2_PASS_MSG, { source: '192.0.2.2', destination: '224.0.0.18', identification: 7 });
    assert.equal(bytes.length, 44);
    assert.deepEqual(bytes, V2_PASS);
    const ip = decodeIpv4Datagram(bytes);
    assert.ok(ip.ok);
    const vrrp = decodeVrrpMessage(ip.value.vrrp, { family: 'ipv4' });
    assert.ok(vrrp.ok);
    assert.deepEqual(vrrp.value.message, V2_PASS_MSG);
  });

  it('MUST-10: v3 IPv4 at 0.5 s with the IPv4 pseudo-header (keepalived default) is byte-exact, 32 bytes', () => {
    const bytes = encodeVrrpIpv4Packet(V3_V4_MSG, { source: '198.51.100.2', destination: '224.0.0.18', identification: 0x1234 });
    assert.equal(bytes.length, 32);
    assert.deepEqual(bytes, V3_V4_PSEUDO);
  });

  it('MUST-10: v3 IPv4 message-only checksum (v3_checksum_as_v2, RFC 9568) is byte-exact', () => {
    const bytes = encodeVrrpIpv4Packet(V3_V4_MSG, { source: '198.51.100.2', destination: '224.0.0.18', identification: 0x1234, form: 'message-only' });
    assert.deepEqual(bytes, V3_V4_MSG_ONLY);
  });

  it('MUST-10: a v3 IPv4 receiver accepts the configured form, rejects the other, and accepts both with "either"', () => {
    const ctx = v4ctx('198.51.100.2');
    const pseudo = V3_V4_PSEUDO.subarray(20);
    const plain = V3_V4_MSG_ONLY.subarray(20);
    const decode = (b: Uint8Array, accept: 'pseudo-header' | 'message-only' | 'either') =>
      decodeVrrpMessage(b, { family: 'ipv4', checksum: ctx, accept });
    assert.equal(decode(pseudo, 'pseudo-header').ok, true);
    assert.deepEqual(decode(plain, 'pseudo-header'), { ok: false, reason: 'checksum_err', detail: 'checksum 0xdc83' });
    assert.equal(decode(plain, 'message-only').ok, true);
    assert.equal(decode(pseudo, 'message-only').ok, false);
    const both = [decode(pseudo, 'either'), decode(plain, 'either')];
    assert.deepEqual(both.map((r) => (r.ok ? r.value.checksumForm : r.reason)), ['pseudo-header', 'message-only']);
    const decoded = decode(pseudo, 'either');
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.value.message, V3_V4_MSG);
  });

  it('MUST-10 MUST-17: v3 IPv6 with the RFC 8200 pseudo-header encodes and decodes byte for byte', () => {
    assert.deepEqual(encodeVrrpMessage(V3_V6_MSG, { checksum: V6_CTX }), V3_V6);
    const decoded = decodeVrrpMessage(V3_V6, { family: 'ipv6', checksum: V6_CTX });
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.value.message, V3_V6_MSG);
    assert.equal(decoded.value.checksumForm, 'ipv6');
    const otherSource = { ...V6_CTX, source: parseIPv6('fe80::b') };
    assert.equal(decodeVrrpMessage(V3_V6, { family: 'ipv6', checksum: otherSource }).ok, false);
  });

  it('MUST-8: the reserved bits are zero on send and ignored (reported) on receive', () => {
    const bytes = V3_V4_MSG_ONLY.slice(20);
    bytes[4] = 0xa0; // rsvd = 0xa, interval still 0x032
    bytes[6] = 0x3c; // checksum adjusted by hand: 0xdc83 - 0xa000 = 0x3c83
    const decoded = decodeVrrpMessage(bytes, { family: 'ipv4', checksum: v4ctx('198.51.100.2'), accept: 'message-only' });
    assert.ok(decoded.ok);
    assert.equal(decoded.value.message.version === 3 && decoded.value.message.maxAdvertIntervalCs, 50);
    assert.equal(decoded.value.message.version === 3 && decoded.value.message.reserved, 0xa);
    assert.equal(V3_V4_PSEUDO[20 + 4], 0x00);
  });
});
