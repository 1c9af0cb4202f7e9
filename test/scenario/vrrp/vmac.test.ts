/**
 * use_vmac with fakes: keepalived.conf -> binding (VMAC name, virtual MAC, VIPs on the VMAC),
 * then a DriverSet: the VMAC exists before the instance starts, adverts are sent and received on
 * it (on the base with vmac_xmit_base), VIPs and GARPs are on it, it is deleted after the priority-0 advert
 * and the VIP removal on stop; a matching leftover is taken over, another interface with the name
 * is left alone (vrrp1.VRID, as keepalived 2.2.7 does); a base link down is a FAULT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/pipeline.js';
import { adaptInstance, type InstanceBinding } from '../../../src/vrrp/config-adapter.js';
import { DriverSet } from '../../../src/vrrp/driver-set.js';
import type { VrrpTransportFactory, VrrpTransportSpec } from '../../../src/vrrp/ports.js';
import { fakeEnv } from '../../unit/config/fake-env.js';
import { FakeLan, fakeNode, FakeVmacs, ManualClock, settle } from './driver-fakes.js';

const CONF = '/etc/keepalived/keepalived.conf';
const lookup = (ifname: string, family: 'ipv4' | 'ipv6'): string | undefined => (ifname === 'eth0' ? (family === 'ipv4' ? '192.0.2.1' : 'fe80::1') : undefined);

function bindings(body: string): InstanceBinding[] {
  const model = loadConfig(CONF, fakeEnv({ ifs: ['eth0', 'eth1'], files: { [CONF]: body } })).model;
  const global = model.global;
  assert.ok(global && model.vrrp);
  return model.vrrp.instances.map((i) => adaptInstance(i, global, lookup));
}

function instance(extra: string, vips = '192.0.2.100/24', vrid = 51): string {
  return `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id ${vrid}\n  priority 150\n  ${extra}\n  virtual_ipaddress {\n    ${vips}\n  }\n}\n`;
}

test('use_vmac: default name vrrp.VRID, MAC 00:00:5e:00:01:VRID, VIPs without another dev on the VMAC, nothing reported unsupported', () => {
  const [b] = bindings(instance('use_vmac', '192.0.2.100/24\n    192.0.2.101/24 dev eth0\n    198.51.100.1/24 dev eth1'));
  assert.ok(b);
  assert.deepEqual(b.vmac, { name: 'vrrp.51', baseInterface: 'eth0', mac: '00:00:5e:00:01:33', family: 'ipv4', xmitBase: false, defaultName: true });
  assert.equal(b.interfaceName, 'eth0', 'the instance still follows (and receives on) its base interface');
  assert.deepEqual(b.vips.map((v) => `${v.address} ${v.interfaceName}`), ['192.0.2.100 vrrp.51', '192.0.2.101 vrrp.51', '198.51.100.1 eth1']);
  assert.deepEqual(b.unsupported, []);
});

test('use_vmac NAME MAC and vmac_xmit_base; IPv6: 00:00:5e:00:02:VRID and the base link-local to copy', () => {
  const [named] = bindings(instance('use_vmac vip51 02:00:00:00:00:99\n  vmac_xmit_base'));
  assert.deepEqual(named?.vmac, { name: 'vip51', baseInterface: 'eth0', mac: '02:00:00:00:00:99', family: 'ipv4', xmitBase: true, defaultName: false });
  const [v6] = bindings(instance('use_vmac', 'fe80::100/64\n    2001:db8::100/64', 52));
  assert.deepEqual(v6?.vmac, { name: 'vrrp.52', baseInterface: 'eth0', mac: '00:00:5e:00:02:34', family: 'ipv6', linkLocal: 'fe80::1', xmitBase: false, defaultName: true });
  assert.deepEqual(v6?.vips.map((v) => v.interfaceName), ['vrrp.52', 'vrrp.52']);
});

interface Bed {
  clock: ManualClock;
  lan: FakeLan;
  node: ReturnType<typeof fakeNode>;
  vmacs: FakeVmacs;
  specs: VrrpTransportSpec[];
  /** For each advert: the interface it left from. */
  sentFrom: string[];
  set: DriverSet;
}

