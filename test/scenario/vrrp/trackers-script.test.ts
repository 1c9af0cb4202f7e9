/**
 * vrrp_script tracking (keepalived-behaviour §1.5, §5.3): scripts run every interval through the
 * (fake) process runner; rise/fall; init_fail; weights with reverse and instance overrides; weight
 * 0 -> FAULT; a hanging script never delays an advert.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeLan, ManualClock } from './driver-fakes.js';
import { instanceConf, runFor, startNode, trackerNode } from './trackers-harness.js';

function script(name: string, body: string): string {
  return `vrrp_script ${name} {\n  script "/usr/bin/${name}"\n${body}\n}\n`;
}

const NGINX = script('chk_nginx', '  interval 1\n  weight -60\n  fall 2\n  rise 2\n  user nobody');

test('a failing weighted script lowers the master below the backup, which takes over; recovery gives it back', async () => {
  const clock = new ManualClock();
  const lan = new FakeLan(clock);
  const a = trackerNode('a', lan, clock, NGINX + instanceConf({ priority: 150, trackScript: 'chk_nginx' }), '192.0.2.1');
  const b = trackerNode('b', lan, clock, instanceConf({ priority: 100 }), '192.0.2.2');
  await startNode(a);
  await startNode(b);
  await runFor(clock, 4_000);
  assert.equal(a.driver().state.name, 'MASTER');
  assert.ok(a.log.main().includes('VRRP_Script(chk_nginx) succeeded'));
  const runs = a.runner.runsOf('/usr/bin/chk_nginx');
  assert.ok(runs.length >= 4 && runs.length <= 5, `ran ${runs.length} times in 4 s`);
  assert.deepEqual({ uid: runs[0]?.request.uid, timeoutMs: runs[0]?.request.timeoutMs, discardOutput: runs[0]?.request.discardOutput }, { uid: 65533, timeoutMs: 1000, discardOutput: true });

  a.runner.set('/usr/bin/chk_nginx', 1);
  await runFor(clock, 1_000);
  assert.equal(a.driver().state.effectivePriority, 150, 'one failure is not enough with fall 2');
  await runFor(clock, 1_000);
  assert.equal(a.driver().state.effectivePriority, 90);
  assert.ok(a.log.main().includes('VRRP_Script(chk_nginx) failed (exited with status 1)'));
  assert.ok(a.log.main().includes('(VI_1) Changing effective priority from 150 to 90'));
  await runFor(clock, 4_000);
  assert.equal(b.driver().state.name, 'MASTER');
  assert.equal(a.driver().state.name, 'BACKUP');
  assert.deepEqual(b.addresses.on('eth0'), ['192.0.2.100/24']);

  a.runner.set('/usr/bin/chk_nginx', 0);
  await runFor(clock, 6_000);
  assert.equal(a.driver().state.effectivePriority, 150);
  assert.equal(a.driver().state.name, 'MASTER', 'preempts back with its full priority');
  assert.equal(b.driver().state.name, 'BACKUP');
});

test('weight 0: FAULT after fall failures, BACKUP again after rise successes', async () => {
  const clock = new ManualClock();
  const conf = script('chk_db', '  interval 2\n  fall 3\n  rise 2') + instanceConf({ priority: 100, trackScript: 'chk_db' });
  const a = trackerNode('a', new FakeLan(clock), clock, conf, '192.0.2.1');
  await startNode(a);
  await runFor(clock, 5_000);
  assert.equal(a.driver().state.name, 'MASTER');
  a.runner.set('/usr/bin/chk_db', { kind: 'timed-out', signal: 'SIGTERM' });
  await runFor(clock, 4_000);
  assert.equal(a.driver().state.name, 'MASTER', 'two failures of three');
  await runFor(clock, 2_000);
  assert.equal(a.driver().state.name, 'FAULT');
  assert.ok(a.log.main().includes('VRRP_Script(chk_db) timed_out'));
  assert.ok(a.log.main().includes('VRRP_Script(chk_db) failed (timed out)'));
  assert.deepEqual(a.addresses.on('eth0'), []);
  a.runner.set('/usr/bin/chk_db', 0);
  await runFor(clock, 2_000);
  assert.equal(a.driver().state.name, 'FAULT', 'one success of two');
  await runFor(clock, 2_000);
  assert.equal(a.driver().state.name, 'BACKUP');
});

test('init_fail: starts failed (FAULT for weight 0) until rise successes', async () => {
  const clock = new ManualClock();
  const conf = script('chk_db', '  interval 1\n  rise 3\n  init_fail') + instanceConf({ priority: 100, trackScript: 'chk_db' });
  const a = trackerNode('a', new FakeLan(clock), clock, conf, '192.0.2.1');
  await startNode(a);
  await settle0(clock);
  assert.equal(a.driver().state.name, 'FAULT');
  await runFor(clock, 1_500);
  assert.equal(a.driver().state.name, 'FAULT');
  await runFor(clock, 1_000);
  assert.equal(a.driver().state.name, 'BACKUP');
  assert.ok(a.log.main().includes('VRRP_Script(chk_db) succeeded'));
});

async function settle0(clock: ManualClock): Promise<void> {
  await runFor(clock, 0);
}

test('positive weight is added while good; reverse subtracts while good; instance weight overrides the script', async () => {
  const clock = new ManualClock();
  const scripts = script('chk_nginx', '  interval 1\n  weight 20') + script('chk_db', '  interval 1\n  weight 5');
  const conf = scripts + instanceConf({ priority: 100, trackScript: 'chk_nginx\n    chk_db weight -30 reverse' });
  const a = trackerNode('a', new FakeLan(clock), clock, conf, '192.0.2.1');
  await startNode(a);
  await runFor(clock, 500);
  assert.equal(a.driver().state.effectivePriority, 90, '100 + 20 (nginx good) - 30 (db good, reversed)');
  a.runner.set('/usr/bin/chk_nginx', 2);
  a.runner.set('/usr/bin/chk_db', 2);
  await runFor(clock, 1_000);
  assert.equal(a.driver().state.effectivePriority, 100, 'nginx failed adds nothing, db failed (reversed) costs nothing');
});

test('effective priority is clamped to 1..254, and an owner (255) never changes', async () => {
  const clock = new ManualClock();
  const scripts = script('chk_nginx', '  interval 1\n  weight 200') + script('chk_db', '  interval 1\n  weight -253');
  const high = trackerNode('a', new FakeLan(clock), clock, scripts + instanceConf({ priority: 200, trackScript: 'chk_nginx' }), '192.0.2.1');
  const low = trackerNode('b', new FakeLan(clock), clock, scripts + instanceConf({ priority: 20, trackScript: 'chk_db' }), '192.0.2.2');
  const owner = trackerNode('c', new FakeLan(clock), clock, scripts + instanceConf({ priority: 255, trackScript: 'chk_db weight -100' }), '192.0.2.3');
  low.runner.set('/usr/bin/chk_db', 1);
  owner.runner.set('/usr/bin/chk_db', 1);
  for (const n of [high, low, owner]) await startNode(n);
  await runFor(clock, 1_500);
  assert.equal(high.driver().state.effectivePriority, 254);
  assert.equal(low.driver().state.effectivePriority, 1);
  assert.equal(owner.driver().state.effectivePriority, 255);
});

test('a script that never exits delays no advert (advert_int 0.01): no spurious transition', async () => {
  const clock = new ManualClock();
  const lan = new FakeLan(clock);
  const conf = script('chk_hang', '  interval 0.05\n  timeout 10\n  weight -10') + instanceConf({ priority: 150, trackScript: 'chk_hang', advertInt: '0.01', extra: '  version 3' });
  const a = trackerNode('a', lan, clock, conf, '192.0.2.1');
  const b = trackerNode('b', lan, clock, instanceConf({ priority: 100, advertInt: '0.01', extra: '  version 3' }), '192.0.2.2');
  await startNode(a);
  await startNode(b);
  await runFor(clock, 500, 10);
  assert.equal(a.driver().state.name, 'MASTER');
  a.runner.set('/usr/bin/chk_hang', 'hang');
  const before = lan.sentBy('a').length;
  const fromUs = clock.nowUs();
  await runFor(clock, 3_000, 10);
  const adverts = lan.sentBy('a').filter((p) => p.atUs > fromUs);
  assert.ok(lan.sentBy('a').length - before >= 295, `adverts sent: ${adverts.length}`);
  for (let i = 1; i < adverts.length; i++) assert.ok((adverts[i]?.atUs ?? 0) - (adverts[i - 1]?.atUs ?? 0) <= 10_000, 'no advert late');
  assert.equal(a.driver().state.name, 'MASTER');
  assert.equal(b.driver().state.name, 'BACKUP');
  assert.equal(a.driver().state.effectivePriority, 150, 'a hanging run is no result yet');
  assert.equal(a.runner.runsOf('/usr/bin/chk_hang').filter((r) => r.atUs > fromUs).length, 1, 'no second run while one hangs');
  assert.ok(!a.log.main().some((l) => l.includes('Entering') && l.includes('FAULT')));
});
