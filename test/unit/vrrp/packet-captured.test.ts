/**
 * Adverts captured from the real keepalived 2.2.7 (Debian 12 package, run in a network namespace
 * on this machine with `keepalived -n -l -D -P`, captured with tshark on the veth peer, which
 * judged every checksum Good). Config: vrrp_instance VI_1 { state MASTER; interface eth0;
 * virtual_router_id 51; priority 100; VIPs 192.0.2.100/24 and 192.0.2.101/24 } on 192.0.2.1,
 * once as v2 with `auth_type PASS, auth_pass secret`, once as `version 3, advert_int 0.5`, once
 * as v2 with `auth_type AH, auth_pass secret` (keepalived then clears state MASTER: "Initial
 * state master is incompatible with AH authentication").
 * Our encoder must produce the same bytes, and our receive path must accept them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeAdvert, receiveIpv4 } from '../../../src/vrrp/advert.js';
import { defaultParams } from '../../../src/vrrp/params.js';

/** Hex bytes, one row per line, each row's comment after `//`. */
const hex = (text: string): Uint8Array =>
  Uint8Array.from(Buffer.from(text.split('\n').map((line) => line.split('//')[0] ?? '').join('').replace(/\s/g, ''), 'hex'));

const IP_V2 = (id: string, headerChecksum: string) => `
  45 c0 00 2c  // IPv4, IHL 5 | TOS 0xC0 | total length 44
  ${id} 00 00  // identification (keepalived: 1, 2, 3 ...) | no DF
  ff 70 ${headerChecksum}  // TTL 255 | protocol 112 | header checksum
  c0 00 02 01  // source 192.0.2.1
  e0 00 00 12  // destination 224.0.0.18`;

/** keepalived 2.2.7, v2 PASS, first advert as MASTER (IP ID 1). */
const KEEPALIVED_V2_PASS = hex(`${IP_V2('00 01', '18 8d')}
  21 33 64 02  // v2 advert | VRID 51 | priority 100 | count 2
  01 01 b8 b2  // auth type 1 (PASS) | adver int 1 s | checksum 0xb8b2
  c0 00 02 64  // 192.0.2.100
  c0 00 02 65  // 192.0.2.101
  73 65 63 72  // "secr"
  65 74 00 00  // "et" NUL NUL`);

/** keepalived 2.2.7, v2 PASS, the priority 0 advert sent on SIGTERM (IP ID 4). */
const KEEPALIVED_V2_STOP = hex(`${IP_V2('00 04', '18 8a')}
  21 33 00 02  // v2 advert | VRID 51 | priority 0 (resign) | count 2
  01 01 1c b3  // auth type 1 (PASS) | adver int 1 s | checksum 0x1cb3
  c0 00 02 64  // 192.0.2.100
  c0 00 02 65  // 192.0.2.101
  73 65 63 72  // "secr"
  65 74 00 00  // "et" NUL NUL`);

const IP_V3 = (id: string, headerChecksum: string) => `
  45 c0 00 24  // IPv4, IHL 5 | TOS 0xC0 | total length 36
  ${id} 00 00  // identification | no DF
  ff 70 ${headerChecksum}  // TTL 255 | protocol 112 | header checksum
  c0 00 02 01  // source 192.0.2.1
  e0 00 00 12  // destination 224.0.0.18`;

/** keepalived 2.2.7, v3 at 0.5 s, first advert (IP ID 1): checksum with the IPv4 pseudo-header. */
const KEEPALIVED_V3 = hex(`${IP_V3('00 01', '18 95')}
  31 33 64 02  // v3 advert | VRID 51 | priority 100 | count 2
  00 32 43 39  // rsvd 0, max adver int 50 cs | checksum 0x4339 (pseudo-header form)
  c0 00 02 64  // 192.0.2.100
  c0 00 02 65  // 192.0.2.101`);

/** keepalived 2.2.7, v3, the priority 0 advert sent on SIGTERM (IP ID 10). */
const KEEPALIVED_V3_STOP = hex(`${IP_V3('00 0a', '18 8c')}
  31 33 00 02  // v3 advert | VRID 51 | priority 0 | count 2
  00 32 a7 39  // rsvd 0, max adver int 50 cs | checksum 0xa739
  c0 00 02 64  // 192.0.2.100
  c0 00 02 65  // 192.0.2.101`);

