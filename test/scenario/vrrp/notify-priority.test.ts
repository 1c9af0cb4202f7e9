/**
 * notify_priority_changes (keepalived 2.2.7, measured in a lab namespace with a notify FIFO):
 * every effective priority change writes `INSTANCE "NAME" MASTER_PRIORITY P` as MASTER and
 * `INSTANCE "NAME" BACKUP_PRIORITY P` in any other state (FAULT included), P the new priority;
 * no notify script runs for it. The instance keyword, else its sync group's, else global_defs'
 * vrrp_notify_priority_changes turns it on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeLan, ManualClock } from './driver-fakes.js';
import { runFor, startNode, trackerNode } from './trackers-harness.js';

const CHK = 'vrrp_script chk_db {\n  script "/usr/bin/chk_db"\n  interval 1\n  weight -10\n}\n';

function instance(name: string, vrid: number, priority: number, extra = ''): string {
  return `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id ${vrid}\n  priority ${priority}\n  advert_int 1\n  notify /usr/bin/notify_all\n  virtual_ipaddress {\n    192.0.2.${vrid}/24\n  }\n  track_script {\n    chk_db\n  }\n${extra}\n}\n`;
}

function priorityLines(fifo: readonly string[]): string[] {
  return fifo.filter((l) => l.includes('_PRIORITY'));
}

test('MASTER_PRIORITY lines as MASTER, only for the instance that asks; no notify script for them', async () => {
  const clock = new ManualClock();
  const a = trackerNode('a', new FakeLan(clock), clock, CHK + instance('VI_1', 51, 100, '  notify_priority_changes') + instance('VI_2', 52, 100), '192.0.2.1');
  await startNode(a);
  await runFor(clock, 5_000);
  assert.deepEqual(a.drivers.map((d) => d.state.name), ['MASTER', 'MASTER']);
  const scripts = a.notified.length;
  a.runner.set('/usr/bin/chk_db', 1);
  await runFor(clock, 1_000);
  a.runner.set('/usr/bin/chk_db', 0);
  await runFor(clock, 1_000);
  assert.deepEqual(priorityLines(a.fifo), ['INSTANCE "VI_1" MASTER_PRIORITY 90', 'INSTANCE "VI_1" MASTER_PRIORITY 100']);
  assert.equal(a.notified.length, scripts, 'no notify script runs for a priority change');
  assert.ok(a.log.main().includes('(VI_2) Changing effective priority from 100 to 90'), 'VI_2 changed too, silently');
});

test('BACKUP_PRIORITY as BACKUP and in FAULT; the sync group and global_defs settings turn it on', async () => {
  const clock = new ManualClock();
  const lan = new FakeLan(clock);
  const peer = trackerNode('p', lan, clock, instance('VI_1', 51, 200).replace(/ {2}track_script \{\n {4}chk_db\n {2}\}\n/, '') + instance('VI_2', 52, 200).replace(/ {2}track_script \{\n {4}chk_db\n {2}\}\n/, ''), '192.0.2.9');
  const group = 'vrrp_sync_group G1 {\n  group {\n    VI_2\n    VI_3\n  }\n  notify_priority_changes\n  sync_group_tracking_weight\n}\n';
  const global = 'global_defs {\n  vrrp_notify_priority_changes\n}\n';
  const conf = global + CHK + group + instance('VI_1', 51, 100, '  notify_priority_changes') + instance('VI_2', 52, 100)
    + instance('VI_3', 53, 100, '  track_interface {\n    eth1\n  }') + instance('VI_4', 54, 100, '  track_interface {\n    eth1\n  }')
    + instance('VI_5', 55, 100, '  notify_priority_changes off');
  const a = trackerNode('a', lan, clock, conf, '192.0.2.1');
  a.links.set('eth1', 'down');
  await startNode(peer);
  await runFor(clock, 4_000);
  await startNode(a);
  await runFor(clock, 5_000);
  assert.deepEqual(a.drivers.map((d) => d.state.name), ['BACKUP', 'FAULT', 'FAULT', 'FAULT', 'MASTER'], 'VI_2 follows VI_3 into FAULT (sync group)');
  a.runner.set('/usr/bin/chk_db', 1);
  await runFor(clock, 1_000);
  assert.deepEqual(priorityLines(a.fifo), [
    'INSTANCE "VI_1" BACKUP_PRIORITY 90', 'INSTANCE "VI_2" BACKUP_PRIORITY 90', 'INSTANCE "VI_3" BACKUP_PRIORITY 90',
    'INSTANCE "VI_4" BACKUP_PRIORITY 90',
  ], 'VI_1 its own, VI_2 and VI_3 from the group, VI_4 from global_defs; VI_5 turned it off');
  assert.ok(a.log.main().includes('(VI_5) Changing effective priority from 100 to 90'));
});