function bed(): Bed {
  const clock = new ManualClock();
  const lan = new FakeLan(clock);
  const node = fakeNode('a', lan, clock);
  const vmacs = new FakeVmacs();
  const specs: VrrpTransportSpec[] = [];
  const sentFrom: string[] = [];
  const inner = node.ports.transports;
  const transports: VrrpTransportFactory = {
    open: (spec, onPacket, onError) => {
      // the interface must exist when the transport opens (a real socket binds to it)
      if (spec.interfaceName !== 'eth0') assert.ok(vmacs.interfaces.has(spec.interfaceName), `${spec.interfaceName} exists before the transport opens`);
      specs.push(spec);
      const t = inner.open(spec, onPacket, onError);
      return { send: (bytes, destination, ttl) => { sentFrom.push(spec.interfaceName); t.send(bytes, destination, ttl); }, close: () => t.close() };
    },
  };
  const set = new DriverSet({ ...node.ports, transports, vmacs });
  return { clock, lan, node, vmacs, specs, sentFrom, set };
}

const PRIORITY_OFFSET = 22;

test('a use_vmac instance: VMAC created first, adverts sent and received on the VMAC, VIPs and GARPs on it; stop: priority 0, VIPs, then the VMAC goes', async () => {
  const b = bed();
  const [binding] = bindings(instance('use_vmac'));
  assert.ok(binding);
  await b.set.start([binding]);
  assert.deepEqual(b.vmacs.calls, ['ensure vrrp.51 created']);
  assert.deepEqual(b.specs.map((s) => s.interfaceName), ['vrrp.51'], 'adverts are sent and received on the VMAC');
  b.clock.advanceMs(4_000);
  await settle();
  assert.equal(b.set.running[0]?.state.name, 'MASTER');
  assert.deepEqual(b.node.addresses.on('vrrp.51'), ['192.0.2.100/24']);
  assert.deepEqual(b.node.addresses.on('eth0'), []);
  assert.ok(b.node.l2.sent.length >= 5 && b.node.l2.sent.every((g) => g.interfaceName === 'vrrp.51'), 'GARPs on the VMAC');
  assert.ok(b.sentFrom.length > 0 && b.sentFrom.every((i) => i === 'vrrp.51'), 'adverts leave from the VMAC');
  await b.set.stopAll();
  const last = b.lan.sentBy('a').at(-1);
  assert.equal(last?.bytes[PRIORITY_OFFSET], 0, 'the last advert has priority 0');
  assert.deepEqual(b.node.addresses.on('vrrp.51'), []);
  assert.deepEqual(b.vmacs.names(), [], 'the VMAC is deleted');
  const main = b.node.log.main();
  const created = main.indexOf('(VI_1): Success creating VMAC interface vrrp.51');
  const init = main.indexOf('(VI_1) Entering BACKUP STATE (init)');
  const removing = main.lastIndexOf('(VI_1) removing VIPs.');
  const removed = main.indexOf('(VI_1) Success removing VMAC interface vrrp.51');
  assert.ok(created >= 0 && created < init, `VMAC created before the instance starts:\n${main.join('\n')}`);
  assert.ok(removing >= 0 && removing < removed, 'VIPs removed before the VMAC');
});

test('-V/--dont-release-vrrp: stopAll(false) leaves the VMAC with its VIP and sends no priority 0 (keepalived 2.2.7)', async () => {
  const b = bed();
  const [binding] = bindings(instance('use_vmac'));
  assert.ok(binding);
  await b.set.start([binding]);
  b.clock.advanceMs(4_000);
  await settle();
  assert.equal(b.set.running[0]?.state.name, 'MASTER');
  const sent = b.lan.sentBy('a').length;
  await b.set.stopAll(false);
  assert.equal(b.lan.sentBy('a').length, sent, 'no priority-0 advert');
  assert.deepEqual(b.node.addresses.on('vrrp.51'), ['192.0.2.100/24']);
  assert.deepEqual(b.vmacs.names(), ['vrrp.51']);
  assert.deepEqual(b.vmacs.calls, ['ensure vrrp.51 created'], 'no remove');
});

test('vmac_xmit_base: adverts are sent and received on the base interface; VIPs still on the VMAC', async () => {
  const b = bed();
  await b.set.start(bindings(instance('use_vmac\n  vmac_xmit_base')));
  b.clock.advanceMs(4_000);
  await settle();
  assert.deepEqual(b.specs.map((s) => s.interfaceName), ['eth0']);
  assert.ok(b.sentFrom.length > 0 && b.sentFrom.every((i) => i === 'eth0'));
  assert.deepEqual(b.node.addresses.on('vrrp.51'), ['192.0.2.100/24']);
  await b.set.stopAll();
});

