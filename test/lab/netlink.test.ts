/**
 * Live rtnetlink / genl checks in a lab namespace: our client's sockets are created inside the
 * host's namespace (setns on this thread, then straight back), and every change is verified with
 * ip(8). Runs as root only; anywhere else it fails loudly (the lab harness refuses).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, closeSync, existsSync } from 'node:fs';
import { Lab, LabHost } from '../support/lab/index.js';
import { loadNative } from '../../src/os/linux/native.js';
import { NetlinkClient } from '../../src/os/linux/netlink/client.js';
import { RtNetlink } from '../../src/os/linux/netlink/rtnetlink.js';
import { IpvsClient } from '../../src/os/linux/netlink/ipvs.js';
import { IpvsUnavailableError, NetlinkKernelError } from '../../src/os/linux/netlink/errors.js';
import { LinkChange, LinkWatcher, RtEvent, watchRtnetlink } from '../../src/os/linux/netlink/monitor.js';
import { AF_INET, AF_INET6, RT_SCOPE_LINK } from '../../src/os/linux/netlink/constants.js';

const CLONE_NEWNET = 0x40000000;

/** Runs `open` with this thread in the namespace, then returns to the original one. */
function inNamespace<T>(namespace: string, open: () => T): T {
  const native = loadNative();
  const home = openSync('/proc/thread-self/ns/net', 'r');
  const target = openSync(`/run/netns/${namespace}`, 'r');
  try {
    native.setns(target, CLONE_NEWNET);
    try {
      return open();
    } finally {
      native.setns(home, CLONE_NEWNET);
    }
  } finally {
    closeSync(target);
    closeSync(home);
  }
}

