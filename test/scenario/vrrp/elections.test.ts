/**
 * Scenario: elections on a simulated LAN (real bytes on a fake wire, manual clock). Names carry
 * the RFC checklist IDs of vrrp-rfc-and-peers.md §1.8.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultParams, type VrrpInstanceParams } from '../../../src/vrrp/params.js';
import { SimNetwork } from './sim-network.js';

const VIP = '192.0.2.100';
const node = (last: number, priority: number, over: Partial<VrrpInstanceParams> = {}): VrrpInstanceParams =>
  defaultParams({ name: 'VI_1', vrid: 51, primaryAddress: `192.0.2.${last}`, vips: [VIP], priority, ...over });

function trio(): SimNetwork {
  const sim = new SimNetwork().add('a', node(1, 150)).add('b', node(2, 100)).add('c', node(3, 50));
  for (const id of ['a', 'b', 'c']) sim.start(id);
  return sim;
}

describe('scenario: elections', () => {
  it('MUST-22 MUST-25 MUST-19: all start in BACKUP; the highest priority takes over at its Master_Down_Interval (3.414 s)', () => {
    const sim = trio().runUntil(20_000_000);
    assert.deepEqual(sim.masters(), ['a']);
    assert.deepEqual(sim.vipHolders(), ['a']);
    assert.equal(sim.lastEntered('a', 'MASTER'), 3_414_062);
    assert.equal(sim.lastEntered('b', 'MASTER'), undefined);
    assert.equal(sim.lastEntered('c', 'MASTER'), undefined);
    assert.deepEqual(
      sim.transitions.filter((t) => t.atUs === 0).map((t) => t.message),
      ['(VI_1) Entering BACKUP STATE (init)', '(VI_1) Entering BACKUP STATE (init)', '(VI_1) Entering BACKUP STATE (init)'],
    );
  });

  it('MUST-31: the master advertises every Advertisement_Interval', () => {
    const sim = trio().runUntil(8_500_000);
    assert.deepEqual(sim.advertsFrom('a').map((w) => w.atUs), [3_414_062, 4_414_062, 5_414_062, 6_414_062, 7_414_062, 8_414_062]);
  });

  it('MUST-1 MUST-3 MUST-5 MUST-6: every advert on the wire has TTL 255, protocol 112, 224.0.0.18, the primary source, version 2', () => {
    const sim = trio().runUntil(6_000_000);
    assert.ok(sim.wire.length >= 3);
    for (const { bytes } of sim.wire) {
      assert.equal(bytes[8], 255);
      assert.equal(bytes[9], 112);
      assert.deepEqual([...bytes.subarray(12, 20)], [192, 0, 2, 1, 224, 0, 0, 18]);
      assert.equal((bytes[20] ?? 0) >> 4, 2);
    }
  });

  it('MUST-21: the owner (255, state MASTER) is MASTER at once; a running master yields to it', () => {
    const sim = new SimNetwork().add('owner', node(1, 255, { initialState: 'MASTER' })).add('b', node(2, 100));
    sim.start('b');
    sim.at(5_000_000, () => sim.start('owner')).runUntil(10_000_000);
    assert.equal(sim.lastEntered('b', 'MASTER'), 3_609_375);
    assert.equal(sim.lastEntered('owner', 'MASTER'), 5_000_000);
    assert.equal(sim.lastEntered('b', 'BACKUP'), 5_000_100);
    assert.deepEqual(sim.vipHolders(), ['owner']);
  });

  it('MUST-34: equal priority: the higher primary address wins (both expire together, the lower one yields)', () => {
    const sim = new SimNetwork().add('low', node(1, 100)).add('high', node(2, 100));
    sim.start('low');
    sim.start('high');
    sim.runUntil(10_000_000);
    assert.deepEqual(sim.masters(), ['high']);
    assert.deepEqual(sim.vipHolders(), ['high']);
    assert.equal(sim.lastEntered('low', 'BACKUP'), 3_609_475);
  });

  it('MUST-36: two owners: by default (RFC 9568, keepalived) the lower address backs off; with owner_ignore_adverts both stay MASTER', () => {
    const owner = (last: number, ignore: boolean) => node(last, 255, { initialState: 'MASTER', ownerIgnoreAdverts: ignore });
    const processing = new SimNetwork().add('x', owner(1, false)).add('y', owner(2, false));
    processing.start('x');
    processing.start('y');
    assert.deepEqual(processing.runUntil(5_000_000).masters(), ['y']);
    const ignoring = new SimNetwork().add('x', owner(1, true)).add('y', owner(2, true));
    ignoring.start('x');
    ignoring.start('y');
    assert.deepEqual(ignoring.runUntil(5_000_000).masters(), ['x', 'y']);
    assert.ok(ignoring.rejects('x').includes('owner_ignore_adverts'));
  });

  it('MUST-12: a PASS mismatch is auth_failure at the receiver, so both become MASTER', () => {
    const sim = new SimNetwork()
      .add('a', node(1, 150, { auth: { type: 'PASS', password: 'secret' } }))
      .add('b', node(2, 100, { auth: { type: 'PASS', password: 'other' } }));
    sim.start('a');
    sim.start('b');
    sim.runUntil(8_000_000);
    assert.deepEqual(sim.masters(), ['a', 'b']);
    assert.ok(sim.rejects('b').length > 0 && sim.rejects('b').every((r) => r === 'auth_failure'));
  });

  it('MUST-10 MUST-17: v3 over IPv6 (link-local first, RFC 8200 checksum): election and takeover', () => {
    const v6 = (last: number, priority: number) =>
      defaultParams({ name: 'VI_6', vrid: 20, version: 3, primaryAddress: `fe80::${last}`, vips: ['fe80::100', '2001:db8::100'], priority });
    const sim = new SimNetwork().add('a', v6(1, 150)).add('b', v6(2, 100));
    sim.start('a');
    sim.start('b');
    sim.runUntil(6_000_000);
    assert.deepEqual(sim.masters(), ['a']);
    assert.deepEqual(sim.rejects('b'), []);
    sim.crash('a');
    sim.runUntil(12_000_000);
    assert.deepEqual(sim.masters(), ['b']);
  });

  it('MUST-10: v3 IPv4 checksum forms: a message-only sender (v3_checksum_as_v2) is heard by "either", not by pseudo-header-only', () => {
    const v3 = (last: number, priority: number, over: Partial<VrrpInstanceParams>) =>
      node(last, priority, { version: 3, ...over });
    const sim = new SimNetwork()
      .add('cisco-like', v3(1, 150, { v3ChecksumSend: 'message-only' }))
      .add('tolerant', v3(2, 100, { v3ChecksumAccept: 'either' }))
      .add('strict', v3(3, 50, {}));
    for (const id of ['cisco-like', 'tolerant', 'strict']) sim.start(id);
    sim.runUntil(10_000_000);
    assert.equal(sim.stateOf('tolerant'), 'BACKUP');
    assert.equal(sim.stateOf('strict'), 'MASTER');
    assert.ok(sim.rejects('strict').includes('checksum_err'));
    assert.deepEqual(sim.rejects('tolerant'), []);
  });

  it('MUST-10: unicast peers with v3: one advert per peer, the pseudo-header carries each unicast destination, IP IDs count up', () => {
    const uni = (last: number, priority: number, peers: number[]) =>
      node(last, priority, { version: 3, unicastPeers: peers.map((p) => ({ address: `192.0.2.${p}` })) });
    const sim = new SimNetwork().add('a', uni(1, 150, [2, 3])).add('b', uni(2, 100, [1, 3])).add('c', uni(3, 50, [1, 2]));
    for (const id of ['a', 'b', 'c']) sim.start(id);
    sim.runUntil(6_000_000);
    assert.deepEqual(sim.masters(), ['a']);
    assert.deepEqual([sim.rejects('b'), sim.rejects('c')], [[], []]);
    const fromA = sim.advertsFrom('a');
    assert.deepEqual(fromA.slice(0, 4).map((w) => w.destination), ['192.0.2.2', '192.0.2.3', '192.0.2.2', '192.0.2.3']);
    assert.deepEqual(fromA.slice(0, 4).map((w) => ((w.bytes[4] ?? 0) << 8) | (w.bytes[5] ?? 0)), [1, 2, 3, 4]);
  });

  it('vrrp_startup_delay: a delayed node neither sends nor listens until the delay is over', () => {
    const sim = new SimNetwork().add('a', node(1, 150, { startupDelayMs: 5000 })).add('b', node(2, 100));
    sim.start('a');
    sim.start('b');
    sim.runUntil(4_999_999);
    assert.equal(sim.stateOf('a'), 'INIT');
    assert.deepEqual(sim.masters(), ['b']);
    sim.runUntil(12_000_000);
    assert.equal(sim.lastEntered('a', 'MASTER'), 5_000_000 + 3_414_062);
    assert.deepEqual(sim.masters(), ['a']);
  });
});
