/**
 * track_file (keepalived-behaviour §1.5): value x weight moves the priority at once when the file
 * changes; reverse negates; weight 0 -> FAULT on a non-zero value; below -253 -> FAULT;
 * init_file writes the initial value (a missing file only, unless overwrite).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileContribution, parseTrackFileValue } from '../../../src/vrrp/tracker-file.js';
import { FakeLan, ManualClock, settle } from './driver-fakes.js';
import { FakeTrackFiles } from './trackers-fakes.js';
import { instanceConf, runFor, startNode, trackerNode } from './trackers-harness.js';

function trackFile(name: string, body: string): string {
  return `vrrp_track_file ${name} {\n  file "/run/${name}"\n${body}\n}\n`;
}

test('file values read as keepalived reads them (leading integer, else 0)', () => {
  assert.deepEqual(['12\n', ' -7 x', 'abc', '', undefined, '+3'].map(parseTrackFileValue), [12, -7, 0, 0, 0, 3]);
  assert.deepEqual(fileContribution({ name: 'f', weight: -2, reverse: false }, 200), { fault: true, delta: 0 });
  assert.deepEqual(fileContribution({ name: 'f', weight: -2, reverse: false }, 100), { fault: false, delta: -200 });
});

test('value x weight: the master drops below the backup when the file changes, and takes back over', async () => {
  const clock = new ManualClock();
  const lan = new FakeLan(clock);
  const files = new FakeTrackFiles();
  files.put('/run/prio', '0\n');
  const a = trackerNode('a', lan, clock, trackFile('prio', '  weight -10') + instanceConf({ priority: 150, extra: '  track_file {\n    prio\n  }' }), '192.0.2.1', files);
  const b = trackerNode('b', lan, clock, instanceConf({ priority: 100 }), '192.0.2.2');
  await startNode(a);
  await startNode(b);
  await runFor(clock, 4_000);
  assert.equal(a.driver().state.name, 'MASTER');
  files.put('/run/prio', '6\n');
  await settle();
  assert.equal(a.driver().state.effectivePriority, 90);
  assert.ok(a.log.main().includes('(VI_1) Changing effective priority from 150 to 90'));
  await runFor(clock, 4_000);
  assert.equal(b.driver().state.name, 'MASTER');
  files.put('/run/prio', '-1\n');
  await settle();
  assert.equal(a.driver().state.effectivePriority, 160);
  await runFor(clock, 4_000);
  assert.equal(a.driver().state.name, 'MASTER');
});

test('the file is read before the instance starts; reverse and an instance weight override apply', async () => {
  const clock = new ManualClock();
  const files = new FakeTrackFiles();
  files.put('/run/prio', '3');
  const conf = trackFile('prio', '  weight 1') + instanceConf({ priority: 100, extra: '  track_file {\n    prio weight 5 reverse\n  }' });
  const a = trackerNode('a', new FakeLan(clock), clock, conf, '192.0.2.1', files);
  await startNode(a);
  assert.equal(a.driver().state.effectivePriority, 85, '100 - 3 x 5 before any clock tick');
});

test('weight 0: a non-zero value is a FAULT, zero clears it; a contribution below -253 is a FAULT', async () => {
  const clock = new ManualClock();
  const files = new FakeTrackFiles();
  const conf = trackFile('ok', '  weight 0\n  init_file 0') + trackFile('big', '  weight -100') + instanceConf({ priority: 100, extra: '  track_file {\n    ok\n    big\n  }' });
  const a = trackerNode('a', new FakeLan(clock), clock, conf, '192.0.2.1', files);
  await startNode(a);
  assert.equal(files.files.get('/run/ok'), '0\n', 'init_file wrote the missing file');
  await runFor(clock, 4_000);
  assert.equal(a.driver().state.name, 'MASTER');
  files.put('/run/ok', '1');
  await settle();
  assert.equal(a.driver().state.name, 'FAULT');
  files.put('/run/ok', '0');
  await settle();
  assert.equal(a.driver().state.name, 'BACKUP');
  files.put('/run/big', '3');
  await settle();
  assert.equal(a.driver().state.name, 'FAULT', '3 x -100 < -253');
  files.put('/run/big', '2');
  await settle();
  assert.equal(a.driver().state.name, 'BACKUP');
  assert.equal(a.driver().state.effectivePriority, 1);
});

test('init_file keeps an existing file unless overwrite', async () => {
  const clock = new ManualClock();
  const files = new FakeTrackFiles();
  files.put('/run/keep', '7');
  files.put('/run/over', '7');
  const conf = trackFile('keep', '  init_file 2') + trackFile('over', '  init_file 2 overwrite') + instanceConf({ priority: 100, extra: '  track_file {\n    keep\n    over\n  }' });
  const a = trackerNode('a', new FakeLan(clock), clock, conf, '192.0.2.1', files);
  await startNode(a);
  assert.equal(files.files.get('/run/keep'), '7');
  assert.equal(files.files.get('/run/over'), '2\n');
  assert.equal(a.driver().state.effectivePriority, 109);
});
