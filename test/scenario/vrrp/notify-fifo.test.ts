/**
 * Notify FIFO lines (keepalived-behaviour §4.5) in transition order under a burst, and the
 * notify scripts: notify_master as written, `notify` with INSTANCE NAME STATE PRIORITY appended.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupFifoLine, instanceFifoLine } from '../../../src/vrrp/notifier.js';
import { FakeLan, ManualClock } from './driver-fakes.js';
import { instanceConf, runFor, startNode, trackerNode } from './trackers-harness.js';

test('FIFO line format: INSTANCE "VI_1" MASTER 100, events, GROUP lines with priority 0', () => {
  assert.equal(instanceFifoLine({ kind: 'transition', instance: 'VI_1', from: 'BACKUP', to: 'MASTER', priority: 100, atUs: 0 }), 'INSTANCE "VI_1" MASTER 100');
  assert.equal(instanceFifoLine({ kind: 'transition', instance: 'VI_1', from: 'MASTER', to: 'STOP', priority: 100, atUs: 0 }), 'INSTANCE "VI_1" STOP 100');
  assert.equal(instanceFifoLine({ kind: 'transition', instance: 'VI_1', from: 'INIT', to: 'INIT', priority: 100, atUs: 0 }), undefined);
  assert.equal(instanceFifoLine({ kind: 'notify-event', instance: 'VI_1', event: 'MASTER_RX_LOWER_PRI', priority: 120, atUs: 0 }), 'INSTANCE "VI_1" MASTER_RX_LOWER_PRI 120');
  assert.equal(groupFifoLine({ kind: 'group-transition', group: 'G1', from: 'MASTER', to: 'BACKUP' }), 'GROUP "G1" BACKUP 0');
});

test('a burst of transitions reaches the FIFO in order, with the notify scripts', async () => {
  const clock = new ManualClock();
  const conf = `vrrp_script chk_db {\n  script "/usr/bin/chk_db"\n  interval 1\n}\n` + instanceConf({
    priority: 150, advertInt: '0.01', trackScript: 'chk_db',
    extra: '  version 3\n  notify_master /usr/bin/to_master\n  notify /usr/bin/notify_all',
  });
  const a = trackerNode('a', new FakeLan(clock), clock, conf, '192.0.2.1');
  await startNode(a);
  await runFor(clock, 100, 10);
  assert.equal(a.driver().state.name, 'MASTER');
  a.runner.set('/usr/bin/chk_db', 1);
  await runFor(clock, 1_000, 10);
  assert.equal(a.driver().state.name, 'FAULT');
  a.runner.set('/usr/bin/chk_db', 0);
  await runFor(clock, 1_000, 10);
  assert.deepEqual(a.fifo, [
    'INSTANCE "VI_1" BACKUP 150',
    'INSTANCE "VI_1" MASTER 150',
    'INSTANCE "VI_1" FAULT 150',
    'INSTANCE "VI_1" BACKUP 150',
    'INSTANCE "VI_1" MASTER 150',
  ]);
  const generic = a.notified.filter((c) => c.argv[0] === '/usr/bin/notify_all').map((c) => c.argv.slice(1).join(' '));
  assert.deepEqual(generic, ['INSTANCE VI_1 BACKUP 150', 'INSTANCE VI_1 MASTER 150', 'INSTANCE VI_1 FAULT 150', 'INSTANCE VI_1 BACKUP 150', 'INSTANCE VI_1 MASTER 150']);
  assert.deepEqual(a.notified.filter((c) => c.argv[0] === '/usr/bin/to_master').map((c) => c.argv), [['/usr/bin/to_master'], ['/usr/bin/to_master']]);
  await a.driver().stop();
  assert.equal(a.fifo.at(-1), 'INSTANCE "VI_1" STOP 150');
});
