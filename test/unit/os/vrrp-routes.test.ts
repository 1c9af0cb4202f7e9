/**
 * The route port's rtnetlink messages: configured routes and rules (the config layer's parse of
 * keepalived's words) -> RTM_NEWROUTE/DELROUTE, RTM_NEWRULE/DELRULE as keepalived 2.2.7 sends them
 * (measured: protocol keepalived on routes and rules, scope global, no metric unless given), and
 * the port's idempotence and keepalived-worded failures, against a fake netlink kernel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRouteLine } from '../../../src/config/syntax/route.js';
import { parseRuleLine } from '../../../src/config/syntax/rule.js';
import { NetlinkClient } from '../../../src/os/linux/netlink/client.js';
import { RTM_DELROUTE, RTM_DELRULE, RTM_NEWROUTE, RTM_NEWRULE, NLM_F_CREATE, NLM_F_EXCL } from '../../../src/os/linux/netlink/constants.js';
import { decodeRoute, encodeRoute } from '../../../src/os/linux/netlink/route-codec.js';
import { decodeRule, encodeRule } from '../../../src/os/linux/netlink/rule-codec.js';
import { RtNetlink } from '../../../src/os/linux/netlink/rtnetlink.js';
import { LinuxRoutes, routeRequest, ruleRequest, type RouteNames } from '../../../src/os/linux/vrrp-routes.js';
import type { RouteEntry, RuleEntry } from '../../../src/vrrp/ports.js';
import { FakeNetlinkKernel } from '../../support/fake-netlink-kernel.js';

const names: RouteNames = { table: (n) => (n === 'vrrp' ? 100 : undefined), protocol: (n) => (n === 'zebra' ? 11 : undefined) };
const index = (name: string): number => (name === 'eth0' ? 3 : 0);

function route(line: string): RouteEntry {
  const parsed = parseRouteLine(line.split(/\s+/));
  assert.ok(parsed.route, `${line}: ${parsed.messages.map((m) => m.text).join('; ')}`);
  return parsed.route;
}

function rule(line: string, preference: number): RuleEntry {
  const parsed = parseRuleLine(line.split(/\s+/));
  assert.ok(parsed.rule, line);
  return { ...parsed.rule, preference };
}

/** What the kernel would read from the RTM_NEWROUTE body. */
function sentRoute(line: string, forDelete = false): ReturnType<typeof decodeRoute> {
  return decodeRoute(encodeRoute(routeRequest(route(line), index, names, forDelete), forDelete));
}

test('routes: protocol keepalived (18), scope global, table main, the type and the gateway as written', () => {
  const r = sentRoute('198.51.100.0/24 via 192.0.2.254 dev eth0');
  assert.deepEqual({ dst: r.dst, len: r.dstLength, gw: r.gateway, oif: r.oif, table: r.table, protocol: r.protocol, scope: r.scope, type: r.type, metric: r.metric },
    { dst: '198.51.100.0', len: 24, gw: '192.0.2.254', oif: 3, table: 254, protocol: 18, scope: 0, type: 'unicast', metric: undefined });
  // a route with only `dev` is scope global too (ip(8) would say link; keepalived does not)
  assert.equal(sentRoute('198.51.100.128/25 dev eth0 table 100').scope, 0);
  assert.equal(sentRoute('198.51.100.128/25 dev eth0 table 100').table, 100);
  assert.equal(sentRoute('198.51.100.128/25 dev eth0 table 1000').table, 1000, 'RTA_TABLE above 255');
  assert.equal(sentRoute('198.51.100.128/25 dev eth0 table vrrp').table, 100, 'rt_tables name');
  assert.equal(sentRoute('198.51.100.128/25 dev eth0 table main').table, 254);
});

