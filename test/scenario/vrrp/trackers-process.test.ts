/**
 * vrrp_track_process (keepalived-behaviour §1.5): quorum..quorum_max matching processes, by comm
 * or full command with param_match; weight 0 -> FAULT on lost quorum; weights; delays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TrackProcess } from '../../../src/config/model/vrrp.js';
import { countMatches } from '../../../src/vrrp/tracker-process.js';
import { FakeLan, ManualClock } from './driver-fakes.js';
import { FakeProcessTable, FakeTrackFiles } from './trackers-fakes.js';
import { instanceConf, runFor, startNode, trackerNode } from './trackers-harness.js';

const BASE: TrackProcess = {
  name: 'p', process: 'nginx', paramMatch: 'exact', weight: 0, weightReverse: false, quorum: 1, quorumMax: 65535,
  fullCommand: false, delayUs: 0, terminateDelayUs: 0, forkDelayUs: 0,
};

test('matching: comm name, full command, exact / initial / partial parameters', () => {
  const table = [
    { comm: 'nginx', argv: ['/usr/sbin/nginx', '-g', 'daemon off;'] },
    { comm: 'nginx', argv: ['nginx: worker process'] },
    { comm: 'bash', argv: ['/bin/bash'] },
  ];
  assert.equal(countMatches(BASE, table), 2);
  assert.equal(countMatches({ ...BASE, process: '/usr/sbin/nginx', fullCommand: true }, table), 1);
  assert.equal(countMatches({ ...BASE, params: ['-g', 'daemon off;'] }, table), 1);
  assert.equal(countMatches({ ...BASE, params: ['-g'] }, table), 0);
  assert.equal(countMatches({ ...BASE, params: ['-g'], paramMatch: 'initial' }, table), 1);
  assert.equal(countMatches({ ...BASE, params: ['off;'], paramMatch: 'partial' }, table), 1);
});

function conf(body: string, ref: string): string {
  return `vrrp_track_process nginx {\n  process nginx\n${body}\n}\n` + instanceConf({ priority: 150, extra: `  track_process {\n    ${ref}\n  }` });
}

test('weight 0: quorum lost -> FAULT, regained -> BACKUP; the first scan happens before start', async () => {
  const clock = new ManualClock();
  const procs = new FakeProcessTable();
  const a = trackerNode('a', new FakeLan(clock), clock, conf('  quorum 2', 'nginx'), '192.0.2.1', new FakeTrackFiles(), procs);
  await startNode(a);
  await runFor(clock, 100);
  assert.equal(a.driver().state.name, 'FAULT', 'no nginx at all');
  procs.spawn(['nginx']);
  procs.spawn(['nginx']);
  await runFor(clock, 1_000);
  assert.equal(a.driver().state.name, 'BACKUP');
  assert.ok(a.log.main().includes('Quorum gained for tracked process nginx'));
  procs.kill('nginx');
  await runFor(clock, 1_000);
  assert.equal(a.driver().state.name, 'FAULT');
  assert.ok(a.log.main().includes('Quorum lost for tracked process nginx'));
});

test('weighted, with a terminate delay: a short loss is not reported', async () => {
  const clock = new ManualClock();
  const procs = new FakeProcessTable();
  procs.spawn(['nginx']);
  const a = trackerNode('a', new FakeLan(clock), clock, conf('  weight -20\n  terminate_delay 3', 'nginx'), '192.0.2.1', new FakeTrackFiles(), procs);
  await startNode(a);
  await runFor(clock, 4_000);
  assert.equal(a.driver().state.effectivePriority, 150);
  procs.kill('nginx');
  await runFor(clock, 2_000);
  assert.equal(a.driver().state.effectivePriority, 150, 'a 2 s loss is within terminate_delay');
  procs.spawn(['nginx']);
  await runFor(clock, 2_000);
  assert.equal(a.driver().state.effectivePriority, 150, 'back within 3 s');
  procs.kill('nginx');
  await runFor(clock, 5_000);
  assert.equal(a.driver().state.effectivePriority, 130);
  assert.equal(a.driver().state.name, 'MASTER');
});
