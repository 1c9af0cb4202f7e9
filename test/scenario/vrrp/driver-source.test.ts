/**
 * An instance that takes its advert source from its interface (no mcast_src_ip / unicast_src_ip)
 * and the interface's IPv4 addresses (keepalived 2.2.7, measured in a lab namespace): the last one
 * deleted -> "Deassigned address A from interface IF" and FAULT; one re-added -> "Assigned address
 * A for interface IF", BACKUP, then the usual election. Another address left: the adverts move to
 * the last one (VIPs left out) and stay there. A configured source never moves; `track_src_ip` has
 * no effect in 2.2.7.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressChange, AddressPresencePort } from '../../../src/check/address-presence.js';
import type { InstanceBinding } from '../../../src/vrrp/config-adapter.js';
import { InstanceDriver } from '../../../src/vrrp/driver.js';
import { InterfaceAddressTable, sourceLost } from '../../../src/vrrp/interface-addresses.js';
import type { DriverPorts } from '../../../src/vrrp/ports.js';
import { fakeWorld, settle, startAndElect, vipBinding, type FakeNode } from './driver-fakes.js';

const ETH0 = 2;
const ETH1 = 3;
const indexOf = (name: string): number => (name === 'eth0' ? ETH0 : name === 'eth1' ? ETH1 : 0);

/** The kernel's address events, by hand. */
class FakePresence implements AddressPresencePort {
  private onChange: ((c: AddressChange) => void) | undefined;
  constructor(private readonly initial: readonly AddressChange[]) {}
  open(onChange: (change: AddressChange) => void): Promise<readonly AddressChange[]> {
    this.onChange = onChange;
    return Promise.resolve(this.initial);
  }
  close(): void { this.onChange = undefined; }
  set(address: string, present: boolean, interfaceIndex = ETH0): void {
    this.onChange?.({ address, interfaceIndex, present });
  }
}

const binding = (primaryAddress: string, priority: number, sourceConfigured = false): InstanceBinding =>
  vipBinding(primaryAddress, priority, { sourceConfigured });

/** The node's ports with an address table fed by a FakePresence holding `initial` on eth0. */
async function withAddresses(node: FakeNode, initial: readonly string[]): Promise<{ presence: FakePresence; ports: DriverPorts; table: InterfaceAddressTable }> {
  const presence = new FakePresence(initial.map((address) => ({ address, interfaceIndex: ETH0, present: true })));
  const table = new InterfaceAddressTable(indexOf, (m) => node.log.info(m));
  await table.open(presence);
  return { presence, ports: { ...node.ports, interfaceAddresses: table }, table };
}

test('source address deleted (the last IPv4 one) -> FAULT; re-added -> BACKUP, then MASTER again', async () => {
  const { clock, node } = fakeWorld();
  const a = node('a');
  const b = node('b');
  const { presence, ports } = await withAddresses(a, ['192.0.2.1']);
  const da = new InstanceDriver(binding('192.0.2.1', 150), ports);
  const db = new InstanceDriver(binding('192.0.2.2', 100), b.ports);
  await startAndElect(clock, da, db);
  assert.equal(da.state.name, 'MASTER');
  assert.equal(db.state.name, 'BACKUP');

  presence.set('192.0.2.1', false);
  await settle();
  assert.equal(da.state.name, 'FAULT');
  assert.deepEqual(a.addresses.on('eth0'), []);
  const lines = a.log.main();
  const deassigned = lines.indexOf('Deassigned address 192.0.2.1 from interface eth0');
  assert.ok(deassigned >= 0, lines.join('\n'));
  assert.ok(lines.indexOf('(VI_1) Entering FAULT STATE') > deassigned, lines.join('\n'));
  clock.advanceMs(4_000);
  await settle();
  assert.equal(db.state.name, 'MASTER');

  presence.set('192.0.2.1', true);
  await settle();
  assert.equal(da.state.name, 'BACKUP');
  const after = a.log.main();
  const assigned = after.indexOf('Assigned address 192.0.2.1 for interface eth0');
  assert.ok(assigned > deassigned, after.join('\n'));
  assert.ok(after.lastIndexOf('(VI_1) Entering BACKUP STATE') > assigned, after.join('\n'));
  // priority 150 preempts the backup again
  clock.advanceMs(5_000);
  await settle();
  assert.equal(da.state.name, 'MASTER');
  assert.equal(db.state.name, 'BACKUP');
  assert.deepEqual(a.addresses.on('eth0'), ['192.0.2.100/24']);
});