const IP_AH = (id: string, headerChecksum: string) => `
  45 c0 00 44  // IPv4, IHL 5 | TOS 0xC0 | total length 68 = 20 + AH 24 + VRRP 24
  ${id} 00 00  // identification | no DF
  ff 33 ${headerChecksum}  // TTL 255 | protocol 51 (AH) | header checksum
  c0 00 02 01  // source 192.0.2.1
  e0 00 00 12  // destination 224.0.0.18
  70 04 00 00  // AH: next header 112 | payload len 4 (24 bytes) | reserved
  c0 00 02 01  // SPI = the sender's address 192.0.2.1`;

/** keepalived 2.2.7, v2 AH, first advert (IP ID 1, AH sequence 1). */
const KEEPALIVED_V2_AH = hex(`${IP_AH('00 01', '18 b2')}
  00 00 00 01  // sequence number 1
  85 b5 9b 16  // ICV: HMAC-MD5-96 keyed with "secret" NUL padded to 8 bytes
  d0 d1 67 81
  1c 04 63 87
  21 33 64 02  // v2 advert | VRID 51 | priority 100 | count 2
  02 01 f3 fe  // auth type 2 (AH) | adver int 1 s | checksum 0xf3fe
  c0 00 02 64  // 192.0.2.100
  c0 00 02 65  // 192.0.2.101
  00 00 00 00  // auth data: zeros with AH
  00 00 00 00`);

/** keepalived 2.2.7, v2 AH, priority 0 on SIGTERM (IP ID 4, AH sequence 4). */
const KEEPALIVED_V2_AH_STOP = hex(`${IP_AH('00 04', '18 af')}
  00 00 00 04  // sequence number 4
  2e 1e ba 91  // ICV
  2d 64 d6 96
  b5 25 d0 84
  21 33 00 02  // v2 advert | VRID 51 | priority 0 | count 2
  02 01 57 ff  // auth type 2 (AH) | adver int 1 s | checksum 0x57ff
  c0 00 02 64  // 192.0.2.100
  c0 00 02 65  // 192.0.2.101
  00 00 00 00  // auth data
  00 00 00 00`);

/**
 * FRR 8.4.4 vrrpd (Debian 12), `vrrp 51 version 3`, priority 100, advertisement-interval 500 ms,
 * VIP 192.0.2.100, on 192.0.2.1 with the macvlan vMAC of the lab recipe. Unlike keepalived, FRR
 * lets the kernel build the IP header: DF set and a kernel-chosen identification.
 */
const FRR_V3 = hex(`
  45 c0 00 20  // IPv4, IHL 5 | TOS 0xC0 | total length 32
  92 f7 40 00  // identification 0x92f7 (kernel) | DF set
  ff 70 45 a2  // TTL 255 | protocol 112 | header checksum
  c0 00 02 01  // source 192.0.2.1
  e0 00 00 12  // destination 224.0.0.18
  31 33 64 01  // v3 advert | VRID 51 | priority 100 | count 1
  00 32 05 a4  // max adver int 50 cs | checksum 0x05a4 (IPv4 pseudo-header, FRR's default)
  c0 00 02 64  // 192.0.2.100`);

/** FRR 8.4.4 vrrpd, the priority 0 advert sent when vrrpd stops. */
const FRR_V3_STOP = hex(`
  45 c0 00 20  // IPv4, IHL 5 | TOS 0xC0 | total length 32
  95 d2 40 00  // identification 0x95d2 (kernel) | DF set
  ff 70 42 c7  // TTL 255 | protocol 112 | header checksum
  c0 00 02 01  // source 192.0.2.1
  e0 00 00 12  // destination 224.0.0.18
  31 33 00 01  // v3 advert | VRID 51 | priority 0 | count 1
  00 32 69 a4  // max adver int 50 cs | checksum 0x69a4
  c0 00 02 64  // 192.0.2.100`);

const base = { name: 'VI_1', vrid: 51, primaryAddress: '192.0.2.1', vips: ['192.0.2.100', '192.0.2.101'] };
const V2_PASS = defaultParams({ ...base, auth: { type: 'PASS', password: 'secret' } });
const V3 = defaultParams({ ...base, version: 3, advertIntervalCs: 50 });
const V2_AH = defaultParams({ ...base, auth: { type: 'AH', password: 'secret' } });
const to = (identification: number) => ({ destination: '224.0.0.18', identification });

