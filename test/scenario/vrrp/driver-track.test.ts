/**
 * track_interface: an unweighted tracked interface going down means FAULT (and back to BACKUP
 * when it returns); a weighted one lowers the advertised priority so that a backup preempts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InstanceDriver } from '../../../src/vrrp/driver.js';
import { trackedPriority } from '../../../src/vrrp/driver-track.js';
import type { TrackedInterface } from '../../../src/vrrp/driver-track.js';
import type { InstanceBinding } from '../../../src/vrrp/config-adapter.js';
import { fakeWorld, settle, startAndElect, vipBinding } from './driver-fakes.js';

const binding = (primaryAddress: string, priority: number, tracked: readonly TrackedInterface[] = []): InstanceBinding =>
  vipBinding(primaryAddress, priority, { trackedInterfaces: tracked });

test('weights: positive while up, negative while down, reverse swaps', () => {
  const refs = [{ name: 'eth1', weight: 10, reverse: false }, { name: 'eth2', weight: -30, reverse: false }, { name: 'eth3', weight: -5, reverse: true }];
  const up = (): 'up' => 'up';
  const down = (): 'down' => 'down';
  assert.equal(trackedPriority(100, refs, up), 105);
  assert.equal(trackedPriority(100, refs, down), 70);
});

test('unweighted track_interface down -> FAULT with the VIP removed; up -> BACKUP', async () => {
  const { clock, node: add } = fakeWorld();
  const node = add('a');
  node.links.set('eth1', 'up');
  const d = new InstanceDriver(binding('192.0.2.1', 150, [{ name: 'eth1', weight: 0, reverse: false }]), node.ports);
  d.start();
  clock.advanceMs(3_500);
  await settle();
  assert.equal(d.state.name, 'MASTER');
  node.links.set('eth1', 'down');
  await settle();
  assert.equal(d.state.name, 'FAULT');
  assert.deepEqual(node.addresses.on('eth0'), []);
  node.links.set('eth1', 'up');
  assert.equal(d.state.name, 'BACKUP');
});

test('weighted track_interface down lowers the priority below the backup, which preempts', async () => {
  const { clock, node } = fakeWorld();
  const a = node('a');
  const b = node('b');
  a.links.set('eth1', 'up');
  const da = new InstanceDriver(binding('192.0.2.1', 150, [{ name: 'eth1', weight: -60, reverse: false }]), a.ports);
  const db = new InstanceDriver(binding('192.0.2.2', 100), b.ports);
  await startAndElect(clock, da, db);
  assert.equal(da.state.name, 'MASTER');
  a.links.set('eth1', 'down');
  assert.equal(da.state.effectivePriority, 90);
  assert.ok(a.log.main().includes('(VI_1) Changing effective priority from 150 to 90'));
  clock.advanceMs(5_000);
  await settle();
  assert.equal(db.state.name, 'MASTER');
  assert.equal(da.state.name, 'BACKUP');
  assert.deepEqual(b.addresses.on('eth0'), ['192.0.2.100/24']);
  assert.deepEqual(a.addresses.on('eth0'), []);
});
