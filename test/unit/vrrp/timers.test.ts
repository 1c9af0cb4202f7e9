/**
 * RFC timer formulas against the worked values of vrrp-rfc-and-peers.md §1.4 (MUST-19) and the
 * parameter checks (MUST-16, MUST-17, MUST-20).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VrrpError } from '../../../src/vrrp/errors.js';
import { checkParams, defaultParams } from '../../../src/vrrp/params.js';
import { masterDownIntervalUs, skewPriority, skewTimeUs } from '../../../src/vrrp/timers.js';

describe('Skew_Time and Master_Down_Interval', () => {
  it('MUST-19: v2 at 1 s: prio 254/200/100/1 -> 7.8 ms, 218.8 ms, 609.4 ms, 996 ms; down 3.008/3.219/3.609/3.996 s', () => {
    assert.deepEqual([254, 200, 100, 1].map((p) => skewTimeUs(2, p, 100)), [7812, 218750, 609375, 996093]);
    assert.deepEqual([254, 200, 100, 1].map((p) => masterDownIntervalUs(2, p, 100)), [3_007_812, 3_218_750, 3_609_375, 3_996_093]);
  });

  it('MUST-19: v2 skew does not depend on the interval; v3 skew scales with Master_Adver_Interval', () => {
    assert.equal(skewTimeUs(2, 100, 500), skewTimeUs(2, 100, 100));
    assert.equal(masterDownIntervalUs(2, 100, 500), 15_609_375);
    assert.deepEqual([254, 200, 100, 1].map((p) => skewTimeUs(3, p, 10)), [781, 21875, 60937, 99609]);
    assert.deepEqual([254, 200, 100, 1].map((p) => masterDownIntervalUs(3, p, 1)), [30_078, 32_187, 36_093, 39_960]);
    assert.equal(masterDownIntervalUs(3, 100, 100), 3_609_375);
  });

  it('down_timer_adverts replaces the factor 3; a configured owner skews with 255 whatever its effective priority', () => {
    assert.equal(masterDownIntervalUs(3, 100, 100, 5), 5_609_375);
    assert.equal(skewPriority(255, 200), 255);
    assert.equal(skewPriority(150, 140), 140);
  });
});

describe('checkParams', () => {
  const base = defaultParams({ name: 'VI_1', vrid: 1, primaryAddress: '192.0.2.1', vips: ['192.0.2.100'] });
  const code = (fn: () => unknown): string => {
    try {
      fn();
      return 'ok';
    } catch (error) {
      return error instanceof VrrpError ? error.code : 'untyped';
    }
  };

  it('MUST-16: priority must be 1..255 (0 is reserved for resigning) and VRID 1..255', () => {
    assert.equal(code(() => checkParams(base)), 'ok');
    assert.equal(code(() => checkParams({ ...base, priority: 0 })), 'ERR_VRRP_PARAMS');
    assert.equal(code(() => checkParams({ ...base, priority: 256 })), 'ERR_VRRP_PARAMS');
    assert.equal(code(() => checkParams({ ...base, vrid: 0 })), 'ERR_VRRP_PARAMS');
  });

  it('MUST-20: v3 intervals 1..4095 cs; v2 whole seconds', () => {
    const v3 = { ...base, version: 3 as const };
    assert.equal(code(() => checkParams({ ...v3, advertIntervalCs: 4095 })), 'ok');
    assert.equal(code(() => checkParams({ ...v3, advertIntervalCs: 4096 })), 'ERR_VRRP_PARAMS');
    assert.equal(code(() => checkParams({ ...v3, advertIntervalCs: 0 })), 'ERR_VRRP_PARAMS');
    assert.equal(code(() => checkParams({ ...base, advertIntervalCs: 150 })), 'ERR_VRRP_PARAMS');
  });

  it('MUST-17: one family only; strict mode wants the IPv6 list to start with a link-local', () => {
    assert.equal(code(() => checkParams({ ...base, vips: ['192.0.2.100', '2001:db8::1'] })), 'ERR_VRRP_PARAMS');
    const v6 = defaultParams({ name: 'VI_6', vrid: 1, primaryAddress: 'fe80::1', vips: ['2001:db8::1'], version: 3 });
    assert.equal(code(() => checkParams(v6)), 'ok');
    assert.equal(code(() => checkParams(v6, { strict: true })), 'ERR_VRRP_PARAMS');
    assert.equal(code(() => checkParams({ ...v6, vips: ['fe80::100', '2001:db8::1'] }, { strict: true })), 'ok');
    assert.equal(code(() => checkParams({ ...v6, version: 2 })), 'ERR_VRRP_PARAMS');
  });
});