test('routes: blackhole / unreachable / prohibit, metric, src, IPv6, options and nexthops', () => {
  const bh = sentRoute('blackhole 203.0.113.0/26');
  assert.deepEqual([bh.type, bh.oif, bh.gateway, bh.protocol], ['blackhole', undefined, undefined, 18]);
  const un = sentRoute('unreachable 203.0.113.64/26 metric 50');
  assert.deepEqual([un.type, un.metric], ['unreachable', 50]);
  assert.equal(sentRoute('prohibit 203.0.113.192/27 no_track').type, 'prohibit');
  assert.equal(sentRoute('198.51.100.64/26 via 192.0.2.100 src 192.0.2.100').src, '192.0.2.100');
  const v6 = sentRoute('2001:db8:1::/48 via 2001:db8::fe dev eth0');
  assert.deepEqual([v6.family, v6.dst, v6.dstLength, v6.gateway, v6.protocol, v6.metric], [10, '2001:db8:1::', 48, '2001:db8::fe', 18, undefined]);
  const opts = sentRoute('198.51.100.0/24 via 192.0.2.254 dev eth0 mtu 1400 advmss 1360 rtt 10ms congctl reno scope link');
  assert.deepEqual(opts.metrics, { mtu: 1400, advmss: 1360, rtt: 80, congctl: 'reno' });
  assert.equal(opts.scope, 253);
  const mp = sentRoute('198.51.100.0/24 nexthop via 192.0.2.253 dev eth0 weight 2 nexthop via 192.0.2.254 dev eth0');
  assert.deepEqual(mp.nexthops, [{ gateway: '192.0.2.253', oif: 3, weight: 2 }, { gateway: '192.0.2.254', oif: 3, weight: 1 }]);
  // a tracked route keeps protocol keepalived; an untracked one may name its own
  assert.equal(sentRoute('198.51.100.0/24 via 192.0.2.254 dev eth0 protocol zebra no_track').protocol, 11);
  assert.equal(sentRoute('198.51.100.0/24 via 192.0.2.254 dev eth0 protocol zebra').protocol, 18);
});

test('route removal names the route (type, protocol keepalived, table, gateway) and matches any scope', () => {
  const d = sentRoute('blackhole 203.0.113.0/26 table 100', true);
  assert.deepEqual([d.type, d.protocol, d.table, d.scope], ['blackhole', 18, 100, 255]);
  const g = sentRoute('198.51.100.0/24 via 192.0.2.254 dev eth0 mtu 1400', true);
  assert.deepEqual([g.gateway, g.oif, g.protocol, g.metrics], ['192.0.2.254', 3, 18, undefined]);
  assert.throws(() => routeRequest(route('198.51.100.0/24 dev eth9'), index, names, false), /no such interface eth9/);
  assert.throws(() => routeRequest(route('198.51.100.0/24 dev eth0 table nosuch'), index, names, false), /unknown route table nosuch/);
});

test('rules: from/to/table/priority/fwmark/iif/oif and actions, always protocol keepalived', () => {
  const dec = (line: string, pref: number): ReturnType<typeof decodeRule> => decodeRule(encodeRule(ruleRequest(rule(line, pref), names), false));
  const a = dec('from 192.0.2.100 table 100 priority 100', 100);
  assert.deepEqual([a.family, a.from, a.table, a.priority, a.action, a.protocol], [2, '192.0.2.100/32', 100, 100, 'table', 18]);
  assert.equal(dec('to 198.51.100.0/24 table 100', 101).to, '198.51.100.0/24');
  const f = dec('fwmark 0x5/0xff table vrrp', 102);
  assert.deepEqual([f.fwmark, f.fwmask, f.table], [5, 255, 100]);
  assert.equal(dec('iif eth0 table 100', 103).iif, 'eth0');
  assert.equal(dec('oif eth0 table 100', 16384).oif, 'eth0');
  assert.equal(dec('from 2001:db8::100 table 100', 104).family, 10);
  assert.equal(dec('from 192.0.2.0/24 blackhole', 105).action, 'blackhole');
  assert.deepEqual(dec('not from 192.0.2.0/24 dport 80-90 ipproto tcp table 100', 106).dport, { start: 80, end: 90 });
  assert.equal(dec('not from 192.0.2.0/24 table 100', 106).invert, true);
  const del = decodeRule(encodeRule(ruleRequest(rule('from 192.0.2.100 table 100', 100), names), true));
  assert.deepEqual([del.priority, del.protocol, del.table, del.action], [100, 18, 100, 'unspec']);
});

