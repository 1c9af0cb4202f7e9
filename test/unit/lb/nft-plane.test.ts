/** NftablesDataPlane against a fake NftPort that keeps the last accepted batch. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NftablesDataPlane, type NftPort, type NftRunResult } from '../../../src/lb/planes/nft-plane.js';
import { NoDataPlane } from '../../../src/lb/data-plane.js';
import type { DesiredPool } from '../../../src/lb/pool-types.js';

class FakeNft implements NftPort {
  accepted: unknown[] = [];
  rejectNext: string | undefined;
  run(batch: unknown): Promise<NftRunResult> {
    if (this.rejectNext !== undefined) {
      const error = this.rejectNext;
      this.rejectNext = undefined;
      return Promise.resolve({ ok: false, error });
    }
    this.accepted.push(batch);
    return Promise.resolve({ ok: true });
  }
}

const poolOf = (weights: number[]): DesiredPool => ({
  services: [{
    id: 'vs', protocol: 'tcp', scheduler: 'wrr', schedulerFlags: [], forwarding: 'NAT',
    matches: [{ kind: 'address', family: 'inet', first: '192.0.2.100', last: '192.0.2.100', port: 80 }],
    dests: weights.map((w, i) => ({ id: `rs${i}`, role: 'real' as const, address: `192.0.2.${i + 2}`, family: 'inet' as const, port: 80, weight: w, forwarding: 'NAT' as const })),
  }],
});

test('start removes a leftover table; apply sends one transaction; describe reports the pool', async () => {
  const fake = new FakeNft();
  const plane = new NftablesDataPlane(fake, { masquerade: true });
  assert.equal((await plane.start()).ok, true);
  assert.deepEqual(fake.accepted[0], { nftables: [
    { add: { table: { family: 'inet', name: 'keepalived_ts' } } }, { delete: { table: { family: 'inet', name: 'keepalived_ts' } } },
    { add: { table: { family: 'netdev', name: 'keepalived_ts_dr' } } }, { delete: { table: { family: 'netdev', name: 'keepalived_ts_dr' } } },
  ] });
  const r = await plane.apply(poolOf([1, 2, 3]));
  assert.equal(r.ok, true);
  assert.equal(fake.accepted.length, 2);
  assert.deepEqual(plane.describe(), { kind: 'nftables', summary: 'nftables (table inet keepalived_ts, masquerade)', services: 1, destinations: 3 });
});

test('a rejected transaction is reported and the previous objects are kept for the next diff', async () => {
  const fake = new FakeNft();
  const plane = new NftablesDataPlane(fake);
  await plane.apply(poolOf([1, 2, 3]));
  fake.rejectNext = 'Error: Could not process rule: No such file or directory';
  const bad = await plane.apply(poolOf([1]));
  assert.equal(bad.ok, false);
  assert.ok(!bad.ok && bad.code === 'NFT_APPLY_FAILED' && /previous ruleset kept: Error: Could not process rule/.test(bad.error));
  assert.equal(plane.describe().destinations, 3, 'still describes what is in force');
  assert.match(plane.describe().lastError ?? '', /Could not process/);
  const good = await plane.apply(poolOf([1]));
  assert.equal(good.ok, true);
  const deletes = JSON.stringify(fake.accepted.at(-1)).match(/"delete":\{"chain"/g) ?? [];
  assert.equal(deletes.length, 2, 'the two chains of the servers gone since the last accepted apply are deleted');
});

test('removeAll empties the plane; the none plane accepts everything and forwards nothing', async () => {
  const fake = new FakeNft();
  const plane = new NftablesDataPlane(fake);
  await plane.apply(poolOf([1]));
  assert.equal((await plane.removeAll()).ok, true);
  assert.equal(plane.describe().services, 0);
  const none = new NoDataPlane();
  assert.equal((await none.apply(poolOf([1, 2]))).ok, true);
  assert.deepEqual(none.describe(), { kind: 'none', summary: 'none (events only, no forwarding)', services: 1, destinations: 2 });
});
