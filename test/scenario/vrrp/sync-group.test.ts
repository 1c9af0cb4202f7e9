/**
 * vrrp_sync_group (keepalived-behaviour §1.5, §5.8): one member in FAULT takes the group to FAULT
 * (and the peer node's members take over together); one member becoming MASTER takes the others;
 * group notify scripts and GROUP FIFO lines; weighted member trackers count as weight 0 unless
 * sync_group_tracking_weight.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeLan, ManualClock } from './driver-fakes.js';
import { runFor, startNode, trackerNode } from './trackers-harness.js';

function instance(name: string, vrid: number, priority: number, extra = ''): string {
  return `vrrp_instance ${name} {\n  state BACKUP\n  interface eth0\n  virtual_router_id ${vrid}\n  priority ${priority}\n  advert_int 1\n  virtual_ipaddress {\n    192.0.2.${vrid}/24\n  }\n${extra}\n}\n`;
}

const CHK = 'vrrp_script chk_db {\n  script "/usr/bin/chk_db"\n  interval 1\n  weight -60\n}\n';

function group(extra = ''): string {
  return `vrrp_sync_group G1 {\n  group {\n    VI_1\n    VI_2\n  }\n  notify /usr/bin/notify_all\n${extra}\n}\n`;
}

function nodeConf(p1: number, p2: number, groupExtra = ''): string {
  return CHK + group(groupExtra) + instance('VI_1', 51, p1, '  track_script {\n    chk_db\n  }') + instance('VI_2', 52, p2);
}

test('a member in FAULT takes the whole group to FAULT; the peer takes both over; recovery gives both back', async () => {
  const clock = new ManualClock();
  const lan = new FakeLan(clock);
  const a = trackerNode('a', lan, clock, nodeConf(150, 150), '192.0.2.1');
  const b = trackerNode('b', lan, clock, nodeConf(100, 100), '192.0.2.2');
  await startNode(a);
  await startNode(b);
  await runFor(clock, 5_000);
  assert.deepEqual(a.drivers.map((d) => d.state.name), ['MASTER', 'MASTER']);
  assert.deepEqual(b.drivers.map((d) => d.state.name), ['BACKUP', 'BACKUP']);
  assert.ok(a.fifo.includes('GROUP "G1" MASTER 0'));

  a.runner.set('/usr/bin/chk_db', 1);
  await runFor(clock, 1_000);
  assert.deepEqual(a.drivers.map((d) => d.state.name), ['FAULT', 'FAULT'], 'weight -60 counts as 0 in a sync group: FAULT, and VI_2 follows');
  assert.deepEqual(a.driver('VI_2').state.faults, ['sync_group:G1']);
  assert.deepEqual(a.fifo.slice(-3), ['INSTANCE "VI_1" FAULT 150', 'INSTANCE "VI_2" FAULT 150', 'GROUP "G1" FAULT 0']);
  assert.deepEqual(a.notified.at(-1)?.argv, ['/usr/bin/notify_all', 'GROUP', 'G1', 'FAULT', '0']);
  await runFor(clock, 4_000);
  assert.deepEqual(b.drivers.map((d) => d.state.name), ['MASTER', 'MASTER']);
  assert.deepEqual(a.addresses.on('eth0'), []);

  a.runner.set('/usr/bin/chk_db', 0);
  await runFor(clock, 1_000);
  assert.deepEqual(a.drivers.map((d) => d.state.name), ['BACKUP', 'BACKUP']);
  await runFor(clock, 5_000);
  assert.deepEqual(a.drivers.map((d) => d.state.name), ['MASTER', 'MASTER']);
  assert.deepEqual(b.drivers.map((d) => d.state.name), ['BACKUP', 'BACKUP']);
});

test('one member becoming MASTER takes the BACKUP members with it at once', async () => {
  const clock = new ManualClock();
  const a = trackerNode('a', new FakeLan(clock), clock, nodeConf(150, 100), '192.0.2.1');
  await startNode(a);
  // VI_1's Master_Down (3 s + skew (256-150)/256 s) ends before VI_2's (3 s + 156/256 s)
  await runFor(clock, 3_500, 10);
  assert.deepEqual(a.drivers.map((d) => d.state.name), ['MASTER', 'MASTER']);
  assert.ok(a.log.main().includes('(VI_2) VRRP_Group(G1) Syncing instances to MASTER state'));
  assert.ok(!a.log.main().includes('(VI_2) Receive advertisement timeout'));
  assert.deepEqual(a.addresses.on('eth0'), ['192.0.2.51/24', '192.0.2.52/24']);
});

test('sync_group_tracking_weight keeps member weights: a failed script lowers the priority, no FAULT', async () => {
  const clock = new ManualClock();
  const a = trackerNode('a', new FakeLan(clock), clock, nodeConf(150, 150, '  sync_group_tracking_weight'), '192.0.2.1');
  a.runner.set('/usr/bin/chk_db', 1);
  await startNode(a);
  await runFor(clock, 5_000);
  assert.deepEqual(a.drivers.map((d) => d.state.name), ['MASTER', 'MASTER']);
  assert.equal(a.driver('VI_1').state.effectivePriority, 90);
});

/** Two members without trackers of their own; the group tracks `trackers` (keepalived 2.2.7 measured in a lab). */
function groupTrackConf(priority: number, trackers: string): string {
  const defs = 'track_file db_file {\n  file /run/db_weight\n  weight -3\n}\n';
  return CHK + defs + group(trackers) + instance('VI_1', 51, priority) + instance('VI_2', 52, priority);
}

