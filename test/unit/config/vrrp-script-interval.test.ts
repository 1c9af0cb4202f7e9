/**
 * vrrp_script interval as keepalived 2.2.7 reads it, measured in a lab namespace: `-t` output, and
 * the running daemon's log and the times its script ran (date +%s.%N per call):
 * - `-t`: "0.02", "2.7", "abc" are "invalid number" and "ignoring" (default 1 s); "0" is set to 1;
 *   "4295" is "outside range [0, 4294]";
 * - running: trailing junk is a "WARNING - invalid number" and the leading digits count:
 *   `interval 0.02` ran every 1.00 s (0 -> 1, "must be greater than 0, setting to 1"),
 *   `interval 2.7` every 2.00 s; "-1" and "5000" are still ignored, with "WARNING - ".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDiagnostic } from '../../../src/config/diagnostics.js';
import { loadConfig } from '../../../src/config/pipeline.js';
import { fakeEnv } from './fake-env.js';

function read(interval: string, running: boolean): { lines: string[]; intervalS: number } {
  const use = 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n  virtual_ipaddress {\n    192.0.2.100\n  }\n  track_script {\n    chk\n  }\n}\n';
  const text = `vrrp_script chk {\n  script /bin/true\n  interval ${interval}\n}\n${use}`;
  const r = loadConfig('/k.conf', fakeEnv({ ifs: ['eth0'], exec: ['/bin/true'], files: { '/k.conf': text } }), { running });
  // not about the interval: the summary, and the daemon's line about the missing default user
  const lines = r.diagnostics.list.map(formatDiagnostic).filter((l) => !l.includes('SECURITY') && l !== "Script user 'keepalived_script' does not exist");
  return { lines, intervalS: (r.model.vrrp?.scripts[0]?.intervalUs ?? 0) / 1e6 };
}

test('vrrp_script interval under -t: keepalived 2.2.7\'s messages, junk ignored (1 s)', () => {
  assert.deepEqual(read('0.02', false), {
    lines: ["(/k.conf: Line 3) invalid number '0.02'", "(/k.conf: Line 3) (chk): vrrp script interval '0.02' must be between 1 and 4294 - ignoring"],
    intervalS: 1,
  });
  assert.deepEqual(read('2.7', false).intervalS, 1);
  assert.deepEqual(read('0', false), { lines: ['(/k.conf: Line 3) (chk): vrrp script interval must be greater than 0, setting to 1'], intervalS: 1 });
  assert.deepEqual(read('4295', false).lines, ["(/k.conf: Line 3) number '4295' outside range [0, 4294]", "(/k.conf: Line 3) (chk): vrrp script interval '4295' must be between 1 and 4294 - ignoring"]);
  assert.deepEqual(read('7', false), { lines: [], intervalS: 7 });
});

test('vrrp_script interval in the running daemon: the leading digits count, with WARNING lines', () => {
  assert.deepEqual(read('0.02', true), {
    lines: ["(/k.conf: Line 3) WARNING - invalid number '0.02'", '(/k.conf: Line 3) (chk): vrrp script interval must be greater than 0, setting to 1'],
    intervalS: 1,
  });
  assert.deepEqual(read('2.7', true), { lines: ["(/k.conf: Line 3) WARNING - invalid number '2.7'"], intervalS: 2 });
  assert.deepEqual(read('3x', true).intervalS, 3);
  assert.deepEqual(read('abc', true).intervalS, 1);
  assert.deepEqual(read('-1', true), {
    lines: ["(/k.conf: Line 3) WARNING - negative number '-1'", "(/k.conf: Line 3) (chk): vrrp script interval '-1' must be between 1 and 4294 - ignoring"],
    intervalS: 1,
  });
  assert.deepEqual(read('5000', true).lines, ["(/k.conf: Line 3) WARNING - number '5000' outside range [0, 4294]", "(/k.conf: Line 3) (chk): vrrp script interval '5000' must be between 1 and 4294 - ignoring"]);
  assert.deepEqual(read('7', true), { lines: [], intervalS: 7 });
});
