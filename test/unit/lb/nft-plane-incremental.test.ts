/**
 * NftablesDataPlane's incremental applies against a stateful fake nft: it keeps the table's chains
 * and sets, rejects a batch that deletes an absent object (as the kernel does, atomically), and
 * can lose a batch after committing it (a coprocess that died: `uncertain`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NftablesDataPlane, type NftPort, type NftRunOptions, type NftRunResult } from '../../../src/lb/planes/nft-plane.js';
import type { NftObjects } from '../../../src/lb/nft-ruleset.js';
import type { DesiredPool } from '../../../src/lb/pool-types.js';

type Cmd = Record<string, Record<string, { name?: string; hook?: string }>>;

class KernelFake implements NftPort {
  chains = new Set<string>();
  sets = new Set<string>();
  batches: { size: number; options: NftRunOptions | undefined }[] = [];
  /** Commit the next batch, then report it lost. */
  loseAfterCommit = false;
  listed = 0;
  run(batch: unknown, options?: NftRunOptions): Promise<NftRunResult> {
    this.batches.push({ size: JSON.stringify(batch).length, options });
    const chains = new Set(this.chains);
    const sets = new Set(this.sets);
    for (const c of (batch as { nftables: Cmd[] }).nftables) {
      const chain = c.add?.chain ?? c.delete?.chain ?? c.flush?.chain;
      if (c.delete?.table !== undefined) { chains.clear(); sets.clear(); continue; }
      if (c.add?.chain !== undefined && c.add.chain.hook === undefined) chains.add(c.add.chain.name ?? '');
      if (c.add?.set !== undefined) sets.add(c.add.set.name ?? '');
      const missing = (c.delete?.chain !== undefined || c.flush?.chain !== undefined) && chain?.hook === undefined
        && !chains.has(chain?.name ?? '') && !['prerouting', 'postrouting'].includes(chain?.name ?? '');
      if (missing || (c.delete?.set !== undefined && !sets.has(c.delete.set.name ?? ''))) {
        return Promise.resolve({ ok: false, error: 'Error: No such file or directory' });
      }
      if (c.delete?.chain !== undefined) chains.delete(c.delete.chain.name ?? '');
      if (c.delete?.set !== undefined) sets.delete(c.delete.set.name ?? '');
    }
    this.chains = chains;
    this.sets = sets;
    if (this.loseAfterCommit) {
      this.loseAfterCommit = false;
      return Promise.resolve({ ok: false, error: 'coprocess died', uncertain: true });
    }
    return Promise.resolve({ ok: true });
  }
  listObjects(): Promise<NftObjects> {
    this.listed++;
    return Promise.resolve({ chains: [...this.chains], sets: [...this.sets] });
  }
}

const poolOf = (n: number, persistent = false): DesiredPool => ({
  services: [{
    id: 'vs', protocol: 'tcp', scheduler: 'wrr', schedulerFlags: [], forwarding: 'NAT',
    ...(persistent ? { persistenceTimeoutS: 30 } : {}),
    matches: [{ kind: 'address', family: 'inet', first: '192.0.2.100', last: '192.0.2.100', port: 80 }],
    dests: Array.from({ length: n }, (_, i) => ({ id: `rs${i}`, role: 'real' as const, address: `198.51.100.${i + 1}`, family: 'inet' as const, port: 80, weight: 1, forwarding: 'NAT' as const })),
  }],
});

test('after the first (full) apply, a DOWN among 100 is a small batch sent without one-shot re-run', async () => {
  const k = new KernelFake();
  const plane = new NftablesDataPlane(k, { masquerade: true });
  assert.equal((await plane.apply(poolOf(100))).ok, true);
  assert.equal((await plane.apply(poolOf(99))).ok, true);
  const [full, inc] = k.batches;
  assert.ok(full !== undefined && inc !== undefined);
  assert.ok(inc.size < 12_000 && inc.size < full.size / 5, `incremental ${inc.size} B vs full ${full.size} B`);
  assert.deepEqual(inc.options, { retryLost: false });
  assert.equal(k.chains.size, 100, 'one vs chain and 99 rs chains');
  assert.equal((await plane.apply(poolOf(99))).ok, true);
  assert.equal(k.batches.length, 2, 'no change, no batch');
});

test('a batch committed then lost with the coprocess: resync from the kernel, full rebuild, no failure', async () => {
  const k = new KernelFake();
  const plane = new NftablesDataPlane(k, { masquerade: true });
  await plane.apply(poolOf(5, true));
  k.loseAfterCommit = true;
  const r = await plane.apply(poolOf(3, true));
  assert.equal(r.ok, true, r.ok ? '' : r.error);
  assert.equal(k.listed, 1, 'listed the table once');
  assert.equal(k.chains.size, 4);
  assert.equal(k.sets.size, 3);
  assert.equal((await plane.apply(poolOf(2, true))).ok, true, 'and incremental again');
  assert.equal(k.listed, 1);
});

test('a full rebuild rejected for deleting objects already gone is resynced and retried once', async () => {
  const k = new KernelFake();
  const plane = new NftablesDataPlane(k);
  await plane.apply(poolOf(4));
  k.loseAfterCommit = true;
  // lost incremental: the fallback full rebuild resyncs first, so it never deletes what is gone
  assert.equal((await plane.apply(poolOf(1))).ok, true);
  k.chains.delete([...k.chains][1] ?? ''); // a chain removed by hand behind the plane's back
  const r = await plane.apply(poolOf(0));
  assert.equal(r.ok, true, r.ok ? '' : r.error);
  assert.equal(k.chains.size, 0);
  assert.equal(plane.describe().lastError, undefined);
});
