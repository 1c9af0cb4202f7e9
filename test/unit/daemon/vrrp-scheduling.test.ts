/**
 * VRRP process scheduling from global_defs (keepalived 2.2.7 as observed on its VRRP child):
 * defaults apply nothing; vrrp_rt_priority clamps to 1..99 and brings RLIMIT_RTTIME (default
 * 100000 us, keepalived 10000); vrrp_priority only without a real-time priority; invalid values are not applied.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DEFAULT_RLIMIT_RTTIME_US, schedulingRequested, vrrpSchedulingFrom } from '../../../src/daemon/vrrp-scheduling.js';

const raw = (entries: Record<string, string[]>): ReadonlyMap<string, readonly string[]> => new Map(Object.entries(entries));

describe('vrrpSchedulingFrom', () => {
  it('applies nothing by default (keepalived: SCHED_OTHER, nice 0, no lock, every CPU)', () => {
    const s = vrrpSchedulingFrom(raw({ router_id: ['x'] }));
    assert.deepEqual(s, { lockMemory: false });
    assert.equal(schedulingRequested(s), false);
    assert.equal(schedulingRequested(vrrpSchedulingFrom(undefined)), false);
  });

  it('vrrp_rt_priority: real-time priority with the default RLIMIT_RTTIME', () => {
    assert.deepEqual(vrrpSchedulingFrom(raw({ vrrp_rt_priority: ['50'] })), { realtimePriority: 50, rlimitRttimeUs: DEFAULT_RLIMIT_RTTIME_US, lockMemory: false });
    assert.equal(DEFAULT_RLIMIT_RTTIME_US, 100_000, "not keepalived's 10000: it kills a Node daemon (see the constant)");
  });

  it('clamps the real-time priority to 1..99, as keepalived does after its warning', () => {
    assert.equal(vrrpSchedulingFrom(raw({ vrrp_rt_priority: ['0'] })).realtimePriority, 1);
    assert.equal(vrrpSchedulingFrom(raw({ vrrp_rt_priority: ['150'] })).realtimePriority, 99);
    assert.equal(vrrpSchedulingFrom(raw({ vrrp_rt_priority: ['abc'] })).realtimePriority, undefined);
  });

  it('vrrp_rlimit_rttime (and its alias vrrp_rlimit_rtime) sets the limit', () => {
    assert.equal(vrrpSchedulingFrom(raw({ vrrp_rt_priority: ['10'], vrrp_rlimit_rttime: ['20000'] })).rlimitRttimeUs, 20_000);
    assert.equal(vrrpSchedulingFrom(raw({ vrrp_rt_priority: ['10'], vrrp_rlimit_rtime: ['30000'] })).rlimitRttimeUs, 30_000);
    assert.equal(vrrpSchedulingFrom(raw({ vrrp_rlimit_rttime: ['20000'] })).rlimitRttimeUs, undefined, 'only with a real-time priority');
  });

  it('vrrp_priority: nice value, ignored with a real-time priority or out of range', () => {
    assert.equal(vrrpSchedulingFrom(raw({ vrrp_priority: ['-5'] })).nice, -5);
    assert.equal(vrrpSchedulingFrom(raw({ vrrp_priority: ['-5'], vrrp_rt_priority: ['50'] })).nice, undefined);
    assert.equal(vrrpSchedulingFrom(raw({ vrrp_priority: ['-21'] })).nice, undefined);
    assert.equal(vrrpSchedulingFrom(raw({ vrrp_priority: ['x'] })).nice, undefined);
  });

  it('vrrp_no_swap and vrrp_cpu_affinity', () => {
    const s = vrrpSchedulingFrom(raw({ vrrp_no_swap: [], vrrp_cpu_affinity: ['1', '0', '1'] }));
    assert.equal(s.lockMemory, true);
    assert.deepEqual(s.cpus, [0, 1]);
    assert.equal(schedulingRequested(s), true);
    assert.equal(vrrpSchedulingFrom(raw({ vrrp_cpu_affinity: ['1', 'x'] })).cpus, undefined, 'an invalid list is not applied');
  });
});
