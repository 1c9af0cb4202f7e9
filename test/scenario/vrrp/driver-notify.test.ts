/**
 * notify scripts from the driver's choke point: notify_backup / notify_master / notify_stop as
 * written, the generic notify with "INSTANCE NAME STATE PRIORITY", notify_master_rx_lower_pri.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NotifyScripts } from '../../../src/config/model/vrrp.js';
import { encodeAdvert } from '../../../src/vrrp/advert.js';
import type { InstanceBinding } from '../../../src/vrrp/config-adapter.js';
import { notifyCommands, type NotifyCommand } from '../../../src/vrrp/driver-notify.js';
import { DriverSet } from '../../../src/vrrp/driver-set.js';
import { defaultParams } from '../../../src/vrrp/params.js';
import { FakeLan, fakeNode, ManualClock, settle } from './driver-fakes.js';

const root = { uid: 0, gid: 0 };
const NOTIFY: NotifyScripts = {
  master: { command: { argv: ['/etc/keepalived/master.sh'] }, user: root },
  stop: { command: { argv: ['/etc/keepalived/stop.sh', 'now'] }, user: { uid: 65534, gid: 65534 } },
  generic: { command: { argv: ['/etc/keepalived/notify.sh'] }, user: root },
  masterRxLowerPri: { command: { argv: ['/etc/keepalived/lower.sh'] }, user: root },
};

function binding(): InstanceBinding {
  const params = defaultParams({ name: 'VI_1', vrid: 51, vips: ['192.0.2.100'], primaryAddress: '192.0.2.1', priority: 150 });
  return { params, interfaceName: 'eth0', vips: [{ address: '192.0.2.100', prefixLength: 24, interfaceName: 'eth0' }], unicastTtl: 255, trackInterface: true, unsupported: [], notify: NOTIFY };
}

test('notify scripts run for BACKUP (init), MASTER, a lower-priority advert and STOP, with keepalived\'s arguments and users', async () => {
  const clock = new ManualClock();
  const lan = new FakeLan(clock);
  const node = fakeNode('a', lan, clock);
  const ran: NotifyCommand[] = [];
  const set = new DriverSet(node.ports, (driver) => driver.onTransition((e) => ran.push(...notifyCommands(driver.binding.notify, e))));
  set.start([binding()]);
  clock.advanceMs(3_500);
  await settle();
  const lower = defaultParams({ name: 'X', vrid: 51, vips: ['192.0.2.100'], primaryAddress: '192.0.2.9', priority: 50 });
  lan.inject(encodeAdvert(lower, 50, { destination: '224.0.0.18', identification: 1 }), 'ipv4', '192.0.2.9', '224.0.0.18', 255);
  await set.stopAll();
  assert.deepEqual(ran.map((c) => c.argv.join(' ')), [
    '/etc/keepalived/notify.sh INSTANCE VI_1 BACKUP 150',
    '/etc/keepalived/master.sh',
    '/etc/keepalived/notify.sh INSTANCE VI_1 MASTER 150',
    '/etc/keepalived/lower.sh',
    '/etc/keepalived/stop.sh now',
    '/etc/keepalived/notify.sh INSTANCE VI_1 STOP 150',
  ]);
  assert.deepEqual(ran[4], { argv: ['/etc/keepalived/stop.sh', 'now'], uid: 65534, gid: 65534 });
});

test('no notify configured: nothing runs', () => {
  assert.deepEqual(notifyCommands(undefined, { kind: 'transition', instance: 'VI_1', from: 'BACKUP', to: 'MASTER', priority: 100, atUs: 0 }), []);
  assert.deepEqual(notifyCommands({}, { kind: 'transition', instance: 'VI_1', from: 'BACKUP', to: 'MASTER', priority: 100, atUs: 0 }), []);
});
