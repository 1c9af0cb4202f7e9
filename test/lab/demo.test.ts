/**
 * The demo's scenario (`npm run demo`, scripts/demo/scenario.ts) as a lab test: the same module,
 * with a recording reporter instead of the console. After each step the client must be served by
 * the expected node and `ip addr` must show the VIP on that node only:
 *   1 start both -> node1; 2 SIGTERM node1's keepalived-ts -> node2; 3 restart it -> node1
 *   (preemption); 4 kill node1's web server -> node2 (vrrp_script chk_web, weight -20).
 * Then nothing of the run is left: no namespace of its prefix, no scratch directory.
 * Outages are printed as diagnostics, never asserted (benchmarks measure, tests judge).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { listNamespaces } from '../support/lab/index.js';
import { findEnvironment } from '../../scripts/demo/environment.js';
import { runDemo, type DemoReporter, type DemoResult, type StepNumber } from '../../scripts/demo/scenario.js';
import type { NodeName } from '../../scripts/demo/conf.js';

interface Recorded {
  labPrefix?: string;
  scratchDir?: string;
  readonly logs: Array<{ readonly node: NodeName; readonly line: string; readonly step: StepNumber | 0 }>;
}

function recorder(): { reporter: DemoReporter; recorded: Recorded } {
  const recorded: Recorded = { logs: [] };
  let step: StepNumber | 0 = 0;
  const reporter: DemoReporter = {
    setup: (info) => {
      recorded.labPrefix = info.labPrefix;
      recorded.scratchDir = info.scratchDir;
    },
    stepStart: (n) => {
      step = n;
    },
    daemonLog: (node, line) => recorded.logs.push({ node, line, step }),
  };
  return { reporter, recorded };
}

function describeSteps(result: DemoResult): string {
  return result.steps.map((s) => `step ${s.step}: ${s.status} ${s.detail ?? ''}`).join('\n');
}

test('demo scenario: node1 serves, SIGTERM -> node2, restart -> node1 (preempt), web server killed -> node2', { timeout: 90_000 }, async (t) => {
  const { reporter, recorded } = recorder();
  const result = await runDemo(findEnvironment(), reporter);
  const expected: Record<StepNumber, NodeName> = { 1: 'node1', 2: 'node2', 3: 'node1', 4: 'node2' };

  for (const s of result.steps) {
    t.diagnostic(`step ${s.step} (${s.status}): served by ${s.servedBy ?? '-'}, VIP on ${s.vipOn?.join(',') ?? '-'}, longest gap ${s.longestGapMs ?? '-'} ms, steady after ${s.switchMs ?? '-'} ms`);
  }
  assert.equal(result.steps.length, 4);
  for (const s of result.steps) {
    assert.equal(s.status, 'ok', `step ${s.step} (${s.title}):\n${describeSteps(result)}`);
    assert.equal(s.expected, expected[s.step]);
    assert.equal(s.servedBy, expected[s.step], `step ${s.step}: the client is answered by ${expected[s.step]}`);
    assert.deepEqual(s.vipOn, [expected[s.step]], `step ${s.step}: only ${expected[s.step]} holds the VIP`);
  }
  assert.ok(result.ok);

  // step 4 moved the VIP because of the tracker (not because node1 stopped): node1's daemon
  // lowered its priority by the script's weight and went back to BACKUP
  const step4 = recorded.logs.filter((l) => l.step === 4 && l.node === 'node1').map((l) => l.line);
  assert.ok(step4.some((l) => /VRRP_Script\(chk_web\) failed/.test(l)), `node1 reports the failed check:\n${step4.join('\n')}`);
  assert.ok(step4.some((l) => /effective priority from 100 to 80/.test(l)), `node1's priority drops to 80:\n${step4.join('\n')}`);
  assert.ok(step4.some((l) => /Entering BACKUP STATE/.test(l)), `node1 becomes BACKUP:\n${step4.join('\n')}`);

  // nothing of the run is left
  assert.ok(recorded.labPrefix !== undefined && recorded.scratchDir !== undefined);
  const prefix = recorded.labPrefix;
  assert.deepEqual((await listNamespaces()).filter((n) => n.startsWith(`${prefix}-`)), [], 'no namespace of the run remains');
  assert.equal(existsSync(recorded.scratchDir), false, 'the scratch directory is removed');
});
