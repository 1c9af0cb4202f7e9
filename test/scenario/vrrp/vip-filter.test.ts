/**
 * no_accept on the driver and the table manager on fakes: the drop rule is set before the VIPs
 * come and removed after they go (keepalived's order and log lines), only while MASTER, never for
 * an accept instance; NftVipFilter applies the union of the instances' VIPs, incrementally, keeps
 * the previous rules when a batch fails, rebuilds after an uncertain one, and deletes the table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InstanceBinding } from '../../../src/vrrp/config-adapter.js';
import { InstanceDriver } from '../../../src/vrrp/driver.js';
import { defaultParams } from '../../../src/vrrp/params.js';
import type { VipFilterPort, VipSpec } from '../../../src/vrrp/ports.js';
import { NftVipFilter, type NftBatchPort, type NftBatchResult } from '../../../src/vrrp/vip-filter.js';
import { createBatch, deleteBatch, deltaBatch, elementsOf } from '../../../src/vrrp/vip-filter-nft.js';
import { FakeLan, fakeNode, ManualClock, settle, type FakeAddresses } from './driver-fakes.js';

/** Records what is dropped now, and the order of filter and address changes. */
class FakeVipFilter implements VipFilterPort {
  readonly dropped = new Map<string, string[]>();
  readonly events: string[] = [];
  constructor(private readonly addresses: FakeAddresses) {}
  async drop(instance: string, vips: readonly VipSpec[]): Promise<void> {
    this.events.push(`drop ${instance} [${vips.map((v) => v.address).join(' ')}] with on-link [${this.addresses.on('eth0').join(' ')}]`);
    if (vips.length === 0) this.dropped.delete(instance);
    else this.dropped.set(instance, vips.map((v) => v.address));
  }
}

function binding(name: string, vrid: number, vips: string[], noAccept: boolean, priority = 100): InstanceBinding {
  const params = defaultParams({ name, vrid, vips, primaryAddress: '192.0.2.1', priority });
  return { params, interfaceName: 'eth0', vips: vips.map((address) => ({ address, prefixLength: 24, interfaceName: 'eth0' })), unicastTtl: 255, trackInterface: true, unsupported: [], noAccept };
}

function node(): { clock: ManualClock; n: ReturnType<typeof fakeNode>; filter: FakeVipFilter } {
  const clock = new ManualClock();
  const n = fakeNode('a', new FakeLan(clock), clock);
  const filter = new FakeVipFilter(n.addresses);
  return { clock, n: { ...n, ports: { ...n.ports, vipFilter: filter } }, filter };
}

test('no_accept MASTER: drop rule set before the VIPs are added, removed after they are gone; keepalived\'s log lines', async () => {
  const { clock, n, filter } = node();
  const d = new InstanceDriver(binding('VI_1', 51, ['192.0.2.100', '192.0.2.101'], true), n.ports);
  d.start();
  await settle();
  assert.deepEqual(n.log.main(), ['(VI_1) removing VIPs.', '(VI_1) removing firewall drop rule', '(VI_1) Entering BACKUP STATE (init)'], 'as keepalived 2.2.7 at startup');
  assert.equal(filter.dropped.size, 0, 'BACKUP: nothing dropped');
  clock.advanceMs(4_000);
  await settle();
  assert.equal(d.state.name, 'MASTER');
  assert.deepEqual(filter.dropped.get('VI_1'), ['192.0.2.100', '192.0.2.101']);
  const main = n.log.main();
  assert.deepEqual(main.slice(main.indexOf('(VI_1) Entering MASTER STATE'), main.indexOf('(VI_1) setting VIPs.') + 1),
    ['(VI_1) Entering MASTER STATE', '(VI_1) setting firewall drop rule', '(VI_1) setting VIPs.']);
  assert.equal(filter.events.at(-1), 'drop VI_1 [192.0.2.100 192.0.2.101] with on-link []', 'the rule is in place before the VIPs');
  await d.stop();
  assert.equal(filter.dropped.size, 0);
  assert.equal(filter.events.at(-1), 'drop VI_1 [] with on-link []', 'the rule goes after the VIPs');
  assert.deepEqual(n.log.main().slice(-2), ['(VI_1) removing VIPs.', '(VI_1) removing firewall drop rule']);
});

test('accept mode: no rule at all', async () => {
  const { clock, n, filter } = node();
  const accept = new InstanceDriver(binding('VI_A', 52, ['192.0.2.110'], false), n.ports);
  accept.start();
  clock.advanceMs(4_000);
  await settle();
  assert.equal(accept.state.name, 'MASTER');
  assert.deepEqual(filter.events, []);
  assert.ok(!n.log.main().some((l) => l.includes('firewall')));
  await accept.stop();
});