test('group track_script applies to every member with its weight, without sync_group_tracking_weight (as 2.2.7): the peer takes both over', async () => {
  const clock = new ManualClock();
  const lan = new FakeLan(clock);
  const a = trackerNode('a', lan, clock, groupTrackConf(150, '  track_script {\n    chk_db weight -60\n  }'), '192.0.2.1');
  const b = trackerNode('b', lan, clock, groupTrackConf(100, ''), '192.0.2.2');
  await startNode(a);
  await startNode(b);
  await runFor(clock, 5_000);
  assert.deepEqual(a.drivers.map((d) => `${d.state.name} ${d.state.effectivePriority}`), ['MASTER 150', 'MASTER 150']);
  a.runner.set('/usr/bin/chk_db', 1);
  await runFor(clock, 1_000);
  assert.deepEqual(a.drivers.map((d) => d.state.effectivePriority), [90, 90], 'weight -60 on both members, no FAULT');
  assert.ok(a.log.main().includes('(VI_2) Changing effective priority from 150 to 90'));
  await runFor(clock, 4_000);
  assert.deepEqual(b.drivers.map((d) => d.state.name), ['MASTER', 'MASTER']);
  assert.deepEqual(a.drivers.map((d) => d.state.name), ['BACKUP', 'BACKUP']);
});

test('group track_file (value x weight) and weighted track_interface move both members; an unweighted group track_interface down is FAULT for both', async () => {
  const clock = new ManualClock();
  const lan = new FakeLan(clock);
  const trackers = '  track_interface {\n    eth1 weight -5\n  }\n  track_file {\n    db_file\n  }';
  const a = trackerNode('a', lan, clock, groupTrackConf(100, trackers), '192.0.2.1');
  a.files.put('/run/db_weight', '2\n');
  a.links.set('eth1', 'down');
  await startNode(a);
  await runFor(clock, 5_000);
  assert.deepEqual(a.drivers.map((d) => `${d.state.name} ${d.state.effectivePriority}`), ['MASTER 89', 'MASTER 89'], '100 - 5 - 3 x 2 (2.2.7: 89)');
  a.links.set('eth1', 'up');
  a.files.put('/run/db_weight', '0\n');
  await runFor(clock, 500);
  assert.deepEqual(a.drivers.map((d) => d.state.effectivePriority), [100, 100]);

  const c = trackerNode('c', new FakeLan(clock), clock, groupTrackConf(100, '  track_interface {\n    eth1\n  }'), '192.0.2.3');
  c.links.set('eth1', 'up');
  await startNode(c);
  await runFor(clock, 5_000);
  assert.deepEqual(c.drivers.map((d) => d.state.name), ['MASTER', 'MASTER']);
  c.links.set('eth1', 'down');
  await runFor(clock, 100);
  assert.deepEqual(c.drivers.map((d) => d.state.name), ['FAULT', 'FAULT']);
  c.links.set('eth1', 'up');
  await runFor(clock, 100);
  assert.deepEqual(c.drivers.map((d) => d.state.name), ['BACKUP', 'BACKUP']);
});

test('FIFO order as keepalived 2.2.7: GROUP BACKUP before the members at start, after them on a transition and at stop', async () => {
  const clock = new ManualClock();
  const a = trackerNode('a', new FakeLan(clock), clock, CHK + group() + instance('VI_1', 51, 150) + instance('VI_2', 52, 100), '192.0.2.1');
  await startNode(a);
  assert.deepEqual(a.fifo, ['GROUP "G1" BACKUP 0', 'INSTANCE "VI_1" BACKUP 150', 'INSTANCE "VI_2" BACKUP 100']);
  assert.deepEqual(a.notified.filter((c) => c.argv[1] === 'GROUP').map((c) => c.argv.slice(1).join(' ')), ['GROUP G1 BACKUP 0']);
  await runFor(clock, 5_000);
  assert.deepEqual(a.fifo.slice(3), ['INSTANCE "VI_1" MASTER 150', 'INSTANCE "VI_2" MASTER 100', 'GROUP "G1" MASTER 0']);
  for (const d of a.drivers) await d.stop();
  assert.deepEqual(a.fifo.slice(6), ['INSTANCE "VI_1" STOP 150', 'INSTANCE "VI_2" STOP 100', 'GROUP "G1" STOP 0']);
});
