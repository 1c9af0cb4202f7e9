/**
 * Property: whatever keywords and values a virtual_server holds, the LVS domain reports
 * diagnostics and builds a model; it never throws, and every checker in the model has resolved,
 * finite timings.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { runLvs } from './lvs-helpers.js';

const KEYWORDS = [
  'delay_loop', 'connect_timeout', 'retry', 'warmup', 'delay_before_retry', 'alpha', 'quorum', 'hysteresis',
  'lb_algo', 'lb_kind', 'protocol', 'persistence_timeout', 'persistence_granularity', 'sorry_server', 'weight',
  'ip_family', 'ops', 'hashed', 'virtualhost', 'inhibit_on_failure', 'smtp_alert', 'snmp_name',
];
const CHECKER_KEYWORDS = ['connect_ip', 'connect_port', 'bindto', 'bind_port', 'fwmark', 'retry', 'warmup', 'delay_loop', 'alpha'];
const VALUES = ['0', '-1', 'abc', '1.5', '65536', '4294967296', 'on', '192.0.2.7', '2001:db8::7 80', 'TUN type gue port 6080', 'sh', 'UDP', ''];

const line = (kws: readonly string[]) =>
  fc.tuple(fc.constantFrom(...kws), fc.constantFrom(...VALUES)).map(([k, v]) => `${k} ${v}`.trim());

describe('LVS domain robustness', () => {
  it('never throws and always resolves checker timings', () => {
    fc.assert(
      fc.property(
        fc.array(line(KEYWORDS), { maxLength: 6 }),
        fc.array(line(CHECKER_KEYWORDS), { maxLength: 5 }),
        fc.constantFrom('192.0.2.1 80', 'fwmark 3', '2001:db8::1 443', '192.0.2.1'),
        (vsLines, checkerLines, header) => {
          const text = `virtual_server ${header} {\n${vsLines.join('\n')}\n real_server 192.0.2.2 80 {\n  TCP_CHECK {\n${checkerLines.join('\n')}\n  }\n }\n}\n`;
          const r = runLvs(text);
          assert.ok([0, 2, 5].includes(r.exitCode), `exit ${r.exitCode}: ${r.lines.join(' | ')}`);
          for (const vs of r.lvs.virtualServers) {
            for (const rs of vs.realServers) {
              for (const c of rs.checkers) {
                if (!('timing' in c)) continue;
                for (const v of [c.timing.delayLoopMs, c.timing.connectTimeoutMs, c.timing.delayBeforeRetryMs, c.timing.warmupMs, c.timing.retry]) {
                  assert.ok(Number.isFinite(v) && v >= 0);
                }
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