function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 3000): Promise<T> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      const v = check();
      if (v !== undefined) resolve(v);
      else if (Date.now() - start > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

let lab: Lab;
let host: LabHost;
let rt: RtNetlink;
let monitor: NetlinkClient;
let genl: NetlinkClient;
const events: RtEvent[] = [];
const changes: LinkChange[] = [];
const watcher = new LinkWatcher();

before(async () => {
  lab = await Lab.create({ hosts: 1 });
  host = lab.host(1);
  [rt, monitor, genl] = inNamespace(host.namespace, () => [
    new RtNetlink(NetlinkClient.openRoute()),
    NetlinkClient.openRoute({ receiveBufferBytes: 1 << 20 }),
    NetlinkClient.openGeneric(),
  ]);
  watchRtnetlink(monitor, {
    event: (e) => { events.push(e); changes.push(...watcher.apply(e)); },
    resync: (r) => { throw r; },
  });
  watcher.reset(await rt.listLinks());
});

after(async () => {
  rt?.client.close();
  monitor?.close();
  genl?.close();
  await lab?.destroy();
});

test('links: the dump sees lo and eth0 with the index ip(8) reports', async () => {
  const links = await rt.listLinks();
  const eth0 = links.find((l) => l.name === 'eth0');
  assert.ok(links.some((l) => l.name === 'lo'));
  assert.equal(eth0?.index, await host.ifindex('eth0'));
  assert.equal(eth0?.mac, host.mac);
  assert.equal((await rt.getLink({ name: 'eth0' })).index, eth0?.index);
  await assert.rejects(rt.getLink({ name: 'nosuch0' }), (e: unknown) => e instanceof NetlinkKernelError && e.errnoName === 'ENODEV');
});

test('addresses: add with label/scope, IPv6 nodad + preferred_lft 0, duplicate EEXIST, events, delete', async () => {
  const index = await host.ifindex('eth0');
  const v4 = { index, address: '192.0.2.200', prefixLength: 32, label: 'eth0:vip', scope: RT_SCOPE_LINK };
  const v6 = { index, address: '2001:db8::200', prefixLength: 128, preferredLifetimeSec: 0, flags: { nodad: true } };
  await rt.addAddress(v4);
  await rt.addAddress(v6);
  const shown = (await host.ip(['-o', 'addr', 'show', 'dev', 'eth0'])).stdout;
  assert.match(shown, /inet 192\.0\.2\.200\/32 scope link eth0:vip/);
  assert.match(shown, /inet6 2001:db8::200\/128 scope global nodad deprecated .*preferred_lft 0sec/);
  await assert.rejects(rt.addAddress(v4), (e: unknown) => e instanceof NetlinkKernelError && e.errnoName === 'EEXIST');
  const listed = await rt.listAddresses({ family: AF_INET6, index });
  assert.ok(listed.some((a) => a.address === '2001:db8::200' && a.deprecated));
  await waitFor('address event', () => events.find((e) => e.kind === 'address' && e.action === 'new' && e.address.address === '192.0.2.200'));
  await rt.deleteAddress(v4);
  await rt.deleteAddress(v6);
  assert.doesNotMatch((await host.ip(['-o', 'addr', 'show', 'dev', 'eth0'])).stdout, /192\.0\.2\.200|2001:db8::200/);
  await waitFor('address removal event', () => events.find((e) => e.kind === 'address' && e.action === 'del' && e.address.address === '2001:db8::200'));
});

test('link monitoring: taking eth0 down and up raises down and up changes', async () => {
  const index = await host.ifindex('eth0');
  changes.length = 0;
  await host.linkDown('eth0');
  await waitFor('down', () => changes.find((c) => c.change === 'down' && c.link.index === index));
  await host.linkUp('eth0');
  await waitFor('up', () => changes.find((c) => c.change === 'up' && c.link.index === index));
});

test('routes: table 1000 via gateway with metric, protocol and mtu; blackhole; delete', async () => {
  const oif = await host.ifindex('eth0');
  const route = { dst: '198.51.100.0/24', gateway: '192.0.2.2', oif, table: 1000, metric: 10, protocol: 18, metrics: { mtu: 1400 } };
  await rt.addRoute(route);
  await rt.addRoute({ dst: '203.0.113.0/24', type: 'blackhole' });
  assert.match((await host.ip(['route', 'show', 'table', '1000'])).stdout, /198\.51\.100\.0\/24 via 192\.0\.2\.2 dev eth0 proto (18|keepalived) metric 10 mtu 1400/);
  assert.match((await host.ip(['route', 'show'])).stdout, /blackhole 203\.0\.113\.0\/24/);
  const listed = await rt.listRoutes(AF_INET);
  assert.ok(listed.some((r) => r.table === 1000 && r.dst === '198.51.100.0' && r.metrics?.mtu === 1400));
  await rt.deleteRoute(route);
  await rt.deleteRoute({ dst: '203.0.113.0/24', type: 'blackhole' });
  assert.equal((await host.ip(['route', 'show', 'table', '1000'])).stdout.trim(), '');
  assert.doesNotMatch((await host.ip(['route', 'show'])).stdout, /203\.0\.113/);
});

test('rules: from/fwmark/table/priority add and delete', async () => {
  const rule = { family: AF_INET, from: '192.0.2.0/24', table: 1000, priority: 100, fwmark: 0x10, fwmask: 0xff } as const;
  await rt.addRule(rule);
  assert.match((await host.ip(['rule', 'show'])).stdout, /^100:\s+from 192\.0\.2\.0\/24 fwmark 0x10\/0xff lookup 1000/m);
  assert.ok((await rt.listRules(AF_INET)).some((r) => r.priority === 100 && r.table === 1000 && r.fwmark === 0x10));
  await rt.deleteRule(rule);
  assert.doesNotMatch((await host.ip(['rule', 'show'])).stdout, /^100:/m);
});

test('macvlan: a private VMAC on eth0 with the VRRP MAC, then deleted', async () => {
  const parentIndex = await host.ifindex('eth0');
  const link = await rt.createMacvlan({ name: 'vrrp.51', parentIndex, mode: 'private', mac: '00:00:5e:00:01:33' });
  assert.deepEqual([link.kind, link.macvlanMode, link.mac, link.parentIndex], ['macvlan', 'private', '00:00:5e:00:01:33', parentIndex]);
  const shown = (await host.ip(['-d', 'link', 'show', 'vrrp.51'])).stdout;
  assert.match(shown, /link\/ether 00:00:5e:00:01:33/);
  assert.match(shown, /macvlan mode private/);
  await waitFor('macvlan added', () => changes.find((c) => c.change === 'added' && c.link.name === 'vrrp.51'));
  await rt.deleteLink(link.index);
  assert.notEqual((await host.exec('ip', ['link', 'show', 'vrrp.51'])).exitCode, 0);
});

test('IPVS: the genl family lookup reports what this kernel has', async () => {
  if (existsSync('/proc/net/ip_vs')) {
    const ipvs = await IpvsClient.open(genl);
    assert.ok(Array.isArray(await ipvs.listServices()));
  } else {
    await assert.rejects(IpvsClient.open(genl), (e: unknown) => e instanceof IpvsUnavailableError && e.code === 'IPVS_UNAVAILABLE');
  }
});
