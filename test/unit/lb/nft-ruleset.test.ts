/** The nftables ruleset builder: desired pool -> one JSON transaction. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRuleset, NO_OBJECTS, removeTableBatch } from '../../../src/lb/nft-ruleset.js';
import { nftSchedule, weightBuckets } from '../../../src/lb/nft-schedule.js';
import type { DesiredDest, DesiredPool, DesiredService } from '../../../src/lb/pool-types.js';

const dest = (n: number, weight: number, port = 80): DesiredDest => ({
  id: `[192.0.2.${n}]:tcp:${port}`, role: 'real', address: `192.0.2.${n}`, family: 'inet', port, weight, forwarding: 'NAT',
});
const svc = (over: Partial<DesiredService> = {}): DesiredService => ({
  id: '[192.0.2.100]:tcp:80', protocol: 'tcp', scheduler: 'wrr', schedulerFlags: [], forwarding: 'NAT',
  matches: [{ kind: 'address', family: 'inet', first: '192.0.2.100', last: '192.0.2.100', port: 80 }],
  dests: [dest(2, 1), dest(3, 2), dest(4, 3)], ...over,
});
const pool = (...services: DesiredService[]): DesiredPool => ({ services });
type Cmd = Record<string, Record<string, Record<string, unknown>>>;
const cmds = (b: { batch: { nftables: readonly unknown[] } }): Cmd[] => b.batch.nftables as Cmd[];
const rulesOf = (b: { batch: { nftables: readonly unknown[] } }, chain: string): unknown[][] =>
  cmds(b).filter((c) => c.add?.rule?.chain === chain).map((c) => c.add?.rule?.expr as unknown[]);
const text = (v: unknown): string => JSON.stringify(v);

test('wrr 1:2:3: one vmap over numgen inc mod 6 with ranges 0, 1-2, 3-5', () => {
  const b = buildRuleset(pool(svc()), NO_OBJECTS);
  const vs = b.objects.chains.find((c) => c.startsWith('vs_')) ?? '';
  const [sched] = rulesOf(b, vs);
  const vm = (sched?.[0] as { vmap: { key: unknown; data: { set: [unknown, unknown][] } } }).vmap;
  assert.deepEqual(vm.key, { numgen: { mode: 'inc', mod: 6, offset: 0 } });
  assert.deepEqual(vm.data.set.map(([k]) => k), [0, { range: [1, 2] }, { range: [3, 5] }]);
  assert.equal(b.objects.chains.length, 4, 'one vs chain and three rs chains');
  assert.match(text(rulesOf(b, 'prerouting')), /"192\.0\.2\.100".*"dport"\}\},"right":80.*"goto"/);
  assert.deepEqual(b.warnings, []);
});

test('the transaction never deletes or flushes the table; base chains are nat hooks', () => {
  const b = buildRuleset(pool(svc()), NO_OBJECTS);
  assert.ok(!cmds(b).some((c) => c.delete !== undefined));
  assert.ok(!cmds(b).some((c) => c.flush?.table !== undefined));
  const pre = cmds(b).find((c) => c.add?.chain?.name === 'prerouting')?.add?.chain;
  assert.deepEqual([pre?.type, pre?.hook, pre?.prio, pre?.table, pre?.family], ['nat', 'prerouting', -100, 'keepalived_ts', 'inet']);
});

test('a weight change keeps every object name; a removed server is flushed then deleted', () => {
  const first = buildRuleset(pool(svc({ persistenceTimeoutS: 60 })), NO_OBJECTS);
  const reweighted = buildRuleset(pool(svc({ persistenceTimeoutS: 60, dests: [dest(2, 5), dest(3, 2), dest(4, 3)] })), first.objects);
  assert.deepEqual(reweighted.objects, first.objects);
  assert.ok(!cmds(reweighted).some((c) => c.delete !== undefined), 'nothing deleted');
  const removed = buildRuleset(pool(svc({ persistenceTimeoutS: 60, dests: [dest(2, 1), dest(4, 3)] })), first.objects);
  const deleted = cmds(removed).filter((c) => c.delete !== undefined).map((c) => Object.keys(c.delete ?? {})[0]);
  assert.deepEqual(deleted, ['chain', 'set']);
  const all = cmds(removed);
  const goneChain = first.objects.chains.find((c) => !removed.objects.chains.includes(c)) ?? '';
  const flushAt = all.findIndex((c) => c.flush?.chain?.name === goneChain);
  const deleteAt = all.findIndex((c) => c.delete?.chain?.name === goneChain);
  assert.ok(flushAt >= 0 && flushAt < deleteAt, 'flushed before deleted');
});

test('inhibited (weight 0) servers keep their chain but get no bucket', () => {
  const b = buildRuleset(pool(svc({ dests: [dest(2, 0), dest(3, 2)] })), NO_OBJECTS);
  const vs = b.objects.chains.find((c) => c.startsWith('vs_')) ?? '';
  assert.match(text(rulesOf(b, vs)), /"mod":2/);
  assert.equal(b.objects.chains.length, 3);
});

test('no usable server: no service chain and no VIP rule (the local stack answers RST)', () => {
  const b = buildRuleset(pool(svc({ dests: [dest(2, 0)] })), NO_OBJECTS);
  assert.deepEqual(b.objects.chains, []);
  assert.deepEqual(rulesOf(b, 'prerouting'), []);
});

test('persistence: one timeout set per destination, looked up before scheduling, refreshed in the rs chain', () => {
  const b = buildRuleset(pool(svc({ scheduler: 'rr', persistenceTimeoutS: 300 })), NO_OBJECTS);
  assert.equal(b.objects.sets.length, 3);
  const set = cmds(b).find((c) => c.add?.set !== undefined)?.add?.set;
  assert.deepEqual([set?.type, set?.timeout, set?.flags], ['ipv4_addr', 300, ['timeout']]);
  const vs = b.objects.chains.find((c) => c.startsWith('vs_')) ?? '';
  const rules = rulesOf(b, vs);
  assert.equal(rules.length, 4, 'three lookups + the scheduler');
  assert.match(text(rules[3]), /numgen/);
  const rs = b.objects.chains.find((c) => c.startsWith('rs_')) ?? '';
  assert.match(text(rulesOf(b, rs)), /"op":"update".*"dnat":\{"family":"ip","addr":"192\.0\.2\.2","port":80\}/);
});

test('sh hashes the client address with jhash; sh-port adds the source port', () => {
  const plain = text(buildRuleset(pool(svc({ scheduler: 'sh' })), NO_OBJECTS).batch);
  assert.match(plain, /"jhash":\{"expr":\{"payload":\{"protocol":"ip","field":"saddr"\}\},"mod":6/);
  const port = text(buildRuleset(pool(svc({ scheduler: 'sh', schedulerFlags: ['sh-port'] })), NO_OBJECTS).batch);
  assert.match(port, /"concat":\[\{"payload":\{"protocol":"ip","field":"saddr"\}\},\{"payload":\{"protocol":"tcp","field":"sport"\}\}\]/);
  assert.match(text(buildRuleset(pool(svc({ scheduler: 'dh' })), NO_OBJECTS).batch), /"field":"daddr"\}\},"mod":6/);
});

test('algorithms nftables cannot express map to the nearest one with a warning that says so', () => {
  for (const algo of ['lc', 'wlc', 'sed', 'nq', 'twos']) {
    const b = buildRuleset(pool(svc({ scheduler: algo })), NO_OBJECTS);
    assert.match(text(b.batch), /"numgen":\{"mode":"random","mod":6/);
    assert.match(b.warnings[0] ?? '', new RegExp(`lb_algo ${algo} cannot be expressed in nftables: approximated by a weighted random`));
  }
  assert.match(nftSchedule('lblc', []).warning ?? '', /destination hash/);
  assert.match(nftSchedule('mh', []).warning ?? '', /not consistent hashing/);
  assert.equal(nftSchedule('fo', []).warning, undefined);
  assert.match(nftSchedule('bogus', []).warning ?? '', /unknown.*wrr/);
});

test('fo: only the highest weight takes new connections', () => {
  const { buckets, total } = weightBuckets([dest(2, 1), dest(3, 5), dest(4, 5)], nftSchedule('fo', []));
  assert.equal(total, 2);
  assert.deepEqual(buckets.map((b) => b.item.address), ['192.0.2.3', '192.0.2.4']);
});

test('DR/TUN services are not in the inet table (DR: nft-dr.ts); fwmark and groups match as configured', () => {
  const dr = buildRuleset(pool(svc({ forwarding: 'DR' })), NO_OBJECTS);
  assert.deepEqual(dr.objects.chains, []);
  assert.deepEqual(dr.warnings, []);
  const fw = buildRuleset(pool(svc({ matches: [{ kind: 'fwmark', fwmark: 7, family: 'inet' }, { kind: 'address', family: 'inet', first: '192.0.2.100', last: '192.0.2.110', port: 0 }] })), NO_OBJECTS);
  const pre = text(rulesOf(fw, 'prerouting'));
  assert.match(pre, /"mark"\}\},"right":7\}\},\{"match":\{"op":"==","left":\{"meta":\{"key":"nfproto"\}\},"right":"ipv4"/);
  assert.match(pre, /"range":\["192\.0\.2\.100","192\.0\.2\.110"\]\}\}\},\{"match":\{"op":"==","left":\{"meta":\{"key":"l4proto"\}\},"right":"tcp"/);
});

test('default (LVS-NAT as keepalived deploys it): DNAT only, no SNAT rule; nat chains only, no counters', () => {
  const b = buildRuleset(pool(svc()), NO_OBJECTS);
  assert.deepEqual(rulesOf(b, 'postrouting'), [], 'real servers route the client back via the director: no masquerade');
  const added = cmds(b).map((c) => c.add?.chain).filter((c) => c?.hook !== undefined);
  assert.deepEqual(added.map((c) => [c?.name, c?.type, c?.hook]), [['prerouting', 'nat', 'prerouting'], ['postrouting', 'nat', 'postrouting']],
    'only nat base chains: conntrack runs them for the first packet of a flow, never for the packets of an established one');
  assert.doesNotMatch(text(b.batch), /"counter"|"flowtable"|"filter"/);
  assert.match(text(b.batch), /"dnat":\{"family":"ip","addr":"192\.0\.2\.2","port":80\}/);
});

test('masquerade adds one SNAT rule per destination for the flows we DNATed; remove is add+delete table', () => {
  const b = buildRuleset(pool(svc()), NO_OBJECTS, { masquerade: true, table: 't1' });
  assert.equal(rulesOf(b, 'postrouting').length, 3);
  assert.match(text(rulesOf(b, 'postrouting')[0]), /"ct":\{"key":"status"\}\},"right":"dnat".*"masquerade":null/);
  assert.deepEqual(removeTableBatch('t1'), { nftables: [{ add: { table: { family: 'inet', name: 't1' } } }, { delete: { table: { family: 'inet', name: 't1' } } }] });
});

test('IPv6 services use ip6 payloads, ipv6_addr sets and ip6 dnat', () => {
  const d6: DesiredDest = { id: 'a', role: 'real', address: '2001:db8::2', family: 'inet6', port: 80, weight: 1, forwarding: 'NAT' };
  const b = buildRuleset(pool(svc({ matches: [{ kind: 'address', family: 'inet6', first: '2001:db8::100', last: '2001:db8::100', port: 80 }], dests: [d6], persistenceTimeoutS: 5 })), NO_OBJECTS);
  const t = text(b.batch);
  assert.match(t, /"protocol":"ip6","field":"daddr"\}\},"right":"2001:db8::100"/);
  assert.match(t, /"type":"ipv6_addr"/);
  assert.match(t, /"dnat":\{"family":"ip6","addr":"2001:db8::2","port":80\}/);
});
