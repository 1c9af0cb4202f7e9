/**
 * The instance driver on stateful fakes: election, clean start, graceful stop (priority 0, VIPs
 * removed, fast takeover), GARP schedule, link down -> FAULT, hostile adverts counted and
 * dropped, keepalived's stats text. Manual clock: seconds of protocol time in milliseconds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAdvert, encodeAdvert } from '../../../src/vrrp/advert.js';
import { encodeVrrpIpv4Packet } from '../../../src/vrrp/packet-ipv4.js';
import type { InstanceBinding } from '../../../src/vrrp/config-adapter.js';
import { InstanceDriver } from '../../../src/vrrp/driver.js';
import { defaultParams, type VrrpInstanceParams } from '../../../src/vrrp/params.js';
import { FakeLan, fakeNode, ManualClock, settle, startAndElect, type FakeNode } from './driver-fakes.js';

const VIP = '192.0.2.100';

function binding(overrides: Partial<VrrpInstanceParams> & Pick<VrrpInstanceParams, 'primaryAddress'>): InstanceBinding {
  const params = defaultParams({ name: 'VI_1', vrid: 51, vips: [VIP], ...overrides });
  const vips = params.vips.map((address) => ({ address, prefixLength: address.includes(':') ? 64 : 24, interfaceName: 'eth0' }));
  return { params, interfaceName: 'eth0', vips, unicastTtl: 255, trackInterface: true, unsupported: [] };
}

interface Pair {
  clock: ManualClock;
  lan: FakeLan;
  a: FakeNode;
  b: FakeNode;
  da: InstanceDriver;
  db: InstanceDriver;
}

function pair(prioA = 150, prioB = 100, extra: Partial<VrrpInstanceParams> = {}): Pair {
  const clock = new ManualClock();
  const lan = new FakeLan(clock);
  const a = fakeNode('a', lan, clock);
  const b = fakeNode('b', lan, clock);
  const da = new InstanceDriver(binding({ primaryAddress: '192.0.2.1', priority: prioA, ...extra }), a.ports);
  const db = new InstanceDriver(binding({ primaryAddress: '192.0.2.2', priority: prioB, ...extra }), b.ports);
  return { clock, lan, a, b, da, db };
}

test('election: both enter BACKUP (init); the higher priority takes over after Master_Down and holds the VIP', async () => {
  const { clock, a, b, da, db } = pair();
  da.start();
  db.start();
  await settle();
  assert.equal(da.state.name, 'BACKUP');
  assert.deepEqual(a.log.main(), ['(VI_1) removing VIPs.', '(VI_1) Entering BACKUP STATE (init)'], 'keepalived 2.2.7 logs both at startup');
  clock.advanceMs(3_000);
  assert.equal(da.state.name, 'BACKUP', 'Master_Down for priority 150 is 3 s + 0.414 s');
  clock.advanceMs(500);
  await settle();
  assert.equal(da.state.name, 'MASTER');
  assert.equal(db.state.name, 'BACKUP');
  assert.deepEqual(a.addresses.on('eth0'), [`${VIP}/24`]);
  assert.deepEqual(b.addresses.on('eth0'), []);
  assert.ok(a.log.main().includes('(VI_1) Entering MASTER STATE'));
  assert.ok(a.log.main().includes('(VI_1) setting VIPs.'));
  clock.advanceMs(10_000);
  await settle();
  assert.equal(db.state.name, 'BACKUP', 'adverts every second keep the backup down');
  assert.ok(da.stats.get('advert_sent') >= 10);
  assert.ok(db.stats.get('advert_rcvd') >= 10);
  assert.equal(da.stats.get('become_master'), 1);
});

test('clean start: a VIP left on the interface by a previous run is removed at startup', async () => {
  const { b, db } = pair();
  await b.addresses.add({ address: VIP, prefixLength: 24, interfaceName: 'eth0' });
  db.start();
  await settle();
  assert.deepEqual(b.addresses.on('eth0'), []);
  assert.ok(b.log.lines.includes('detail: (VI_1) removing stale VIP 192.0.2.100/24 from eth0'));
});

test('graceful stop of the master: priority 0 advert, VIPs removed, the backup takes over within Skew_Time', async () => {
  const { clock, lan, a, b, da, db } = pair();
  await startAndElect(clock, da, db);
  assert.equal(da.state.name, 'MASTER');
  const stopAtUs = clock.nowUs();
  await da.stop();
  assert.equal(da.stats.get('pri_zero_sent'), 1);
  const last = lan.sentBy('a').at(-1);
  assert.equal(last?.bytes[20 + 2], 0, 'the last advert of a carries priority 0');
  assert.deepEqual(a.addresses.on('eth0'), []);
  assert.ok(a.log.main().includes('(VI_1) sent 0 priority'));
  assert.ok(a.log.main().includes('(VI_1) removing VIPs.'));
  clock.advanceMs(700);
  await settle();
  assert.equal(db.state.name, 'MASTER', 'Skew_Time for priority 100 is 0.61 s');
  assert.equal(db.stats.get('pri_zero_rcvd'), 1);
  assert.deepEqual(b.addresses.on('eth0'), [`${VIP}/24`]);
  assert.ok((lan.sentBy('b')[0]?.atUs ?? 0) - stopAtUs < 700_000);
});

test('preemption: the better node returns and takes the VIP back', async () => {
  const { clock, a, b, da, db } = pair();
  await startAndElect(clock, db);
  assert.equal(db.state.name, 'MASTER');
  await startAndElect(clock, da);
  assert.equal(da.state.name, 'MASTER');
  assert.equal(db.state.name, 'BACKUP');
  assert.deepEqual(a.addresses.on('eth0'), [`${VIP}/24`]);
  assert.deepEqual(b.addresses.on('eth0'), []);
  assert.equal(db.stats.get('release_master'), 1);
});

test('GARP schedule: 5 gratuitous ARPs on becoming MASTER and 5 more after garp_master_delay (5 s)', async () => {
  const { clock, a, da } = pair();
  da.start();
  clock.advanceMs(3_500);
  await settle();
  assert.equal(da.state.name, 'MASTER');
  const first = a.l2.sent.length;
  assert.equal(first, 5);
  clock.advanceMs(4_900);
  await settle();
  assert.equal(a.l2.sent.length, 5);
  clock.advanceMs(200);
  await settle();
  assert.equal(a.l2.sent.length, 10);
  assert.ok(a.log.main().includes('(VI_1) Sending/queueing gratuitous ARPs on eth0 for 192.0.2.100'));
});

test('link down -> FAULT with a priority 0 advert and the VIPs removed; link up -> BACKUP', async () => {
  const { clock, a, da } = pair();
  da.start();
  clock.advanceMs(3_500);
  await settle();
  assert.equal(da.state.name, 'MASTER');
  a.links.set('eth0', 'down');
  await settle();
  assert.equal(da.state.name, 'FAULT');
  assert.deepEqual(a.addresses.on('eth0'), []);
  assert.equal(da.stats.get('pri_zero_sent'), 1);
  assert.ok(a.log.main().includes('(VI_1) Entering FAULT STATE'));
  a.links.set('eth0', 'up');
  assert.equal(da.state.name, 'BACKUP');
});

test('an interface that is down at startup starts in FAULT', async () => {
  const { a, da } = pair();
  a.links.set('eth0', 'down');
  da.start();
  assert.equal(da.state.name, 'FAULT');
});

test('hostile adverts are dropped and counted, the state is kept', async () => {
  const { clock, lan, da } = pair(100, 100, { auth: { type: 'PASS', password: 'secret' } });
  da.start();
  clock.advanceMs(1_000);
  const rogue = defaultParams({ name: 'R', vrid: 51, vips: [VIP], primaryAddress: '192.0.2.66', priority: 254, auth: { type: 'PASS', password: 'secret' } });
  const good = encodeAdvert(rogue, 254, { destination: '224.0.0.18', identification: 1 });
  const ttl254 = encodeVrrpIpv4Packet(buildAdvert(rogue, 254), { source: '192.0.2.66', destination: '224.0.0.18', identification: 5, ttl: 254 });
  lan.inject(ttl254, 'ipv4', '192.0.2.66', '224.0.0.18', 254);
  const badSum = Uint8Array.from(good);
  badSum[20 + 6] = (badSum[20 + 6] ?? 0) ^ 0xff;
  lan.inject(badSum, 'ipv4', '192.0.2.66', '224.0.0.18', 255);
  const wrongAuth = encodeAdvert({ ...rogue, auth: { type: 'PASS', password: 'wrong' } }, 254, { destination: '224.0.0.18', identification: 2 });
  lan.inject(wrongAuth, 'ipv4', '192.0.2.66', '224.0.0.18', 255);
  const v3 = encodeAdvert({ ...rogue, version: 3, auth: { type: 'none' } }, 254, { destination: '224.0.0.18', identification: 3 });
  lan.inject(v3, 'ipv4', '192.0.2.66', '224.0.0.18', 255);
  const otherVrid = encodeAdvert({ ...rogue, vrid: 52 }, 254, { destination: '224.0.0.18', identification: 4 });
  lan.inject(otherVrid, 'ipv4', '192.0.2.66', '224.0.0.18', 255);
  assert.equal(da.stats.get('ip_ttl_err'), 1);
  assert.equal(da.stats.get('checksum_err'), 1);
  assert.equal(da.stats.get('auth_failure'), 1);
  assert.equal(da.stats.get('version_mismatch'), 1);
  assert.equal(da.stats.get('advert_rcvd'), 0, 'none of them reached the state machine');
  clock.advanceMs(3_000);
  assert.equal(da.state.name, 'MASTER', 'the dropped priority-254 adverts did not hold us in BACKUP');
});

test('v3 over IPv6: the higher priority becomes MASTER with the IPv6 VIP', async () => {
  const vips = ['fe80::100', '2001:db8::100'];
  const clock = new ManualClock();
  const lan = new FakeLan(clock);
  const a = fakeNode('a', lan, clock);
  const b = fakeNode('b', lan, clock);
  const common = { version: 3 as const, family: 'ipv6' as const, vips };
  const da = new InstanceDriver(binding({ primaryAddress: 'fe80::1', priority: 200, ...common }), a.ports);
  const db = new InstanceDriver(binding({ primaryAddress: 'fe80::2', priority: 100, ...common }), b.ports);
  await startAndElect(clock, da, db);
  assert.equal(da.state.name, 'MASTER');
  assert.equal(db.state.name, 'BACKUP');
  assert.ok(db.stats.get('advert_rcvd') > 0);
  assert.deepEqual(a.addresses.on('eth0'), ['2001:db8::100/64', 'fe80::100/64']);
  assert.ok(a.log.main().includes('(VI_1) Sending/queueing Unsolicited Neighbour Adverts on eth0 for 2001:db8::100'));
});

test('stats text uses keepalived\'s layout', async () => {
  const { clock, da } = pair();
  da.start();
  clock.advanceMs(5_000);
  const text = da.statsText();
  assert.match(text, /^VRRP Instance: VI_1\n {2}Advertisements:\n {4}Received: 0\n {4}Sent: \d+\n {2}Became master: 1\n {2}Released master: 0\n {2}Packet Errors:\n {4}Length: 0\n/);
  assert.match(text, /\n {2}Priority Zero:\n {4}Received: 0\n {4}Sent: 0\n/);
});

test('a timer that fires late because the event loop was busy is reported with its lateness', async () => {
  const { clock, a, da } = pair();
  da.start();
  clock.advanceMs(3_500);
  assert.equal(da.state.name, 'MASTER');
  clock.stall(1_300_000);
  clock.advance(0);
  const line = a.log.main().find((l) => /^\(VI_1\) advert timer fired \d+ ms late \(event loop busy\)$/.test(l));
  assert.ok(line, a.log.main().join('\n'));
  assert.ok(Number(/fired (\d+) ms/.exec(line)?.[1]) >= 300, line);
  const quiet = a.log.main().length;
  clock.advanceMs(3_000);
  assert.equal(a.log.main().length, quiet, 'timers on time are not reported');
});

test('auth_type AH: adverts carry a verified AH header (IP protocol 51) and the election works', async () => {
  const { clock, lan, b, da, db } = pair(150, 100, { auth: { type: 'AH', password: 'ah-pw' } });
  da.start();
  db.start();
  clock.advanceMs(6_000);
  await settle();
  assert.equal(da.state.name, 'MASTER');
  assert.equal(db.state.name, 'BACKUP');
  assert.ok(db.stats.get('advert_rcvd') >= 1);
  assert.equal(db.stats.get('auth_failure'), 0);
  assert.deepEqual(b.addresses.on('eth0'), []);
  const sent = lan.sentBy('a');
  assert.equal(sent[0]?.bytes[9], 51, 'IPv4 protocol AH');
  const seq = sent.map((p) => Buffer.from(p.bytes).readUInt32BE(20 + 8));
  assert.deepEqual(seq.slice(0, 3), [1, 2, 3], 'AH sequence numbers count up per advert');
});

test('auth_type AH: a replayed advert is dropped (keepalived: "sequence number already processed"); a restarted node continues the sequence it heard', async () => {
  const { clock, lan, b, da, db } = pair(150, 100, { auth: { type: 'AH', password: 'ah-pw' } });
  da.start();
  db.start();
  clock.advanceMs(6_000);
  await settle();
  const first = lan.sentBy('a')[0];
  assert.ok(first);
  lan.inject(first.bytes, 'ipv4', '192.0.2.1', '224.0.0.18', 255);
  assert.equal(db.stats.get('auth_failure'), 1);
  assert.ok(b.log.main().some((l) => /^\(VI_1\) IPSEC-AH : sequence number 1 already processed\. Packet dropped\. Local\(\d+\)$/.test(l)));
  await da.stop();
  clock.advanceMs(3_000);
  await settle();
  assert.equal(db.state.name, 'MASTER');
  const lastOfB = Buffer.from(lan.sentBy('b').at(-1)?.bytes ?? new Uint8Array(32)).readUInt32BE(28);
  const restarted = new InstanceDriver(da.binding, fakeNode('a2', lan, clock).ports);
  restarted.start();
  clock.advanceMs(5_000);
  await settle();
  const firstOfRestarted = Buffer.from(lan.sentBy('a2')[0]?.bytes ?? new Uint8Array(32)).readUInt32BE(28);
  assert.ok(firstOfRestarted > lastOfB, `the restarted node continues after ${lastOfB}, sent ${firstOfRestarted}`);
  assert.equal(restarted.state.name, 'MASTER');
  assert.equal(db.state.name, 'BACKUP', 'b accepted the restarted node\'s adverts and yielded');
  assert.equal(db.stats.get('auth_failure'), 1, 'only the replay was dropped');
});

test('auth_type AH: a received Buffer (as the raw socket gives it) verifies and is left unchanged', async () => {
  const { clock, lan, da } = pair(100, 100, { auth: { type: 'AH', password: 'ah-pw' } });
  da.start();
  clock.advanceMs(1_000);
  const peer = defaultParams({ name: 'P', vrid: 51, vips: [VIP], primaryAddress: '192.0.2.2', priority: 200, auth: { type: 'AH', password: 'ah-pw' } });
  const bytes = Buffer.from(encodeAdvert(peer, 200, { destination: '224.0.0.18', identification: 1, ahSequence: 1 }));
  const before = Buffer.from(bytes);
  lan.inject(bytes, 'ipv4', '192.0.2.2', '224.0.0.18', 255);
  assert.equal(da.stats.get('auth_failure'), 0);
  assert.equal(da.stats.get('advert_rcvd'), 1);
  assert.deepEqual(bytes, before, 'the ICV check works on a copy');
});
