/**
 * Reload of the running instances (DriverSet): an unchanged instance keeps its state and its
 * VIPs (no flap, no priority 0); removed ones resign; changed ones restart; new ones start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeAdvert } from '../../../src/vrrp/advert.js';
import type { InstanceBinding } from '../../../src/vrrp/config-adapter.js';
import { formatDaemonStats } from '../../../src/vrrp/driver-stats.js';
import { DriverSet, instanceKey } from '../../../src/vrrp/driver-set.js';
import { defaultParams } from '../../../src/vrrp/params.js';
import { FakeLan, fakeNode, ManualClock, settle } from './driver-fakes.js';

function binding(name: string, vrid: number, vip: string, priority = 100): InstanceBinding {
  const params = defaultParams({ name, vrid, vips: [vip], primaryAddress: '192.0.2.1', priority });
  return { params, interfaceName: 'eth0', vips: [{ address: vip, prefixLength: 24, interfaceName: 'eth0' }], unicastTtl: 255, trackInterface: true, unsupported: [] };
}

const ONE = binding('VI_1', 51, '192.0.2.100');
const TWO = binding('VI_2', 52, '192.0.2.101');

async function runningPair(): Promise<{ clock: ManualClock; lan: FakeLan; node: ReturnType<typeof fakeNode>; set: DriverSet }> {
  const clock = new ManualClock();
  const lan = new FakeLan(clock);
  const node = fakeNode('a', lan, clock);
  const set = new DriverSet(node.ports);
  set.start([ONE, TWO]);
  clock.advanceMs(4_000);
  await settle();
  return { clock, lan, node, set };
}

test('instances are matched by VRID, family, interface and unicast-ness, not by name', () => {
  assert.equal(instanceKey(ONE), instanceKey({ ...ONE, params: { ...ONE.params, name: 'renamed' } }));
  assert.notEqual(instanceKey(ONE), instanceKey(TWO));
});

test('reload with the same config keeps every instance MASTER with its VIPs and sends no priority 0', async () => {
  const { clock, lan, node, set } = await runningPair();
  assert.deepEqual(set.running.map((d) => d.state.name), ['MASTER', 'MASTER']);
  const before = set.running.slice();
  const logLines = node.log.lines.length;
  const summary = await set.reload([binding('VI_1', 51, '192.0.2.100'), binding('VI_2', 52, '192.0.2.101')]);
  await settle();
  assert.deepEqual(summary, { kept: ['VI_1', 'VI_2'], updated: [], started: [], stopped: [] });
  assert.deepEqual(set.running, before, 'the same drivers keep running');
  assert.deepEqual(node.log.lines.slice(logLines), [], 'nothing logged: no transition, no VIP change');
  assert.deepEqual(node.addresses.on('eth0'), ['192.0.2.100/24', '192.0.2.101/24']);
  clock.advanceMs(2_000);
  assert.equal(lan.sentBy('a').some((p) => p.bytes[22] === 0), false, 'no priority 0 advert');
});

test('reload: a removed instance resigns, a changed one adopts the new settings as MASTER, a new one starts', async () => {
  const { clock, lan, node, set } = await runningPair();
  const three = binding('VI_3', 53, '192.0.2.102');
  const changed = { ...binding('VI_2', 52, '192.0.2.103', 120) };
  const summary = await set.reload([changed, three]);
  await settle();
  assert.deepEqual(summary, { kept: [], updated: ['VI_2'], started: ['VI_3'], stopped: ['VI_1'] });
  assert.deepEqual(node.addresses.on('eth0'), ['192.0.2.103/24'], 'VI_1 removed its VIP; VI_2 swapped .101 for .103 and stayed MASTER');
  assert.deepEqual(set.running.map((d) => `${d.name} ${d.state.name} ${d.state.effectivePriority}`), ['VI_2 MASTER 120', 'VI_3 BACKUP 100']);
  const sentBefore = lan.sentBy('a').length;
  clock.advanceMs(4_000);
  await settle();
  const vi2 = lan.sentBy('a').slice(sentBefore).filter((p) => p.bytes[21] === 52);
  assert.ok(vi2.length >= 3 && vi2.every((p) => p.bytes[22] === 120), 'VI_2 advertises its new priority');
  assert.deepEqual(node.addresses.on('eth0'), ['192.0.2.102/24', '192.0.2.103/24']);
  await set.stopAll();
  assert.deepEqual(node.addresses.on('eth0'), []);
  assert.equal(set.reportable.length, 2, 'the last instances stay reportable for a stats dump');
});

test('adverts for a VRID no instance has are counted once per packet (every instance socket sees them); known VRIDs are not', async () => {
  const { lan, set } = await runningPair();
  const advert = (vrid: number): Uint8Array => {
    const params = defaultParams({ name: 'X', vrid, vips: ['192.0.2.100'], primaryAddress: '192.0.2.9' });
    return encodeAdvert(params, 100, { destination: '224.0.0.18', identification: 1, ahSequence: 1 });
  };
  assert.equal(set.unknownVrids, 0);
  lan.inject(advert(52), 'ipv4', '192.0.2.9', '224.0.0.18', 255);
  assert.equal(set.unknownVrids, 0, 'VRID 52 is VI_2\'s (VI_1 sees it as another VRID, the daemon knows it)');
  lan.inject(advert(99), 'ipv4', '192.0.2.9', '224.0.0.18', 255);
  lan.inject(advert(7), 'ipv4', '192.0.2.9', '224.0.0.18', 255);
  assert.equal(set.unknownVrids, 2, 'two packets, each seen by both instances, counted once each');
  assert.match(formatDaemonStats(set.unknownVrids), /^keepalived-ts daemon drops:\n {2}Unknown VRID: 2$/);
});
