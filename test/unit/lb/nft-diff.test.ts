/** The incremental nftables apply: diffRuleset(previous state, next state) as a pure function. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffRuleset, GROW_SLACK } from '../../../src/lb/nft-diff.js';
import { buildRuleset, NO_OBJECTS } from '../../../src/lb/nft-ruleset.js';
import { objectsFromListing, objectsOfState } from '../../../src/lb/nft-state.js';
import type { DesiredDest, DesiredPool, DesiredService } from '../../../src/lb/pool-types.js';

const dest = (n: number, weight = 1): DesiredDest => ({
  id: `[198.51.100.${n}]:tcp:80`, role: 'real', address: `198.51.100.${n}`, family: 'inet', port: 80, weight, forwarding: 'NAT',
});
const svc = (dests: DesiredDest[], over: Partial<DesiredService> = {}): DesiredService => ({
  id: '[192.0.2.100]:tcp:80', protocol: 'tcp', scheduler: 'wrr', schedulerFlags: [], forwarding: 'NAT',
  matches: [{ kind: 'address', family: 'inet', first: '192.0.2.100', last: '192.0.2.100', port: 80 }], dests, ...over,
});
const range = (from: number, n: number): DesiredDest[] => Array.from({ length: n }, (_, i) => dest(from + i));
const pool = (...services: DesiredService[]): DesiredPool => ({ services });
const build = (p: DesiredPool) => buildRuleset(p, NO_OBJECTS, { masquerade: true });
type Cmd = Record<string, Record<string, Record<string, unknown>>>;
const verbs = (cmds: readonly unknown[]): string[] => (cmds as Cmd[]).map((c) => {
  const verb = Object.keys(c)[0] ?? '';
  const kind = Object.keys(c[verb] ?? {})[0] ?? '';
  return `${verb} ${kind}`;
});

test('no change: an empty batch, the same state', () => {
  const a = build(pool(svc(range(1, 3))));
  const d = diffRuleset(a.state, build(pool(svc(range(1, 3)))).state);
  assert.deepEqual(d?.batch.nftables, []);
});

test('a DOWN of one server among 100: the scheduler chain is refilled and one server chain deleted, nothing else', () => {
  const all = build(pool(svc(range(1, 100))));
  const down = build(pool(svc(range(1, 100).filter((d) => d.address !== '198.51.100.7'))));
  const d = diffRuleset(all.state, down.state);
  assert.ok(d !== undefined);
  assert.deepEqual(verbs(d.batch.nftables), ['add table', 'flush chain', 'add rule', 'flush chain', 'delete chain']);
  const cmds = d.batch.nftables as Cmd[];
  const vs = all.objects.chains.find((c) => c.startsWith('vs_'));
  assert.equal(cmds[1]?.flush?.chain?.name, vs, 'the service chain is flushed first');
  assert.match(JSON.stringify(cmds[2]), /"mod":99/);
  assert.ok(!JSON.stringify(d.batch).includes('"delete":{"table"'), 'the table is never dropped');
  assert.ok(JSON.stringify(d.batch).length < JSON.stringify(all.batch).length / 5, 'far smaller than the full batch');
  // the masquerade rule of the server that went down stays (harmless): postrouting is untouched
  assert.equal(d.applied.chains.get('postrouting')?.rules.length, 100);
  assert.deepEqual(objectsOfState(d.applied).chains, down.objects.chains);
});

test('UP again: the server chain is added back with its rule; no duplicate masquerade rule', () => {
  const all = build(pool(svc(range(1, 10))));
  const down = diffRuleset(all.state, build(pool(svc(range(2, 9)))).state);
  assert.ok(down !== undefined);
  const up = diffRuleset(down.applied, build(pool(svc(range(1, 10)))).state);
  assert.ok(up !== undefined);
  assert.deepEqual(verbs(up.batch.nftables), ['add table', 'add chain', 'flush chain', 'add rule', 'add rule']);
  assert.equal(up.applied.chains.get('postrouting')?.rules.length, 10);
});

test('a new server: its chain and masquerade rule are added, the scheduler chain refilled', () => {
  const a = build(pool(svc(range(1, 3))));
  const d = diffRuleset(a.state, build(pool(svc(range(1, 4)))).state);
  assert.deepEqual(verbs(d?.batch.nftables ?? []), ['add table', 'add chain', 'add rule', 'flush chain', 'add rule', 'add rule']);
  assert.equal(d?.applied.chains.get('postrouting')?.rules.length, 4);
});

test('a weight change touches only the scheduler chain (persistence sets kept)', () => {
  const a = build(pool(svc(range(1, 3), { persistenceTimeoutS: 60 })));
  const d = diffRuleset(a.state, build(pool(svc([dest(1, 5), dest(2), dest(3)], { persistenceTimeoutS: 60 }))).state);
  assert.ok(d !== undefined);
  assert.ok(!d.batch.nftables.some((c) => 'delete' in c || JSON.stringify(c).includes('"set":{"family"')), 'no set added or deleted');
  assert.deepEqual(verbs(d.batch.nftables), ['add table', 'flush chain', 'add rule', 'add rule', 'add rule', 'add rule']);
});

test('persistence: a server gone deletes its set after its chain and the lookups that used it', () => {
  const a = build(pool(svc(range(1, 3), { persistenceTimeoutS: 60 })));
  const d = diffRuleset(a.state, build(pool(svc(range(1, 2), { persistenceTimeoutS: 60 }))).state);
  const v = verbs(d?.batch.nftables ?? []);
  assert.deepEqual(v.slice(-3), ['flush chain', 'delete chain', 'delete set']);
  assert.ok(v.indexOf('flush chain') < v.indexOf('delete chain'));
});

test('a service added is appended to prerouting; a service removed refills prerouting and deletes its chains', () => {
  const one = build(pool(svc(range(1, 2))));
  const other = svc([dest(9)], { id: '[192.0.2.101]:tcp:80', matches: [{ kind: 'address', family: 'inet', first: '192.0.2.101', last: '192.0.2.101', port: 80 }] });
  const two = diffRuleset(one.state, build(pool(svc(range(1, 2)), other)).state);
  assert.ok(two !== undefined);
  assert.ok(!verbs(two.batch.nftables).includes('flush chain'), 'nothing flushed: prerouting only grows');
  const back = diffRuleset(two.applied, build(pool(other)).state);
  const v = verbs(back?.batch.nftables ?? []);
  assert.equal(v.filter((x) => x === 'delete chain').length, 3, 'vs + 2 rs chains');
  assert.equal((back?.batch.nftables as Cmd[])[1]?.flush?.chain?.name, 'prerouting');
});

test('stale masquerade rules are compacted once they outnumber the slack and the live ones', () => {
  let state = build(pool(svc(range(1, 2)))).state;
  for (let i = 0; i <= GROW_SLACK; i++) {
    const d = diffRuleset(state, build(pool(svc([dest(1), dest(100 + i)]))).state);
    assert.ok(d !== undefined);
    state = d.applied;
  }
  assert.equal(state.chains.get('postrouting')?.rules.length, 2, 'compacted back to the live rules');
});

test('another table or a differently declared base chain: no diff (full rebuild)', () => {
  const a = build(pool(svc(range(1, 2))));
  assert.equal(diffRuleset(a.state, buildRuleset(pool(svc(range(1, 2))), NO_OBJECTS, { table: 'other' }).state), undefined);
});

test('objectsFromListing: regular chains and sets of our table only', () => {
  const listing = { nftables: [
    { metainfo: { version: '1.0.6' } },
    { table: { family: 'inet', name: 'keepalived_ts', handle: 1 } },
    { chain: { family: 'inet', table: 'keepalived_ts', name: 'prerouting', handle: 1, type: 'nat', hook: 'prerouting', prio: -100, policy: 'accept' } },
    { chain: { family: 'inet', table: 'keepalived_ts', name: 'vs_1', handle: 2 } },
    { chain: { family: 'inet', table: 'other', name: 'vs_2', handle: 2 } },
    { set: { family: 'inet', table: 'keepalived_ts', name: 'ps_1', type: 'ipv4_addr', handle: 3 } },
    { rule: { family: 'inet', table: 'keepalived_ts', chain: 'vs_1', handle: 4, expr: [] } },
  ] };
  assert.deepEqual(objectsFromListing(listing, 'keepalived_ts'), { chains: ['vs_1'], sets: ['ps_1'] });
  assert.deepEqual(objectsFromListing(undefined, 'keepalived_ts'), { chains: [], sets: [] });
});
