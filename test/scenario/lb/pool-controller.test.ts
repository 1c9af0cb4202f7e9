/** PoolController: checker events in, coalesced applies to a data plane, effects out. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PoolController } from '../../../src/lb/pool-controller.js';
import { initialPoolState } from '../../../src/lb/pool-state.js';
import type { ApplyResult, DataPlane, DataPlaneDescription } from '../../../src/lb/data-plane.js';
import type { DesiredPool, PoolEffect } from '../../../src/lb/pool-types.js';
import { lvsModel } from './pool-support.js';

const VS = '[192.0.2.100]:tcp:80';
const CONF = `virtual_server 192.0.2.100 80 {\n  lb_algo wrr\n  lb_kind NAT\n  protocol TCP\n  quorum 2\n  quorum_down "/bin/false"\n  omega\n` +
  [2, 3].map((n) => `  real_server 192.0.2.${n} 80 {\n    weight 1\n    TCP_CHECK {\n      connect_timeout 1\n    }\n  }\n`).join('') + '}\n';

/** A plane whose applies resolve when the test says so; it records what it was given. */
class GatedPlane implements DataPlane {
  readonly kind = 'nftables' as const;
  readonly applied: DesiredPool[] = [];
  private gates: (() => void)[] = [];
  failNext = false;
  removed = 0;
  start(): Promise<ApplyResult> { return Promise.resolve({ ok: true, changes: 0, warnings: [], durationMs: 0 }); }
  apply(desired: DesiredPool): Promise<ApplyResult> {
    this.applied.push(desired);
    const fail = this.failNext;
    this.failNext = false;
    return new Promise((resolve) => this.gates.push(() => resolve(fail
      ? { ok: false, code: 'X', error: 'rejected', warnings: [], durationMs: 1 }
      : { ok: true, changes: 1, warnings: [], durationMs: 1 })));
  }
  release(): number { const g = this.gates; this.gates = []; g.forEach((f) => f()); return g.length; }
  removeAll(): Promise<ApplyResult> { this.removed++; return Promise.resolve({ ok: true, changes: 1, warnings: [], durationMs: 0 }); }
  describe(): DataPlaneDescription { return { kind: 'nftables', summary: 'gated', services: 0, destinations: 0 }; }
}
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const weights = (p: DesiredPool | undefined): string[] => (p?.services[0]?.dests ?? []).map((d) => `${d.address}=${d.weight}`);

test('events during an apply are coalesced into one more apply of the newest pool', async () => {
  const plane = new GatedPlane();
  const effects: PoolEffect[] = [];
  const c = new PoolController(initialPoolState(lvsModel(CONF)), plane, { onEffect: (e) => effects.push(e) });
  const started = c.start();
  await tick();
  assert.equal(plane.applied.length, 1, 'initial apply');
  c.onRealServer(VS, '[192.0.2.2]:tcp:80', false);
  c.onRealServer(VS, '[192.0.2.3]:tcp:80', false);
  c.onRealServer(VS, '[192.0.2.3]:tcp:80', true);
  assert.equal(plane.release(), 1);
  await tick();
  assert.equal(plane.applied.length, 2, 'three events, one follow-up apply');
  assert.deepEqual(weights(plane.applied[1]), ['192.0.2.3=1']);
  assert.equal(plane.release(), 1);
  assert.ok((await started).ok);
  await c.idle();
  assert.equal(plane.applied.length, 2);
  assert.deepEqual(effects.map((e) => e.type), ['quorum-down']);
});

test('a failed apply is retried on the next event even if it changes nothing; stop runs omega and empties', async () => {
  const plane = new GatedPlane();
  const results: boolean[] = [];
  const c = new PoolController(initialPoolState(lvsModel(CONF)), plane, { onApplied: (r) => results.push(r.ok) });
  plane.failNext = true;
  c.onRealServer(VS, '[192.0.2.2]:tcp:80', false);
  await tick();
  plane.release();
  await c.idle();
  c.onRealServer(VS, '[192.0.2.2]:tcp:80', false); // no change, but the last apply failed
  await tick();
  plane.release();
  await c.idle();
  assert.deepEqual(results, [false, true]);
  const effects: PoolEffect[] = [];
  const d = new PoolController(initialPoolState(lvsModel(CONF)), plane, { onEffect: (e) => effects.push(e) });
  const stopping = d.stop();
  await tick();
  plane.release();
  assert.ok((await stopping).ok);
  assert.equal(plane.removed, 1);
  assert.deepEqual(effects.map((e) => e.type), ['rs-down-on-shutdown', 'rs-down-on-shutdown']);
});
