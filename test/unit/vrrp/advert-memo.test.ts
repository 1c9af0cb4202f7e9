/**
 * The per-advert caches of the driver: AdvertCache (send) must give exactly encodeAdvert's bytes,
 * ReceiveMemo (receive) must only answer for a packet identical to the remembered one in the same
 * context (IPv4: up to identification and header checksum, which must still verify).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdvertCache, setIpv4Identification } from '../../../src/vrrp/advert-cache.js';
import { encodeAdvert, receiveIpv4 } from '../../../src/vrrp/advert.js';
import { defaultParams, type VrrpInstanceParams } from '../../../src/vrrp/params.js';
import { ReceiveMemo, type MemoPacket } from '../../../src/vrrp/receive-memo.js';

const V2_PASS = defaultParams({ name: 'VI_1', vrid: 51, primaryAddress: '192.0.2.1', vips: ['192.0.2.100', '192.0.2.101'], auth: { type: 'PASS', password: 'secret' } });
const V3 = defaultParams({ name: 'VI_3', vrid: 10, primaryAddress: '198.51.100.1', vips: ['198.51.100.10'], version: 3, advertIntervalCs: 1 });
const V3_UNICAST = defaultParams({ name: 'VI_U', vrid: 11, primaryAddress: '198.51.100.1', vips: ['198.51.100.11'], version: 3, unicastPeers: [{ address: '198.51.100.2' }, { address: '198.51.100.3' }] });
const V6 = defaultParams({ name: 'VI_6', vrid: 20, primaryAddress: 'fe80::1', vips: ['fe80::100', '2001:db8::100'], version: 3 });
const AH = defaultParams({ name: 'VI_AH', vrid: 52, primaryAddress: '192.0.2.1', vips: ['192.0.2.100'], auth: { type: 'AH', password: 'secret' } });

describe('AdvertCache', () => {
  for (const params of [V2_PASS, V3, V3_UNICAST, V6, AH]) {
    it(`${params.name}: byte-identical to encodeAdvert for every identification, priority and destination`, () => {
      const cache = new AdvertCache();
      const destinations = params.unicastPeers.length > 0 ? params.unicastPeers.map((p) => p.address) : [params.family === 'ipv4' ? '224.0.0.18' : 'ff02::12'];
      let id = 0;
      for (let round = 0; round < 3; round++) {
        for (const priority of [150, 0, 150, 254, 1]) {
          for (const destination of destinations) {
            id = id === 0xffff ? 1 : id + 1;
            const options = { destination, identification: id, ahSequence: id };
            assert.deepEqual(Uint8Array.from(cache.bytes(params, priority, options)), Uint8Array.from(encodeAdvert(params, priority, options)));
          }
        }
      }
      // identification wrap-around
      const options = { destination: destinations[0] ?? '', identification: 0xffff, ahSequence: 7 };
      assert.deepEqual(Uint8Array.from(cache.bytes(params, 150, options)), Uint8Array.from(encodeAdvert(params, 150, options)));
    });
  }

  it('new params (a reload) build new bytes', () => {
    const cache = new AdvertCache();
    const options = { destination: '224.0.0.18', identification: 1 };
    const before = Uint8Array.from(cache.bytes(V3, 100, options));
    const changed: VrrpInstanceParams = { ...V3, vips: ['198.51.100.20'] };
    const after = Uint8Array.from(cache.bytes(changed, 100, options));
    assert.notDeepEqual(after, before);
    assert.deepEqual(after, Uint8Array.from(encodeAdvert(changed, 100, options)));
  });

  it('setIpv4Identification writes the field and a valid header checksum', () => {
    const datagram = encodeAdvert(V3, 100, { destination: '224.0.0.18', identification: 1 });
    setIpv4Identification(datagram, 0x1234);
    assert.deepEqual(datagram, encodeAdvert(V3, 100, { destination: '224.0.0.18', identification: 0x1234 }));
  });
});

function v4(params: VrrpInstanceParams, priority: number, identification: number): MemoPacket {
  // as received: the sender's datagram (the source address filled, as the kernel does)
  return { family: 'ipv4', bytes: encodeAdvert({ ...params, primaryAddress: '192.0.2.2' }, priority, { destination: '224.0.0.18', identification }), ttl: 255, source: '192.0.2.2', destination: '224.0.0.18' };
}

describe('ReceiveMemo', () => {
  const params = defaultParams({ name: 'VI_1', vrid: 51, primaryAddress: '192.0.2.1', vips: ['192.0.2.100'], version: 3 });

  it('IPv4: a twin with another identification hits; the full path agrees it is valid', () => {
    const memo = new ReceiveMemo<string>();
    const first = v4(params, 150, 1);
    assert.equal(receiveIpv4(first.bytes, params, true).ok, true);
    assert.equal(memo.lookup(first, params, undefined), undefined);
    memo.remember(first, params, undefined, 'accepted');
    const twin = v4(params, 150, 2);
    assert.equal(receiveIpv4(twin.bytes, params, true).ok, true);
    assert.equal(memo.lookup(twin, params, undefined), 'accepted');
  });

  it('IPv4: a bad header checksum, another priority, params or master address miss', () => {
    const memo = new ReceiveMemo<string>();
    memo.remember(v4(params, 150, 1), params, undefined, 'accepted');
    const bad = v4(params, 150, 2);
    bad.bytes[10] = (bad.bytes[10] ?? 0) ^ 0xff;
    assert.equal(memo.lookup(bad, params, undefined), undefined);
    assert.equal(memo.lookup(v4(params, 149, 2), params, undefined), undefined);
    assert.equal(memo.lookup(v4(params, 150, 2), { ...params }, undefined), undefined);
    assert.equal(memo.lookup(v4(params, 150, 2), params, '192.0.2.2'), undefined);
    const ttl = v4(params, 150, 3);
    ttl.bytes[8] = 254;
    setIpv4Identification(ttl.bytes, 3); // a valid checksum for the changed TTL
    assert.equal(memo.lookup(ttl, params, undefined), undefined);
    memo.clear();
    assert.equal(memo.lookup(v4(params, 150, 4), params, undefined), undefined);
  });

  it('IPv6: hop limit, source and destination are part of the packet', () => {
    const memo = new ReceiveMemo<string>();
    const bytes = encodeAdvert({ ...V6, primaryAddress: 'fe80::2' }, 150, { destination: 'ff02::12', identification: 0 });
    const p: MemoPacket = { family: 'ipv6', bytes, ttl: 255, source: 'fe80::2', destination: 'ff02::12' };
    memo.remember(p, V6, undefined, 'accepted');
    assert.equal(memo.lookup({ ...p, bytes: Uint8Array.from(bytes) }, V6, undefined), 'accepted');
    assert.equal(memo.lookup({ ...p, ttl: 254 }, V6, undefined), undefined);
    assert.equal(memo.lookup({ ...p, source: 'fe80::3' }, V6, undefined), undefined);
    assert.equal(memo.lookup({ ...p, destination: 'fe80::1' }, V6, undefined), undefined);
    assert.equal(memo.lookup({ ...p, family: 'ipv4' }, V6, undefined), undefined);
  });

  it('keeps its own copy of the bytes (the socket reuses its buffer)', () => {
    const memo = new ReceiveMemo<string>();
    const p = v4(params, 150, 1);
    memo.remember(p, params, undefined, 'accepted');
    p.bytes[25] = 1; // the buffer is overwritten by the next packet
    assert.equal(memo.lookup(v4(params, 150, 2), params, undefined), 'accepted');
  });
});
