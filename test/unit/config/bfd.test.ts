/**
 * bfd_instance: the BFD pass's messages (expected lines are what `keepalived -t` printed for the
 * same text) and the model with its defaults.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAIN, runLvs } from './lvs-helpers.js';

const L = (n: number, m: string): string => `(${MAIN}: Line ${n}) ${m}`;
const E = 'Configuration error: BFD instance';

describe('bfd_instance', () => {
  it('reports bad values, family and duplicate problems', () => {
    const text = [
      'bfd_instance b1 {',
      '  neighbor_ip 192.0.2.30',
      '  source_ip zz',
      '  min_rx 0',
      '  min_rx 99999999',
      '  min_tx 5000',
      '  idle_tx 0',
      '  multiplier 0',
      '  multiplier 300',
      '  max_hops 500',
      '  ttl 0',
      '  hoplimit 300',
      '  passive',
      '}',
      'bfd_instance b2 {',
      '  neighbor_ip 192.0.2.5',
      '  source_ip 2001:db8::1',
      '}',
      'bfd_instance b3 {',
      '  neighbor_ip 192.0.2.5',
      '}',
      'bfd_instance b4 {',
      '  neighbour_ip 192.0.2.5',
      '}',
      'bfd_instance b1 {',
      '  neighbor_ip 192.0.2.6',
      '}',
      '',
    ].join('\n');
    const r = runLvs(text);
    assert.deepEqual(r.lines, [
      // checker pass (it reads bfd_instance names for BFD_CHECK)
      L(25, 'BFD b1 already specified'),
      // bfd pass
      L(3, `${E} b1 has malformed source address zz, ignoring`),
      L(4, "number '0' outside range [1.000, 4294967.000]"),
      L(4, `${E} b1 min_rx value 0 is not valid (must be in range [1-4294967]), ignoring`),
      L(5, "number '99999999' outside range [1.000, 4294967.000]"),
      L(5, `${E} b1 min_rx value 99999999 is not valid (must be in range [1-4294967]), ignoring`),
      L(7, "number '0' outside range [1000.000, 4294967.000]"),
      L(7, `${E} b1 idle_tx value 0 is not valid (must be in range [1000-4294967]), ignoring`),
      L(8, "number '0' outside range [1, 255]"),
      L(8, `${E} b1 multiplier value 0 not valid (must be in range [1-255]), ignoring`),
      L(9, "number '300' outside range [1, 255]"),
      L(9, `${E} b1 multiplier value 300 not valid (must be in range [1-255]), ignoring`),
      L(10, "number '500' outside range [-1, 255]"),
      L(10, `${E} b1 max_hops value 500 not valid (must be in range [-1-255]), ignoring`),
      L(11, "number '0' outside range [1, 255]"),
      L(11, `${E} b1 ttl/hoplimit value 0 not valid (must be in range [1-255]), ignoring`),
      L(12, "number '300' outside range [1, 255]"),
      L(12, `${E} b1 ttl/hoplimit value 300 not valid (must be in range [1-255]), ignoring`),
      L(18, `${E} b2 source address 2001:db8::1 and neighbor address 2001:db8::1 are not of the same family, disabling instance`),
      L(24, `${E} b4 has duplicate neighbor address 192.0.2.5, ignoring instance`),
      L(25, `${E} b1 already configured - ignoring`),
    ]);
    assert.deepEqual(r.bfd?.instances.map((b) => b.name), ['b1', 'b3']);
    const b1 = r.bfd?.instances[0];
    assert.deepEqual(
      b1 && [b1.neighbor, b1.source, b1.minRxUs, b1.minTxUs, b1.idleTxUs, b1.multiplier, b1.ttl, b1.maxHops, b1.passive],
      ['192.0.2.30', undefined, 10_000, 5_000_000, 1_000_000, 5, 255, 0, true],
    );
  });

  it('disables an instance without neighbor at its closing brace, and ignores the rest after a malformed neighbor', () => {
    const r = runLvs('bfd_instance test {\n  min_rx 20\n}\nbfd_instance t2 {\n  neighbor_ip 192.0.2.300\n  multiplier 0\n}\n');
    assert.deepEqual(r.lines, [
      L(3, `${E} test has no neighbor address set, disabling instance`),
      L(5, `${E} t2 has malformed neighbor address 192.0.2.300, ignoring instance`),
    ]);
    assert.equal(r.exitCode, 5);
    assert.deepEqual(r.bfd?.instances, []);
  });

  it('clamps max_hops to the ttl', () => {
    const r = runLvs('bfd_instance b {\n  neighbor_ip 2001:db8::9\n  ttl 5\n  max_hops 10\n}\n');
    assert.deepEqual(r.lines, [L(5, 'BFD instance b: max_hops exceeds ttl/hoplimit - setting to ttl/hoplimit')]);
    assert.equal(r.bfd?.instances[0]?.maxHops, 5);
    assert.equal(r.bfd?.instances[0]?.family, 'inet6');
  });
});
