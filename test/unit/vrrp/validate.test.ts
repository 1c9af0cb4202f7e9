/**
 * Receive validation in keepalived's order (keepalived-behaviour §5.4) with typed rejections.
 * Names carry the RFC checklist IDs of vrrp-rfc-and-peers.md §1.8.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIp } from '../../../src/proto/inet-address.js';
import { internetChecksum } from '../../../src/proto/checksum.js';
import { encodeAdvert, receiveIpv4, virtualRouterMac } from '../../../src/vrrp/advert.js';
import { encodeVrrpMessage, passAuthData } from '../../../src/vrrp/packet-codec.js';
import type { VrrpMessage } from '../../../src/vrrp/packet-types.js';
import { defaultParams, type VrrpInstanceParams } from '../../../src/vrrp/params.js';
import { isAddressListDetail, validateAdvert, type ReceivedPacket } from '../../../src/vrrp/validate.js';

const V2 = defaultParams({ name: 'VI_1', vrid: 51, primaryAddress: '192.0.2.1', vips: ['192.0.2.100'] });
const V3 = defaultParams({ name: 'VI_3', vrid: 10, primaryAddress: '198.51.100.1', vips: ['198.51.100.10'], version: 3, advertIntervalCs: 50 });
const V6 = defaultParams({ name: 'VI_6', vrid: 20, primaryAddress: 'fe80::1', vips: ['fe80::100', '2001:db8::100'], version: 3 });

function v2Message(over: Partial<Extract<VrrpMessage, { version: 2 }>> = {}): VrrpMessage {
  return { version: 2, vrid: 51, priority: 150, addresses: ['192.0.2.100'], authType: 0, advertIntervalS: 1, authData: new Uint8Array(8), ...over };
}

function v3Message(over: Partial<Extract<VrrpMessage, { version: 3 }>> = {}): VrrpMessage {
  return { version: 3, vrid: 10, priority: 150, addresses: ['198.51.100.10'], maxAdvertIntervalCs: 50, reserved: 0, ...over };
}

function packet(message: VrrpMessage, over: Partial<ReceivedPacket> = {}, form: 'pseudo-header' | 'message-only' = 'pseudo-header'): ReceivedPacket {
  const family = over.family ?? (message.addresses[0]?.includes(':') === true ? 'ipv6' : 'ipv4');
  const source = over.source ?? (family === 'ipv4' ? '192.0.2.2' : 'fe80::2');
  const destination = over.destination ?? (family === 'ipv4' ? '224.0.0.18' : 'ff02::12');
  const checksum = { family, source: parseIp(source), destination: parseIp(destination) };
  return { family, ttl: 255, source, destination, vrrp: encodeVrrpMessage(message, { checksum, form }), ...over };
}

function reason(p: ReceivedPacket, params: VrrpInstanceParams, listening = true): string {
  const r = validateAdvert(p, { params, listening });
  return r.ok ? 'ok' : r.reason;
}

describe('validateAdvert', () => {
  it('accepts a good v2 advert and reports its priority, source and interval', () => {
    const r = validateAdvert(packet(v2Message()), { params: V2, listening: true });
    assert.ok(r.ok);
    assert.deepEqual([r.value.priority, r.value.source, r.value.advertIntervalCs, r.value.warnings], [150, '192.0.2.2', 100, []]);
  });

  it('MUST-2: a TTL other than 255 is ip_ttl_err (multicast), v4 and v6', () => {
    assert.equal(reason(packet(v2Message(), { ttl: 254 }), V2), 'ip_ttl_err');
    const v6 = v3Message({ vrid: 20, addresses: ['fe80::100', '2001:db8::100'], maxAdvertIntervalCs: 100 });
    assert.equal(reason(packet(v6), V6), 'ok');
    assert.equal(reason(packet(v6, { ttl: 64 }), V6), 'ip_ttl_err');
  });

  it('unicast: TTL is checked only against the peer min/max TTL; the wrong mode is addr_list_err', () => {
    const uni = { ...V2, unicastPeers: [{ address: '192.0.2.2', minTtl: 250 }] };
    assert.equal(reason(packet(v2Message(), { destination: '192.0.2.1', ttl: 252 }), uni), 'ok');
    assert.equal(reason(packet(v2Message(), { destination: '192.0.2.1', ttl: 249 }), uni), 'ip_ttl_err');
    assert.equal(reason(packet(v2Message()), uni), 'addr_list_err');
    assert.equal(reason(packet(v2Message(), { destination: '192.0.2.1' }), V2), 'addr_list_err');
    const checked = { ...uni, checkUnicastSrc: true };
    assert.equal(reason(packet(v2Message(), { destination: '192.0.2.1', source: '192.0.2.9' }), checked), 'unicast_src_err');
  });

  it('MUST-6: a version other than the configured one is version_mismatch', () => {
    assert.equal(reason(packet(v3Message({ vrid: 51, addresses: ['192.0.2.100'] })), V2), 'version_mismatch');
    assert.equal(reason(packet(v2Message({ vrid: 10, addresses: ['198.51.100.10'] })), V3), 'version_mismatch');
  });

  it('MUST-7: type other than 1 is invalid_type_rcvd (checked after auth, before the checksum)', () => {
    const p = packet(v2Message());
    const bytes = p.vrrp.slice();
    bytes[0] = 0x22; // version 2, type 2, checksum now wrong too: type is charged first (keepalived order)
    assert.equal(reason({ ...p, vrrp: bytes }, V2), 'invalid_type_rcvd');
  });

  it('MUST-9: a message shorter or longer than header + addresses (+ auth) is packet_len_err', () => {
    const p = packet(v2Message());
    assert.equal(reason({ ...p, vrrp: p.vrrp.subarray(0, p.vrrp.length - 1) }, V2), 'packet_len_err');
    assert.equal(reason({ ...p, vrrp: Uint8Array.of(...p.vrrp, 0) }, V2), 'packet_len_err');
    assert.equal(reason({ ...p, vrrp: p.vrrp.subarray(0, 5) }, V2), 'packet_len_err');
  });

  it('MUST-9: v3 with Count 0 is ignored (addr_list_err) unless we advertise no address either', () => {
    const zero = packet(v3Message({ addresses: [] }));
    assert.equal(reason(zero, V3), 'addr_list_err');
    assert.equal(reason(zero, { ...V3, vips: [] }), 'ok');
  });

  it('MUST-10: a wrong checksum is checksum_err; v3 IPv4 accepts the configured form(s)', () => {
    const p = packet(v2Message());
    const bytes = p.vrrp.slice();
    bytes[7] = (bytes[7] ?? 0) ^ 1;
    assert.equal(reason({ ...p, vrrp: bytes }, V2), 'checksum_err');
    const plain = packet(v3Message(), {}, 'message-only');
    assert.equal(reason(plain, V3), 'checksum_err');
    assert.equal(reason(plain, { ...V3, v3ChecksumAccept: 'message-only' }), 'ok');
    assert.equal(reason(plain, { ...V3, v3ChecksumAccept: 'either' }), 'ok');
    assert.equal(reason(packet(v3Message()), { ...V3, v3ChecksumAccept: 'either' }), 'ok');
  });

  it('MUST-11: another VRID is unknown_vrid; INIT/FAULT instances do not listen', () => {
    assert.equal(reason(packet(v2Message({ vrid: 52 })), V2), 'unknown_vrid');
    assert.equal(reason(packet(v2Message()), V2, false), 'not_listening');
  });

  it('MUST-12: v2 auth type unknown, different, or wrong PASS data is rejected with its counter', () => {
    assert.equal(reason(packet(v2Message({ authType: 7 })), V2), 'invalid_authtype');
    assert.equal(reason(packet(v2Message({ authType: 1, authData: passAuthData('x') })), V2), 'authtype_mismatch');
    const pass = { ...V2, auth: { type: 'PASS' as const, password: 'secret' } };
    assert.equal(reason(packet(v2Message({ authType: 1, authData: passAuthData('secret') })), pass), 'ok');
    assert.equal(reason(packet(v2Message({ authType: 1, authData: passAuthData('secreT') })), pass), 'auth_failure');
    assert.equal(reason(packet(v2Message()), pass), 'authtype_mismatch');
  });

  it('MUST-12: an AH header where none is configured (and the reverse) is authtype_mismatch', () => {
    const ah = { nextHeader: 112, spi: 1, sequence: 1, icv: new Uint8Array(12) };
    assert.equal(reason(packet(v2Message(), { ah }), V2), 'authtype_mismatch');
    const ahParams = { ...V2, auth: { type: 'AH' as const, password: 'secret' } };
    assert.equal(reason(packet(v2Message({ authType: 2 })), ahParams), 'authtype_mismatch');
    assert.equal(reason(packet(v2Message({ authType: 2 }), { ah }), ahParams), 'auth_failure'); // no datagram: ICV unverifiable
  });

  it('MUST-12: AH: a signed datagram verifies; another password or a changed byte is auth_failure', () => {
    const sender = { ...V2, primaryAddress: '192.0.2.2', auth: { type: 'AH' as const, password: 'secret' } };
    const bytes = encodeAdvert(sender, 150, { destination: '224.0.0.18', identification: 1, ahSequence: 9 });
    assert.equal(bytes[9], 51); // protocol AH
    const receiver = { ...V2, auth: { type: 'AH' as const, password: 'secret' } };
    const ok = receiveIpv4(bytes, receiver, true);
    assert.ok(ok.ok);
    assert.equal(ok.value.priority, 150);
    const wrongKey = receiveIpv4(bytes, { ...receiver, auth: { type: 'AH', password: 'Secret' } }, true);
    assert.equal(wrongKey.ok ? 'ok' : wrongKey.reason, 'auth_failure');
    const tampered = bytes.slice();
    tampered[46] = 151; // VRRP priority (IP 20 + AH 24 + 2): the VRRP checksum is now wrong too, auth is charged first
    const r = receiveIpv4(tampered, receiver, true);
    assert.equal(r.ok ? 'ok' : r.reason, 'auth_failure');
    const mutableOnly = bytes.slice();
    mutableOnly[1] = 0x00; // TOS is not covered by the ICV (the IP header checksum is, by the codec)
    mutableOnly[10] = 0;
    mutableOnly[11] = 0;
    const sum = internetChecksum(mutableOnly, 0, 20);
    mutableOnly[10] = sum >> 8;
    mutableOnly[11] = sum & 0xff;
    assert.equal(receiveIpv4(mutableOnly, receiver, true).ok, true);
  });

  it('MUST-4: the virtual router MAC is 00-00-5E-00-01-VRID (IPv4) and 00-00-5E-00-02-VRID (IPv6)', () => {
    assert.deepEqual([...virtualRouterMac('ipv4', 51)], [0, 0, 0x5e, 0, 1, 51]);
    assert.deepEqual([...virtualRouterMac('ipv6', 255)], [0, 0, 0x5e, 0, 2, 255]);
  });

  it('MUST-13: v2 Adver Int different from ours is advert_interval_err', () => {
    assert.equal(reason(packet(v2Message({ advertIntervalS: 2 })), V2), 'advert_interval_err');
  });

  it('MUST-14: an address list that differs from ours is dropped as keepalived 2.2.7 drops it (v2 and v3, any priority)', () => {
    const detail = (p: ReceivedPacket, params: VrrpInstanceParams, masterAddress?: string): string | undefined => {
      const r = validateAdvert(p, { params, listening: true, ...(masterAddress === undefined ? {} : { masterAddress }) });
      return r.ok ? undefined : r.detail;
    };
    const other = packet(v2Message({ addresses: ['192.0.2.101'] }));
    assert.equal(reason(other, V2), 'addr_list_err');
    assert.equal(detail(other, V2), 'ip address associated with VRID 51 not present in MASTER advert: 192.0.2.100');
    assert.equal(reason(packet(v2Message({ addresses: ['192.0.2.101'], priority: 255 })), V2), 'addr_list_err');
    const more = packet(v2Message({ addresses: ['192.0.2.100', '192.0.2.101'] }));
    assert.equal(detail(more, V2), 'received an unexpected ip number count 2, expected 1!');
    assert.equal(reason(packet(v3Message({ addresses: ['192.0.2.100', '192.0.2.101'] })), V3), 'addr_list_err');
    // skip_check_adv_addr: not checked for the current master, still checked for another sender
    const skip = { ...V2, skipCheckAdvAddr: true };
    assert.equal(detail(other, skip, other.source), undefined);
    assert.equal(reason(other, skip), 'addr_list_err');
    assert.equal(isAddressListDetail(detail(more, V2) ?? ''), true);
  });

  it('MUST-15: v3 Max Adver Int 0 is advert_interval_err; another interval is only a warning (learned)', () => {
    assert.equal(reason(packet(v3Message({ maxAdvertIntervalCs: 0 })), V3), 'advert_interval_err');
    const r = validateAdvert(packet(v3Message({ maxAdvertIntervalCs: 200 })), { params: V3, listening: true });
    assert.ok(r.ok);
    assert.equal(r.value.advertIntervalCs, 200);
    assert.deepEqual(r.value.warnings, ['advert_interval_mismatch']);
  });

  it('MUST-36: an owner processes adverts by default (RFC 9568) and drops them with owner_ignore_adverts (RFC 5798)', () => {
    const owner = { ...V2, priority: 255 };
    assert.equal(reason(packet(v2Message()), owner), 'ok');
    assert.equal(reason(packet(v2Message()), { ...owner, ownerIgnoreAdverts: true }), 'owner_ignore_adverts');
  });

  it('keepalived order: a bad TTL is charged before a bad version, a bad auth before a bad checksum', () => {
    const p = packet(v3Message({ vrid: 51, addresses: ['192.0.2.100'] }), { ttl: 1 });
    assert.equal(reason(p, V2), 'ip_ttl_err');
    const bad = packet(v2Message({ authType: 1 }));
    const bytes = bad.vrrp.slice();
    bytes[6] = (bytes[6] ?? 0) ^ 0xff;
    assert.equal(reason({ ...bad, vrrp: bytes }, V2), 'authtype_mismatch');
  });
});