test('a VMAC a killed run left (same base, same MAC) is taken over and its stale VIP removed at start', async () => {
  const b = bed();
  b.vmacs.interfaces.set('vrrp.51', { kind: 'vmac', base: 'eth0', mac: '00:00:5e:00:01:33' });
  await b.node.addresses.add({ address: '192.0.2.100', prefixLength: 24, interfaceName: 'vrrp.51' });
  await b.set.start(bindings(instance('use_vmac')));
  await settle();
  assert.deepEqual(b.vmacs.calls, ['ensure vrrp.51 reused']);
  assert.ok(b.node.log.main().includes('(VI_1) Found matching interface vrrp.51'));
  assert.deepEqual(b.node.addresses.on('vrrp.51'), [], 'the stale VIP is gone while BACKUP');
  await b.set.stopAll();
  assert.deepEqual(b.vmacs.names(), []);
});

test('another interface named vrrp.VRID is left alone: the VMAC becomes vrrp1.VRID; a reload keeps the instance as it is', async () => {
  const b = bed();
  b.vmacs.interfaces.set('vrrp.51', { kind: 'other' });
  const conf = instance('use_vmac');
  await b.set.start(bindings(conf));
  b.clock.advanceMs(4_000);
  await settle();
  assert.deepEqual(b.vmacs.calls, ['ensure vrrp.51 taken', 'ensure vrrp1.51 created']);
  assert.deepEqual(b.node.addresses.on('vrrp1.51'), ['192.0.2.100/24']);
  const summary = await b.set.reload(bindings(conf));
  assert.deepEqual(summary, { kept: ['VI_1'], updated: [], started: [], stopped: [] });
  assert.deepEqual(b.vmacs.calls.length, 2, 'no VMAC work on a reload that changes nothing');
  await b.set.stopAll();
  assert.deepEqual(b.vmacs.names(), ['vrrp.51'], 'the other interface is still there');
});

test('a configured VMAC name taken by another interface: the instance does not start, the others do', async () => {
  const b = bed();
  b.vmacs.interfaces.set('vip51', { kind: 'other' });
  const two = `${instance('use_vmac vip51')}vrrp_instance VI_2 {\n  interface eth0\n  virtual_router_id 52\n  virtual_ipaddress {\n    192.0.2.102/24\n  }\n}\n`;
  await b.set.start(bindings(two));
  assert.deepEqual(b.set.running.map((d) => d.name), ['VI_2']);
  assert.ok(b.node.log.lines.some((l) => l.startsWith('ERROR (VI_1) interface vip51 exists and is not this instance')), b.node.log.lines.join('\n'));
});

test('a VMAC the kernel refuses: clear error, instance not started; without a VMAC port likewise', async () => {
  const b = bed();
  b.vmacs.failing.add('vrrp.51');
  await b.set.start(bindings(instance('use_vmac')));
  assert.deepEqual(b.set.running, []);
  assert.ok(b.node.log.lines.includes('ERROR (VI_1) cannot create VMAC interface vrrp.51: Operation not permitted - instance not started'));
  const clock = new ManualClock();
  const node = fakeNode('b', new FakeLan(clock), clock);
  const set = new DriverSet(node.ports);
  await set.start(bindings(instance('use_vmac')));
  assert.deepEqual(set.running, []);
  assert.ok(node.log.lines.includes('ERROR (VI_1) cannot start: use_vmac is not available here'));
});

test('the base link going down is a FAULT: VIPs leave the VMAC, which stays; back up, the instance becomes MASTER again', async () => {
  const b = bed();
  await b.set.start(bindings(instance('use_vmac')));
  b.clock.advanceMs(4_000);
  await settle();
  assert.equal(b.set.running[0]?.state.name, 'MASTER');
  b.node.links.set('eth0', 'down');
  await settle();
  assert.equal(b.set.running[0]?.state.name, 'FAULT');
  assert.deepEqual(b.node.addresses.on('vrrp.51'), []);
  assert.deepEqual(b.vmacs.names(), ['vrrp.51']);
  b.node.links.set('eth0', 'up');
  b.clock.advanceMs(4_000);
  await settle();
  assert.equal(b.set.running[0]?.state.name, 'MASTER');
  assert.deepEqual(b.node.addresses.on('vrrp.51'), ['192.0.2.100/24']);
  await b.set.stopAll();
});