test('reload of a no_accept MASTER: added VIPs are dropped before they come, removed ones after they go', async () => {
  const { clock, n, filter } = node();
  const d = new InstanceDriver(binding('VI_1', 51, ['192.0.2.100', '192.0.2.101'], true), n.ports);
  d.start();
  clock.advanceMs(4_000);
  await settle();
  filter.events.length = 0;
  d.adopt(binding('VI_1', 51, ['192.0.2.101', '192.0.2.102'], true));
  await settle();
  assert.equal(d.state.name, 'MASTER');
  assert.deepEqual(filter.events, [
    'drop VI_1 [192.0.2.101 192.0.2.102 192.0.2.100] with on-link [192.0.2.100/24 192.0.2.101/24]',
    'drop VI_1 [192.0.2.101 192.0.2.102] with on-link [192.0.2.101/24 192.0.2.102/24]',
  ]);
  d.adopt(binding('VI_1', 51, ['192.0.2.101', '192.0.2.102'], false));
  await settle();
  assert.equal(filter.dropped.size, 0, 'switched to accept: the rule goes');
  await d.stop();
});

class FakeNft implements NftBatchPort {
  readonly batches: unknown[] = [];
  next: NftBatchResult[] = [];
  async run(batch: unknown): Promise<NftBatchResult> {
    this.batches.push(batch);
    return this.next.shift() ?? { ok: true };
  }
}

const opts = { table: 'keepalived_ts_vrrp', priority: -1, counters: false };
const v = (address: string): VipSpec => ({ address, prefixLength: 24, interfaceName: 'eth0' });

function quietLog(): { errors: string[]; error: (m: string) => void; detail: (m: string) => void } {
  const errors: string[] = [];
  return { errors, error: (m) => errors.push(m), detail: () => undefined };
}

test('NftVipFilter: no table until something is dropped; created whole, then element deltas for the union of instances', async () => {
  const nft = new FakeNft();
  const f = new NftVipFilter(opts, nft, quietLog());
  await f.drop('VI_1', []);
  assert.equal(nft.batches.length, 0);
  await f.drop('VI_1', [v('192.0.2.100')]);
  await f.drop('VI_2', [v('192.0.2.100'), v('192.0.2.200')]);
  await f.drop('VI_1', []);
  await f.drop('VI_2', []);
  assert.deepEqual(nft.batches, [
    createBatch(opts, elementsOf([v('192.0.2.100')])),
    deltaBatch(opts, elementsOf([v('192.0.2.100')]), elementsOf([v('192.0.2.100'), v('192.0.2.200')])),
    // VI_1 leaving changes nothing (VI_2 still drops 192.0.2.100): no batch
    deltaBatch(opts, elementsOf([v('192.0.2.100'), v('192.0.2.200')]), elementsOf([])),
  ]);
  await f.close();
  assert.deepEqual(nft.batches.at(-1), deleteBatch(opts));
});

test('NftVipFilter: a refused batch is reported, the previous rules stay, the next change starts from them; an uncertain one forces a rebuild', async () => {
  const nft = new FakeNft();
  const log = quietLog();
  const f = new NftVipFilter(opts, nft, log);
  await f.drop('VI_1', [v('192.0.2.100')]);
  nft.next = [{ ok: false, error: 'exit 1: Error: Could not process rule' }];
  await f.drop('VI_2', [v('192.0.2.200')]);
  assert.equal(log.errors.length, 1);
  assert.match(log.errors[0] ?? '', /^\(VI_2\) could not update the firewall drop rules \(inet keepalived_ts_vrrp\), previous rules kept: exit 1: Error/);
  await f.drop('VI_3', [v('192.0.2.30')]);
  assert.deepEqual(nft.batches.at(-1), deltaBatch(opts, elementsOf([v('192.0.2.100')]), elementsOf([v('192.0.2.100'), v('192.0.2.200'), v('192.0.2.30')])), 'retried from what is installed');
  nft.next = [{ ok: false, error: 'the nft coprocess died with the batch in flight', uncertain: true }];
  await f.drop('VI_3', []);
  await f.drop('VI_1', []);
  assert.deepEqual(nft.batches.at(-1), createBatch(opts, elementsOf([v('192.0.2.200')])), 'unknown kernel state: rebuilt atomically');
});

test('NftVipFilter: cleanup at start removes a leftover table of ours', async () => {
  const nft = new FakeNft();
  const f = new NftVipFilter(opts, nft, quietLog());
  await f.cleanup();
  assert.deepEqual(nft.batches, [deleteBatch(opts)]);
});