test('another IPv4 address left: the adverts move silently to the last one (VIPs left out) and stay there', async () => {
  const { clock, lan, node } = fakeWorld();
  const a = node('a');
  const { presence, ports, table } = await withAddresses(a, ['192.0.2.1', '203.0.113.1', '198.51.100.1']);
  const da = new InstanceDriver(binding('192.0.2.1', 150), ports);
  await startAndElect(clock, da);
  assert.equal(da.state.name, 'MASTER');
  const lastSource = (): string | undefined => lan.sentBy('a').at(-1)?.source;
  assert.equal(lastSource(), '192.0.2.1');
  presence.set('192.0.2.100', true); // the VIP, added last: never a source
  presence.set('192.0.2.1', false);
  presence.set('192.0.2.1', false, ETH1); // another interface, and a repeat: nothing
  clock.advanceMs(1_000);
  await settle();
  assert.equal(da.state.name, 'MASTER');
  assert.equal(lastSource(), '198.51.100.1');
  assert.equal(da.binding.params.primaryAddress, '198.51.100.1');
  assert.equal(table.current('eth0'), '198.51.100.1', 'what a reload takes as the source');
  // the original back: the source stays; another address (not the source) deleted: nothing
  presence.set('192.0.2.1', true);
  presence.set('203.0.113.1', false);
  clock.advanceMs(1_000);
  await settle();
  assert.equal(lastSource(), '198.51.100.1');
  // the source deleted again: the last one left is the re-added original
  presence.set('198.51.100.1', false);
  clock.advanceMs(1_000);
  await settle();
  assert.equal(lastSource(), '192.0.2.1');
  assert.equal(da.state.name, 'MASTER');
  assert.ok(!a.log.main().some((l) => l.includes('ssigned address')), a.log.main().join('\n'));
});

test('the last address gone while a VIP stays: "Deassigned" names the source, FAULT; a new address becomes the source', async () => {
  const { clock, lan, node } = fakeWorld();
  const a = node('a');
  const { presence, ports } = await withAddresses(a, ['192.0.2.1', '198.51.100.1']);
  const da = new InstanceDriver(binding('192.0.2.1', 150), ports);
  await startAndElect(clock, da);
  presence.set('192.0.2.100', true);
  presence.set('192.0.2.1', false);
  await settle();
  presence.set('198.51.100.1', false);
  await settle();
  assert.equal(da.state.name, 'FAULT');
  const lines = a.log.main();
  const deassigned = lines.indexOf('Deassigned address 198.51.100.1 from interface eth0');
  assert.ok(deassigned >= 0 && lines.indexOf('(VI_1) Entering FAULT STATE') > deassigned, lines.join('\n'));
  presence.set('192.0.2.100', false);
  presence.set('203.0.113.1', true);
  await settle();
  assert.equal(da.state.name, 'BACKUP');
  assert.ok(a.log.main().includes('Assigned address 203.0.113.1 for interface eth0'), a.log.main().join('\n'));
  presence.set('192.0.2.1', true);
  clock.advanceMs(5_000);
  await settle();
  assert.equal(da.state.name, 'MASTER');
  assert.equal(lan.sentBy('a').at(-1)?.source, '203.0.113.1');
});

test('mcast_src_ip / unicast_src_ip configured: the interface losing its addresses is no FAULT', async () => {
  const { clock, lan, node } = fakeWorld();
  const a = node('a');
  const { presence, ports } = await withAddresses(a, ['192.0.2.1', '198.51.100.1']);
  const da = new InstanceDriver(binding('192.0.2.1', 150, true), ports);
  await startAndElect(clock, da);
  presence.set('192.0.2.1', false);
  clock.advanceMs(1_000);
  await settle();
  assert.equal(lan.sentBy('a').at(-1)?.source, '192.0.2.1'); // never moves
  presence.set('198.51.100.1', false);
  await settle();
  assert.equal(da.state.name, 'MASTER');
  assert.ok(a.log.main().includes('Deassigned address 198.51.100.1 from interface eth0'), a.log.main().join('\n'));
});

test('the instance VIPs do not count as a source; IPv6 addresses are ignored', () => {
  const b = binding('192.0.2.1', 150);
  assert.equal(sourceLost(b, ['192.0.2.100']), true);
  assert.equal(sourceLost(b, []), true);
  assert.equal(sourceLost(b, ['192.0.2.100', '198.51.100.7']), false);
  assert.equal(sourceLost(b, undefined), false);
  const log: string[] = [];
  const table = new InterfaceAddressTable(indexOf, (m) => log.push(m));
  let calls = 0;
  table.watch('eth0', () => calls++);
  table.apply({ address: '2001:db8::1', interfaceIndex: ETH0, present: true });
  assert.equal(calls, 0);
  assert.deepEqual(table.addresses('eth0'), []);
  assert.equal(table.addresses('nosuch'), undefined);
  table.apply({ address: '192.0.2.1', interfaceIndex: ETH0, present: true });
  table.apply({ address: '192.0.2.1', interfaceIndex: ETH0, present: true });
  assert.equal(calls, 1);
  assert.deepEqual(log, ['Assigned address 192.0.2.1 for interface eth0']);
});