test('LinuxRoutes: add is idempotent (EEXIST), remove of an absent route/rule succeeds, other errors read as keepalived', async () => {
  const errnos = new Map<number, number>();
  const kernel = new FakeNetlinkKernel((m) => {
    const errno = errnos.get(m.type);
    return errno === undefined ? [] : { errno };
  });
  const rt = new RtNetlink(new NetlinkClient(kernel));
  const port = new LinuxRoutes(rt, index, names);
  try {
    const r = route('198.51.100.0/24 via 192.0.2.254 dev eth0');
    const ru = rule('from 192.0.2.100 table 100', 100);
    errnos.set(RTM_NEWROUTE, 17).set(RTM_DELROUTE, 3).set(RTM_NEWRULE, 17).set(RTM_DELRULE, 2);
    await port.addRoute(r);
    await port.removeRoute(r);
    await port.addRule(ru);
    await port.removeRule(ru);
    const add = kernel.sent.find((m) => m.type === RTM_NEWROUTE);
    assert.ok(add);
    assert.equal(add.flags & (NLM_F_CREATE | NLM_F_EXCL), NLM_F_CREATE | NLM_F_EXCL);
    assert.equal(decodeRoute(add.payload).protocol, 18);
    errnos.set(RTM_NEWROUTE, 101);
    await assert.rejects(port.addRoute(r), /^Error: Netlink: error: Network is unreachable\(101\), type=RTM_NEWROUTE\(24\)/);
    errnos.set(RTM_NEWROUTE, 113);
    await assert.rejects(port.addRoute(r), /Netlink: error: No route to host\(113\), type=RTM_NEWROUTE\(24\)/, 'strerror wording');
    errnos.set(RTM_DELRULE, 1);
    await assert.rejects(port.removeRule(ru), /Netlink: error: Operation not permitted\(1\), type=RTM_DELRULE\(33\)/);
    // an interface that is gone took its routes with it: nothing to remove, nothing sent
    const before = kernel.sent.length;
    await port.removeRoute(route('198.51.100.0/24 via 192.0.2.254 dev eth9'));
    assert.equal(kernel.sent.length, before);
  } finally {
    rt.client.close();
  }
});

test('route tracking: a kernel RTM_DELROUTE / RTM_DELRULE for a watched route or rule calls its handler; others do not', async () => {
  const kernel = new FakeNetlinkKernel(() => []);
  const monitor = new FakeNetlinkKernel(() => []);
  const rt = new RtNetlink(new NetlinkClient(kernel));
  const port = new LinuxRoutes(rt, index, names, () => new NetlinkClient(monitor));
  try {
    const tracked = route('198.51.100.128/25 via 192.0.2.254 dev eth0 table 100');
    const v6 = route('2001:db8:1::/48 via 2001:db8::fe dev eth0');
    const ru = rule('from 192.0.2.100 table 100', 100);
    const seen: string[] = [];
    const offRoute = port.watchRoute(tracked, () => seen.push('route'));
    port.watchRoute(v6, () => seen.push('v6'));
    port.watchRule(ru, () => seen.push('rule'));
    assert.deepEqual([...monitor.groups].sort((x, y) => x - y), [7, 8, 11, 19], 'route and rule groups, IPv4 and IPv6');
    const deleted = (line: string): Buffer => encodeRoute(routeRequest(route(line), index, names, false), false);
    const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    monitor.notify(RTM_DELROUTE, deleted('198.51.100.128/25 via 192.0.2.253 dev eth0 table 100'));
    monitor.notify(RTM_DELROUTE, deleted('198.51.100.128/25 via 192.0.2.254 dev eth0'));
    monitor.notify(RTM_NEWROUTE, deleted('198.51.100.128/25 via 192.0.2.254 dev eth0 table 100'));
    monitor.notify(RTM_DELRULE, encodeRule(ruleRequest(rule('from 192.0.2.100 table 100', 101), names), false));
    await tick();
    assert.deepEqual(seen, [], 'other gateway, other table, an addition, another preference: not ours');
    monitor.notify(RTM_DELROUTE, deleted('198.51.100.128/25 via 192.0.2.254 dev eth0 table 100'));
    monitor.notify(RTM_DELROUTE, deleted('2001:db8:1::/48 via 2001:db8::fe dev eth0'));
    monitor.notify(RTM_DELRULE, encodeRule(ruleRequest(ru, names), false));
    await tick();
    assert.deepEqual(seen, ['route', 'v6', 'rule']);
    offRoute();
    monitor.notify(RTM_DELROUTE, deleted('198.51.100.128/25 via 192.0.2.254 dev eth0 table 100'));
    await tick();
    assert.deepEqual(seen, ['route', 'v6', 'rule'], 'unwatched');
  } finally {
    port.close();
    rt.client.close();
  }
});
