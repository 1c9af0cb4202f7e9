import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeArp, encodeGratuitousArp, GARP_FRAME_LENGTH } from '../../../src/proto/arp.js';
import { decodeNeighborAdvertisement, encodeUnsolicitedNa, NA_FRAME_LENGTH } from '../../../src/proto/icmpv6-na.js';
import { decodeEthernetHeader } from '../../../src/proto/ethernet.js';
import { decodeIpv6Header } from '../../../src/proto/ipv6-header.js';
import { CodecError } from '../../../src/proto/codec-error.js';
import { parseIPv4, parseIPv6, parseMac } from '../../../src/proto/inet-address.js';

const VMAC_V4 = parseMac('00:00:5e:00:01:2a');
const VMAC_V6 = parseMac('00:00:5e:00:02:2a');

test('gratuitous ARP for 192.0.2.100 from the VRID 42 VMAC, byte for byte', () => {
  const expected = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // Ethernet destination: broadcast
    0x00, 0x00, 0x5e, 0x00, 0x01, 0x2a, // Ethernet source: VMAC
    0x08, 0x06, // EtherType ARP
    0x00, 0x01, // hardware type Ethernet
    0x08, 0x00, // protocol type IPv4
    0x06, 0x04, // hardware / protocol address lengths
    0x00, 0x01, // operation: request
    0x00, 0x00, 0x5e, 0x00, 0x01, 0x2a, // sender hardware address
    192, 0, 2, 100, // sender protocol address = VIP
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // target hardware address (as keepalived)
    192, 0, 2, 100, // target protocol address = VIP
  ];
  const frame = encodeGratuitousArp(VMAC_V4, parseIPv4('192.0.2.100'));
  assert.equal(frame.length, GARP_FRAME_LENGTH);
  assert.deepEqual([...frame], expected);
  const arp = decodeArp(frame, 14);
  assert.ok(arp.ok);
  assert.equal(arp.arp.operation, 1);
  assert.deepEqual([...arp.arp.targetIp], [192, 0, 2, 100]);
  assert.deepEqual(decodeArp(frame, 20), { ok: false, reason: 'too_short' });
  assert.throws(() => encodeGratuitousArp(VMAC_V4, parseIPv6('2001:db8::1')), CodecError);
});

const NA_EXPECTED = [
  0x33, 0x33, 0x00, 0x00, 0x00, 0x01, // Ethernet destination: all-nodes multicast MAC
  0x00, 0x00, 0x5e, 0x00, 0x02, 0x2a, // Ethernet source: IPv6 VMAC of VRID 42
  0x86, 0xdd, // EtherType IPv6
  0x60, 0x00, 0x00, 0x00, // version 6, traffic class 0, flow label 0
  0x00, 0x20, // payload length 32
  0x3a, // next header ICMPv6
  0xff, // hop limit 255
  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00, // source = VIP 2001:db8::100
  0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // destination ff02::1
  0x88, // ICMPv6 type 136: neighbour advertisement
  0x00, // code 0
  0x99, 0x03, // checksum over the pseudo-header
  0x20, 0x00, 0x00, 0x00, // flags: Override only (R=0, S=0), reserved
  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00, // target address = VIP
  0x02, // option: target link-layer address
  0x01, // option length 1 (8 bytes)
  0x00, 0x00, 0x5e, 0x00, 0x02, 0x2a, // link-layer address
];

test('unsolicited NA for 2001:db8::100, byte for byte', () => {
  const frame = encodeUnsolicitedNa({ sourceMac: VMAC_V6, target: parseIPv6('2001:db8::100'), router: false });
  assert.equal(frame.length, NA_FRAME_LENGTH);
  assert.deepEqual([...frame], NA_EXPECTED);
});

test('unsolicited NA with the Router flag: flags 0xa0, checksum 0x1903', () => {
  const frame = encodeUnsolicitedNa({ sourceMac: VMAC_V6, target: parseIPv6('2001:db8::100'), router: true });
  assert.equal(frame[58], 0xa0);
  assert.equal(frame.readUInt16BE(56), 0x1903);
});

test('NA frame decodes back: Ethernet, IPv6 and NA with its option', () => {
  const frame = Buffer.from(NA_EXPECTED);
  assert.equal(decodeEthernetHeader(frame)?.etherType, 0x86dd);
  const ip = decodeIpv6Header(frame, 14);
  assert.ok(ip.ok);
  assert.equal(ip.header.hopLimit, 255);
  assert.equal(ip.header.payloadLength, 32);
  const na = decodeNeighborAdvertisement(frame, 54);
  assert.ok(na.ok);
  assert.equal(na.na.flags, 0x20);
  assert.deepEqual([...(na.na.targetLinkLayer ?? [])], [...VMAC_V6]);
  const badOption = Buffer.from(frame);
  badOption[79] = 0; // option length 0 is invalid (RFC 4861 §4.6)
  assert.deepEqual(decodeNeighborAdvertisement(badOption, 54), { ok: false, reason: 'bad_option' });
  assert.deepEqual(decodeNeighborAdvertisement(frame, 54, 70), { ok: false, reason: 'too_short' });
});
