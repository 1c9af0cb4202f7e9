/** lb_kind DR on nftables (nft-dr.ts): the netdev ingress table, and the plane sending it only when it changes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDrRuleset } from '../../../src/lb/nft-dr.js';
import { NftablesDataPlane, type NftPort, type NftRunResult } from '../../../src/lb/planes/nft-plane.js';
import type { DesiredDest, DesiredPool, DesiredService } from '../../../src/lb/pool-types.js';

const dest = (n: number, weight: number, over: Partial<DesiredDest> = {}): DesiredDest => ({
  id: `rs${n}`, role: 'real', address: `192.0.2.${n}`, family: 'inet', port: 0, weight, forwarding: 'DR', ...over,
});
const svc = (dests: DesiredDest[], over: Partial<DesiredService> = {}): DesiredService => ({
  id: '[192.0.2.100]:tcp:80', protocol: 'tcp', scheduler: 'wrr', schedulerFlags: [], forwarding: 'DR',
  matches: [{ kind: 'address', family: 'inet', first: '192.0.2.100', last: '192.0.2.100', port: 80 }], dests, ...over,
});
const pool = (...services: DesiredService[]): DesiredPool => ({ services });
const ON_LINK = new Map([['192.0.2.2', 'eth0'], ['192.0.2.3', 'eth0'], ['192.0.2.4', 'eth1']]);
const fwdOf = (cmds: readonly unknown[]): unknown[] => cmds.flatMap((c) => {
  const expr = (c as { add?: { rule?: { expr: { fwd?: unknown }[] } } }).add?.rule?.expr ?? [];
  return expr.filter((e) => e.fwd !== undefined).map((e) => e.fwd);
});

test('DR: an ingress chain on the real servers\' device forwards VIP:port by a weighted per-connection hash', () => {
  const b = buildDrRuleset(pool(svc([dest(2, 1), dest(3, 2)])), ON_LINK, 'kts');
  assert.deepEqual(b.commands.slice(0, 4), [
    { add: { table: { family: 'netdev', name: 'kts_dr' } } },
    { delete: { table: { family: 'netdev', name: 'kts_dr' } } },
    { add: { table: { family: 'netdev', name: 'kts_dr' } } },
    { add: { chain: { family: 'netdev', table: 'kts_dr', name: b.chains[0], type: 'filter', hook: 'ingress', dev: 'eth0', prio: -500, policy: 'accept' } } },
  ]);
  const rule = (b.commands[4] as { add: { rule: { expr: unknown[] } } }).add.rule.expr;
  assert.deepEqual(rule.slice(0, 2), [
    { match: { op: '==', left: { payload: { protocol: 'ip', field: 'daddr' } }, right: '192.0.2.100' } },
    { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 80 } },
  ]);
  const fwd = rule[2] as { fwd: { dev: string; family: string; addr: { map: { key: { jhash: { expr: unknown; mod: number } }; data: unknown } } } };
  assert.equal(fwd.fwd.dev, 'eth0');
  assert.equal(fwd.fwd.family, 'ip');
  assert.deepEqual(fwd.fwd.addr.map.key.jhash.expr, { concat: [{ payload: { protocol: 'ip', field: 'saddr' } }, { payload: { protocol: 'tcp', field: 'sport' } }] });
  assert.equal(fwd.fwd.addr.map.key.jhash.mod, 3);
  assert.deepEqual(fwd.fwd.addr.map.data, { set: [[0, '192.0.2.2'], [{ range: [1, 2] }, '192.0.2.3']] });
  assert.match(b.warnings.join('\n'), /lb_algo wrr with lb_kind DR on nftables: a weighted hash of \(source address, source port\)/);
});

test('DR: sh hashes the source; persistence too (with a warning); one server is a plain address', () => {
  const sh = buildDrRuleset(pool(svc([dest(2, 1), dest(3, 1)], { scheduler: 'sh' })), ON_LINK, 'kts');
  assert.deepEqual(sh.warnings, []);
  assert.match(JSON.stringify(fwdOf(sh.commands)), /"jhash":\{"expr":\{"payload":\{"protocol":"ip","field":"saddr"\}\}/);
  const persistent = buildDrRuleset(pool(svc([dest(2, 1), dest(3, 1)], { persistenceTimeoutS: 60 })), ON_LINK, 'kts');
  assert.match(persistent.warnings.join('\n'), /persistence_timeout with lb_kind DR on nftables: .* by source hash/);
  const one = buildDrRuleset(pool(svc([dest(2, 1), dest(3, 0)])), ON_LINK, 'kts');
  assert.deepEqual(fwdOf(one.commands), [{ dev: 'eth0', family: 'ip', addr: '192.0.2.2' }], 'weight 0 (inhibited) takes no new connection');
});

test('DR/TUN diagnostics: TUN, fwmark, a server off-link or on another device are reported and left out', () => {
  const tun = buildDrRuleset(pool(svc([dest(2, 1, { forwarding: 'TUN' })], { forwarding: 'TUN' })), ON_LINK, 'kts');
  assert.equal(tun.key, '[]');
  assert.deepEqual(tun.commands, [{ add: { table: { family: 'netdev', name: 'kts_dr' } } }, { delete: { table: { family: 'netdev', name: 'kts_dr' } } }]);
  assert.match(tun.warnings[0] ?? '', /lb_kind TUN is not supported by the nftables data plane \(nftables has no ipip\/gue\/gre encapsulation statement\): service not installed/);
  const mixed = buildDrRuleset(pool(svc([dest(2, 1), dest(4, 1), dest(9, 1)], { matches: [{ kind: 'fwmark', fwmark: 3 }, { kind: 'address', family: 'inet', first: '192.0.2.100', last: '192.0.2.100', port: 80 }] })), ON_LINK, 'kts');
  const w = mixed.warnings.join('\n');
  assert.match(w, /fwmark service is not supported by the nftables data plane \(the mark is not set yet at ingress\)/);
  assert.match(w, /192\.0\.2\.4 is on eth1, the others on eth0: not installed/);
  assert.match(w, /192\.0\.2\.9 is not on a directly connected network: not installed/);
  assert.deepEqual(fwdOf(mixed.commands), [{ dev: 'eth0', family: 'ip', addr: '192.0.2.2' }]);
});

class FakeNft implements NftPort {
  batches: { nftables: unknown[] }[] = [];
  run(batch: unknown): Promise<NftRunResult> {
    this.batches.push(batch as { nftables: unknown[] });
    return Promise.resolve({ ok: true });
  }
}

const netdevCommands = (b: { nftables: unknown[] } | undefined): number => (b?.nftables ?? []).filter((c) => JSON.stringify(c).includes('"netdev"')).length;

test('the plane resolves devices once, sends the DR table only when it changes, and removes it with the pool', async () => {
  const nft = new FakeNft();
  const asked: string[][] = [];
  const plane = new NftablesDataPlane(nft, { resolveDevices: (a) => { asked.push([...a]); return Promise.resolve(ON_LINK); } });
  await plane.start();
  assert.equal(netdevCommands(nft.batches[0]), 2, 'start removes a leftover DR table');
  assert.ok((await plane.apply(pool(svc([dest(2, 1), dest(3, 1)])))).ok);
  assert.ok(netdevCommands(nft.batches[1]) > 2);
  assert.ok((await plane.apply(pool(svc([dest(2, 1), dest(3, 1)])))).ok);
  assert.equal(nft.batches.length, 2, 'unchanged: no transaction');
  assert.ok((await plane.apply(pool(svc([dest(2, 1)])))).ok);
  assert.deepEqual(fwdOf(nft.batches[2]?.nftables ?? []), [{ dev: 'eth0', family: 'ip', addr: '192.0.2.2' }]);
  assert.deepEqual(asked, [['192.0.2.2', '192.0.2.3']], 'devices are resolved once');
  assert.ok((await plane.apply(pool())).ok);
  assert.equal(netdevCommands(nft.batches[3]), 2, 'no DR service left: the table is removed');
});

test('a real server whose device is not found yet is asked again on the next apply', async () => {
  const nft = new FakeNft();
  let calls = 0;
  const plane = new NftablesDataPlane(nft, { resolveDevices: (a) => { calls++; return Promise.resolve(calls === 1 ? new Map() : new Map(a.map((x) => [x, 'eth0']))); } });
  await plane.start();
  const first = await plane.apply(pool(svc([dest(2, 1)])));
  assert.match(first.warnings.join('\n'), /192\.0\.2\.2 is not on a directly connected network/);
  assert.ok((await plane.apply(pool(svc([dest(2, 1)])))).ok);
  assert.deepEqual(fwdOf(nft.batches.at(-1)?.nftables ?? []), [{ dev: 'eth0', family: 'ip', addr: '192.0.2.2' }]);
  await plane.apply(pool(svc([dest(2, 1)])));
  assert.equal(calls, 2, 'found: kept');
});
