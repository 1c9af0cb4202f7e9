/**
 * The no_accept firewall rules as nft JSON: keepalived 2.2.7's sets and chains (captured from its
 * `nft -j list ruleset` in a lab namespace) in one inet table of ours; options from global_defs;
 * incremental element batches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBatch, deleteBatch, deltaBatch, elementsOf, NO_ELEMENTS, vipFilterOptions } from '../../../src/vrrp/vip-filter-nft.js';

const o = { table: 'keepalived_ts_vrrp', priority: -1, counters: false };
const vip = (address: string, interfaceName = 'eth0'): { address: string; prefixLength: number; interfaceName: string } => ({ address, prefixLength: 24, interfaceName });

type Cmd = Record<string, Record<string, Record<string, unknown>>>;
const cmds = (b: { nftables: unknown[] }): Cmd[] => b.nftables as Cmd[];

test('options: default table keepalived_ts_vrrp at priority -1 without counters; nftables NAME, nftables_priority, nftables_counters', () => {
  assert.deepEqual(vipFilterOptions({ raw: new Map() }), { table: 'keepalived_ts_vrrp', priority: -1, counters: false });
  const raw = new Map<string, readonly string[]>([['nftables', ['kts_test']], ['nftables_priority', ['-5']], ['nftables_counters', []]]);
  assert.deepEqual(vipFilterOptions({ raw }), { table: 'kts_test', priority: -5, counters: true });
  assert.equal(vipFilterOptions({ raw: new Map([['nftables', []]]) }).table, 'keepalived_ts_vrrp', '`nftables` without a name');
  assert.equal(vipFilterOptions({ raw: new Map([['nftables', ['bad name;']]]) }).table, 'keepalived_ts_vrrp', 'a name nft would not take');
});

test('elements: IPv4, IPv6 and link-local (with its interface) sets, sorted and de-duplicated across instances', () => {
  const e = elementsOf([vip('192.0.2.101'), vip('192.0.2.100'), vip('192.0.2.100'), vip('FE80::1234', 'eth1'), vip('2001:db8::100')]);
  assert.deepEqual(e, { v4: ['192.0.2.100', '192.0.2.101'], v6: ['2001:db8::100'], v6LinkLocal: [['fe80::1234', 'eth1']] });
});

test('create: one transaction replacing any previous table; chains in/out at the hook priority; keepalived\'s rules', () => {
  const b = cmds(createBatch(o, elementsOf([vip('192.0.2.100'), vip('fe80::1', 'eth0'), vip('2001:db8::1')])));
  assert.deepEqual(b.slice(0, 3), [
    { add: { table: { family: 'inet', name: 'keepalived_ts_vrrp' } } },
    { delete: { table: { family: 'inet', name: 'keepalived_ts_vrrp' } } },
    { add: { table: { family: 'inet', name: 'keepalived_ts_vrrp' } } },
  ]);
  const chains = b.filter((c) => c.add?.chain !== undefined).map((c) => c.add?.chain);
  assert.deepEqual(chains.find((c) => c?.name === 'in'), { family: 'inet', table: 'keepalived_ts_vrrp', name: 'in', type: 'filter', hook: 'input', prio: -1, policy: 'accept' });
  assert.deepEqual(chains.find((c) => c?.name === 'out'), { family: 'inet', table: 'keepalived_ts_vrrp', name: 'out', type: 'filter', hook: 'output', prio: -1, policy: 'accept' });
  const rules = b.filter((c) => c.add?.rule !== undefined).map((c) => c.add?.rule as { chain: string; expr: unknown[] });
  const inRules = rules.filter((r) => r.chain === 'in').map((r) => r.expr);
  assert.deepEqual(inRules[0], [{ match: { op: '==', left: { payload: { protocol: 'ip', field: 'daddr' } }, right: '@vips' } }, { drop: null }]);
  assert.deepEqual(inRules[1], [{ match: { op: '==', left: { payload: { protocol: 'icmpv6', field: 'type' } }, right: '@neighbor-discovery' } }, { accept: null }], 'ND accepted before any IPv6 drop');
  assert.deepEqual(inRules[2], [{ match: { op: '==', left: { payload: { protocol: 'ip6', field: 'daddr' } }, right: { prefix: { addr: 'fe80::', len: 10 } } } }, { goto: { target: 'in_link_local' } }]);
  const outLocal = rules.find((r) => r.chain === 'out_link_local');
  assert.deepEqual(outLocal?.expr, [{ match: { op: '==', left: { concat: [{ payload: { protocol: 'ip6', field: 'saddr' } }, { meta: { key: 'oif' } }] }, right: '@vips_link_local' } }, { drop: null }]);
  const elements = b.filter((c) => c.add?.element !== undefined).map((c) => [c.add?.element?.name, c.add?.element?.elem]);
  assert.deepEqual(elements, [['vips', ['192.0.2.100']], ['vips6', ['2001:db8::1']], ['vips_link_local', [{ concat: ['fe80::1', 'eth0'] }]]]);
});

test('create with nftables_counters and a priority: a counter in every rule, chains at that priority', () => {
  const b = cmds(createBatch({ table: 'kts', priority: -5, counters: true }, NO_ELEMENTS));
  const rules = b.filter((c) => c.add?.rule !== undefined).map((c) => c.add?.rule as { expr: unknown[] });
  assert.equal(rules.length, 10);
  for (const r of rules) assert.deepEqual(r.expr[1], { counter: { packets: 0, bytes: 0 } });
  for (const c of b.filter((x) => x.add?.chain?.hook !== undefined)) assert.equal(c.add?.chain?.prio, -5);
  assert.equal(b.filter((c) => c.add?.element !== undefined).length, 0, 'no empty element commands');
});

test('delta: only element changes, deletions first; nothing when equal; delete = add+delete table', () => {
  const from = elementsOf([vip('192.0.2.100'), vip('192.0.2.101')]);
  const to = elementsOf([vip('192.0.2.101'), vip('192.0.2.102'), vip('fe80::9', 'eth0')]);
  assert.deepEqual(cmds(deltaBatch(o, from, to)), [
    { delete: { element: { family: 'inet', table: 'keepalived_ts_vrrp', name: 'vips', elem: ['192.0.2.100'] } } },
    { add: { element: { family: 'inet', table: 'keepalived_ts_vrrp', name: 'vips', elem: ['192.0.2.102'] } } },
    { add: { element: { family: 'inet', table: 'keepalived_ts_vrrp', name: 'vips_link_local', elem: [{ concat: ['fe80::9', 'eth0'] }] } } },
  ]);
  assert.deepEqual(deltaBatch(o, to, to).nftables, []);
  assert.deepEqual(cmds(deleteBatch(o)), [{ add: { table: { family: 'inet', name: 'keepalived_ts_vrrp' } } }, { delete: { table: { family: 'inet', name: 'keepalived_ts_vrrp' } } }]);
});