describe('adverts captured from keepalived 2.2.7', () => {
  it('MUST-1 MUST-10 MUST-12: v2 PASS with 2 VIPs (IP length 44): we send the same bytes', () => {
    assert.deepEqual(encodeAdvert(V2_PASS, 100, to(1)), KEEPALIVED_V2_PASS);
    assert.deepEqual(encodeAdvert(V2_PASS, 0, to(4)), KEEPALIVED_V2_STOP);
  });

  it('MUST-10: v3 at 0.5 s with the IPv4 pseudo-header checksum (keepalived default): we send the same bytes', () => {
    assert.deepEqual(encodeAdvert(V3, 100, to(1)), KEEPALIVED_V3);
    assert.deepEqual(encodeAdvert(V3, 0, to(10)), KEEPALIVED_V3_STOP);
  });

  it('MUST-12: v2 AH (HMAC-MD5-96 ICV, SPI = source, sequence per advert): we send the same bytes', () => {
    assert.deepEqual(encodeAdvert(V2_AH, 100, { ...to(1), ahSequence: 1 }), KEEPALIVED_V2_AH);
    assert.deepEqual(encodeAdvert(V2_AH, 0, { ...to(4), ahSequence: 4 }), KEEPALIVED_V2_AH_STOP);
  });

  it('MUST-12: we verify keepalived\'s AH ICV, and reject it under another key', () => {
    const peer = { ...V2_AH, primaryAddress: '192.0.2.2' };
    assert.deepEqual([KEEPALIVED_V2_AH, KEEPALIVED_V2_AH_STOP].map((b) => receiveIpv4(b, peer, true).ok), [true, true]);
    const other = receiveIpv4(KEEPALIVED_V2_AH, { ...peer, auth: { type: 'AH', password: 'secreT' } }, true);
    assert.equal(other.ok ? 'ok' : other.reason, 'auth_failure');
  });

  it('our receive path accepts them (a peer at 192.0.2.2 with the same settings)', () => {
    const peer = (p: typeof V2_PASS) => ({ ...p, primaryAddress: '192.0.2.2', priority: 90 });
    const results = [
      receiveIpv4(KEEPALIVED_V2_PASS, peer(V2_PASS), true),
      receiveIpv4(KEEPALIVED_V2_STOP, peer(V2_PASS), true),
      receiveIpv4(KEEPALIVED_V3, peer(V3), true),
      receiveIpv4(KEEPALIVED_V3_STOP, peer(V3), true),
    ];
    assert.deepEqual(
      results.map((r) => (r.ok ? [r.value.priority, r.value.advertIntervalCs, r.value.checksumForm, r.value.warnings.length] : r.reason)),
      [[100, 100, 'v2', 0], [0, 100, 'v2', 0], [100, 50, 'pseudo-header', 0], [0, 50, 'pseudo-header', 0]],
    );
  });

  it('a message-only (RFC 9568) receiver rejects keepalived\'s default v3 form unless it accepts "either"', () => {
    const strict9568 = { ...V3, primaryAddress: '192.0.2.2', v3ChecksumAccept: 'message-only' as const };
    const r = receiveIpv4(KEEPALIVED_V3, strict9568, true);
    assert.equal(r.ok ? 'ok' : r.reason, 'checksum_err');
    assert.equal(receiveIpv4(KEEPALIVED_V3, { ...strict9568, v3ChecksumAccept: 'either' }, true).ok, true);
  });

  it('MUST-10: FRR 8.4.4 vrrpd v3 adverts: the VRRP message is byte-identical to ours, and we accept them', () => {
    const frr = defaultParams({ name: 'VI_1', vrid: 51, version: 3, advertIntervalCs: 50, primaryAddress: '192.0.2.1', vips: ['192.0.2.100'] });
    assert.deepEqual(encodeAdvert(frr, 100, to(1)).subarray(20), FRR_V3.subarray(20));
    assert.deepEqual(encodeAdvert(frr, 0, to(1)).subarray(20), FRR_V3_STOP.subarray(20));
    const peer = { ...frr, primaryAddress: '192.0.2.2', priority: 90 };
    const results = [receiveIpv4(FRR_V3, peer, true), receiveIpv4(FRR_V3_STOP, peer, true)];
    assert.deepEqual(results.map((r) => (r.ok ? [r.value.priority, r.value.advertIntervalCs, r.value.checksumForm] : r.reason)), [
      [100, 50, 'pseudo-header'],
      [0, 50, 'pseudo-header'],
    ]);
  });
});
