/**
 * keepalived.conf text -> loadConfig -> adaptInstance -> VrrpInstanceParams and the instance's
 * binding (interface, VIPs as the kernel gets them), then a driver running on it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/pipeline.js';
import { configHasVrrpInstances } from '../../../src/daemon/vrrp-subsystem.js';
import { adaptInstance, ConfigAdapterError } from '../../../src/vrrp/config-adapter.js';
import { InstanceDriver } from '../../../src/vrrp/driver.js';
import { fakeEnv } from '../../unit/config/fake-env.js';
import { FakeLan, fakeNode, ManualClock, settle } from './driver-fakes.js';

const CONF = '/etc/keepalived/keepalived.conf';

function load(text: string): ReturnType<typeof loadConfig>['model'] {
  return loadConfig(CONF, fakeEnv({ ifs: ['eth0', 'eth1'], files: { [CONF]: text } })).model;
}

const lookup = (ifname: string, family: 'ipv4' | 'ipv6'): string | undefined => (ifname === 'eth0' ? (family === 'ipv4' ? '192.0.2.1' : 'fe80::1') : undefined);

const V2_PASS = `
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 2
  nopreempt
  garp_master_delay 3
  authentication {
    auth_type PASS
    auth_pass secret99
  }
  virtual_ipaddress {
    192.0.2.100/24 dev eth0 label eth0:vip
    192.0.2.101
  }
  virtual_ipaddress_excluded {
    198.51.100.7/32 dev eth1
  }
}
`;

test('v2 PASS instance: every effective setting reaches the params and the binding', () => {
  const model = load(V2_PASS);
  const instance = model.vrrp?.instances[0];
  assert.ok(instance && model.global);
  const b = adaptInstance(instance, model.global, lookup);
  const p = b.params;
  assert.equal(p.name, 'VI_1');
  assert.equal(p.version, 2);
  assert.equal(p.family, 'ipv4');
  assert.equal(p.vrid, 51);
  assert.equal(p.priority, 150);
  assert.equal(p.initialState, 'BACKUP');
  assert.equal(p.advertIntervalCs, 200);
  assert.equal(p.preempt, false);
  assert.equal(p.primaryAddress, '192.0.2.1');
  assert.deepEqual(p.vips, ['192.0.2.100', '192.0.2.101']);
  assert.deepEqual(p.auth, { type: 'PASS', password: 'secret99' });
  assert.deepEqual(p.unicastPeers, []);
  assert.equal(p.garp.masterDelayMs, 3000);
  assert.equal(p.garp.masterRepeat, 5);
  assert.equal(p.downTimerAdverts, 3);
  assert.equal(b.interfaceName, 'eth0');
  assert.equal(b.trackInterface, true);
  assert.deepEqual(b.vips.map((v) => `${v.address}/${v.prefixLength} ${v.interfaceName}${v.label !== undefined ? ` ${v.label}` : ''}`), [
    '192.0.2.100/24 eth0 eth0:vip', '192.0.2.101/32 eth0', '198.51.100.7/32 eth1',
  ]);
});

const V3_IPV6_UNICAST = `
vrrp_instance VI_6 {
  interface eth0
  virtual_router_id 61
  version 3
  priority 100
  advert_int 0.5
  unicast_peer {
    fe80::2
  }
  virtual_ipaddress {
    fe80::100/64
    2001:db8::100/64
  }
}
`;

test('v3 IPv6 unicast instance: link-local source, centisecond interval, peers, IPv6 VIPs with nodad', () => {
  const model = load(V3_IPV6_UNICAST);
  const instance = model.vrrp?.instances[0];
  assert.ok(instance && model.global);
  const b = adaptInstance(instance, model.global, lookup);
  assert.equal(b.params.version, 3);
  assert.equal(b.params.family, 'ipv6');
  assert.equal(b.params.advertIntervalCs, 50);
  assert.equal(b.params.primaryAddress, 'fe80::1');
  assert.deepEqual(b.params.unicastPeers, [{ address: 'fe80::2' }]);
  assert.deepEqual(b.params.auth, { type: 'none' });
  assert.equal(b.vips[1]?.nodad, true);
});

test('nopreempt with state MASTER is cleared (keepalived 2.2.7): the model says preempt', () => {
  const model = load(V2_PASS.replace('state BACKUP', 'state MASTER'));
  const instance = model.vrrp?.instances[0];
  assert.ok(instance && model.global);
  const b = adaptInstance(instance, model.global, lookup);
  assert.equal(b.params.initialState, 'MASTER');
  assert.equal(b.params.preempt, true);
});

test('an interface without an address cannot run the instance: typed error', () => {
  const model = load(V2_PASS.replace('interface eth0', 'interface eth1'));
  const instance = model.vrrp?.instances[0];
  assert.ok(instance && model.global);
  assert.throws(() => adaptInstance(instance, model.global as NonNullable<typeof model.global>, lookup), ConfigAdapterError);
});

test('a driver runs the adapted instance: nopreempt instance waits Master_Down, then holds all VIPs', async () => {
  const model = load(V2_PASS);
  const instance = model.vrrp?.instances[0];
  assert.ok(instance && model.global);
  const clock = new ManualClock();
  const node = fakeNode('a', new FakeLan(clock), clock);
  const driver = new InstanceDriver(adaptInstance(instance, model.global, lookup), node.ports);
  driver.start();
  clock.advanceMs(6_000);
  assert.equal(driver.state.name, 'BACKUP', 'advert_int 2: Master_Down = 6 s + skew');
  clock.advanceMs(500);
  await settle();
  assert.equal(driver.state.name, 'MASTER');
  assert.deepEqual(node.addresses.on('eth0'), ['192.0.2.100/24', '192.0.2.101/32']);
  assert.deepEqual(node.addresses.on('eth1'), ['198.51.100.7/32']);
  await driver.stop();
  assert.deepEqual(node.addresses.on('eth0'), []);
  assert.deepEqual(node.addresses.on('eth1'), []);
});

test('the VRRP subsystem is registered only for configs with a vrrp_instance (also through include)', () => {
  const options = { subsystems: { vrrp: true }, configFile: CONF, allConfig: false, configId: 'lab' };
  const withInclude = fakeEnv({ files: { [CONF]: 'global_defs {\n}\ninclude /etc/keepalived/vi.conf\n', '/etc/keepalived/vi.conf': V2_PASS } });
  assert.equal(configHasVrrpInstances(options, withInclude), true);
  const globalOnly = fakeEnv({ files: { [CONF]: 'global_defs {\n  router_id x\n}\n' } });
  assert.equal(configHasVrrpInstances(options, globalOnly), false);
});

test('auth_type AH reaches the params (adverts then go out as IP protocol 51)', () => {
  const model = load(V2_PASS.replace('auth_type PASS', 'auth_type AH'));
  const instance = model.vrrp?.instances[0];
  assert.ok(instance && model.global);
  assert.deepEqual(adaptInstance(instance, model.global, lookup).params.auth, { type: 'AH', password: 'secret99' });
});

test('track_interface entries reach the binding with their weights', () => {
  const model = load(V2_PASS.replace('  nopreempt\n', '  nopreempt\n  track_interface {\n    eth1 weight -20\n  }\n'));
  const instance = model.vrrp?.instances[0];
  assert.ok(instance && model.global);
  assert.deepEqual(adaptInstance(instance, model.global, lookup).trackedInterfaces, [{ name: 'eth1', weight: -20, reverse: false }]);
});

test('no_accept: explicit or from vrrp_strict on a non-owner; accept by default; never for the owner (priority 255, as keepalived 2.2.7)', () => {
  const conf = (globals: string, extra: string, prio = 100, state = 'BACKUP'): string => `global_defs {\n${globals}\n}\nvrrp_instance VI_1 {\n  state ${state}\n  interface eth0\n  virtual_router_id 51\n  priority ${prio}\n  advert_int 1\n${extra}\n  virtual_ipaddress {\n    192.0.2.100/24\n  }\n}\n`;
  const noAccept = (text: string): boolean | undefined => {
    const model = load(text);
    const instance = model.vrrp?.instances[0];
    assert.ok(instance && model.global);
    return adaptInstance(instance, model.global, lookup).noAccept;
  };
  assert.equal(noAccept(conf('', '')), false);
  assert.equal(noAccept(conf('', '  no_accept')), true);
  assert.equal(noAccept(conf('  vrrp_strict', '')), true);
  assert.equal(noAccept(conf('  vrrp_strict', '  accept')), true, 'strict resets accept for v2 (keepalived: "does not comply with RFC3768")');
  assert.equal(noAccept(conf('', '  no_accept', 255, 'MASTER')), false);
  assert.equal(noAccept(conf('  vrrp_strict', '', 255, 'MASTER')), false);
});
