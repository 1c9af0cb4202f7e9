/**
 * max_auto_priority / min_auto_priority_delay, the pure part (keepalived 2.2.7 as measured in the
 * lab, see src/daemon/vrrp-auto-priority.ts): settings from global_defs, the startup NOTICE, the
 * lateness line, one step per late wake-up capped at the maximum, the kernel refusing.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AUTO_PRIORITY_NOTICE, AutoPriority, autoPriorityFrom, autoPriorityNotice, DEFAULT_MIN_AUTO_PRIORITY_DELAY_US, lateTimerMessage, nextAutoPriority, type AutoPriorityPort, type AutoPrioritySettings } from '../../../src/daemon/vrrp-auto-priority.js';
import { DEFAULT_RLIMIT_RTTIME_US } from '../../../src/daemon/vrrp-scheduling.js';

const raw = (entries: Record<string, string[]>): ReadonlyMap<string, readonly string[]> => new Map(Object.entries(entries));

class Port implements AutoPriorityPort {
  calls: string[] = [];
  refuse = false;
  setRealtime(priority: number, firstRealtime: boolean, rlimitRttimeUs: number): void {
    if (this.refuse) throw Object.assign(new Error('sched_setscheduler failed'), { code: 'EPERM' });
    this.calls.push(`${priority}${firstRealtime ? ` first rlimit ${rlimitRttimeUs}` : ''}`);
  }
  restore(priority: number): void {
    this.calls.push(`restore ${priority}`);
  }
}

function governor(settings: Partial<AutoPrioritySettings>): { auto: AutoPriority; port: Port; info: string[]; warning: string[] } {
  const port = new Port();
  const info: string[] = [];
  const warning: string[] = [];
  const full: AutoPrioritySettings = { maxPriority: 0, minDelayUs: DEFAULT_MIN_AUTO_PRIORITY_DELAY_US, rlimitRttimeUs: DEFAULT_RLIMIT_RTTIME_US, startPriority: 0, ...settings };
  const auto = new AutoPriority(full, port, { info: (m) => info.push(m), warning: (m) => warning.push(m) });
  return { auto, port, info, warning };
}

describe('autoPriorityFrom', () => {
  it('defaults: never raise, 1 s delay (2.2.7: 0.96 s late nothing, 1.0025 s raised), our RLIMIT_RTTIME', () => {
    assert.deepEqual(autoPriorityFrom(undefined), { maxPriority: 0, minDelayUs: 1_000_000, rlimitRttimeUs: DEFAULT_RLIMIT_RTTIME_US, startPriority: 0 });
  });

  it('max_auto_priority: a value, no value (99), 0 and -1 (never), invalid (never)', () => {
    assert.equal(autoPriorityFrom(raw({ max_auto_priority: ['20'] })).maxPriority, 20);
    assert.equal(autoPriorityFrom(raw({ max_auto_priority: [] })).maxPriority, 99);
    assert.equal(autoPriorityFrom(raw({ max_auto_priority: ['0'] })).maxPriority, 0);
    assert.equal(autoPriorityFrom(raw({ max_auto_priority: ['-1'] })).maxPriority, 0);
    assert.equal(autoPriorityFrom(raw({ max_auto_priority: ['100'] })).maxPriority, 0);
    assert.equal(autoPriorityFrom(raw({ max_auto_priority: ['x'] })).maxPriority, 0);
  });

  it('min_auto_priority_delay 1..10000000 us, else the default; vrrp_rlimit_rttime and vrrp_rt_priority carried', () => {
    assert.equal(autoPriorityFrom(raw({ min_auto_priority_delay: ['1000'] })).minDelayUs, 1000);
    assert.equal(autoPriorityFrom(raw({ min_auto_priority_delay: ['0'] })).minDelayUs, 1_000_000);
    assert.equal(autoPriorityFrom(raw({ min_auto_priority_delay: ['10000001'] })).minDelayUs, 1_000_000);
    assert.equal(autoPriorityFrom(raw({ vrrp_rlimit_rttime: ['50000'] })).rlimitRttimeUs, 50_000);
    assert.equal(autoPriorityFrom(raw({ vrrp_rlimit_rtime: ['40000'] })).rlimitRttimeUs, 40_000);
    assert.equal(autoPriorityFrom(raw({ vrrp_rt_priority: ['10'] })).startPriority, 10);
    assert.equal(autoPriorityFrom(raw({ vrrp_rt_priority: ['150'] })).startPriority, 99);
  });
});

describe('the startup NOTICE', () => {
  it('printed unless max_auto_priority is set non-zero (2.2.7: also with vrrp_rt_priority, and for 0)', () => {
    assert.equal(autoPriorityNotice(undefined), AUTO_PRIORITY_NOTICE);
    assert.equal(autoPriorityNotice(raw({ vrrp_rt_priority: ['50'] })), AUTO_PRIORITY_NOTICE);
    assert.equal(autoPriorityNotice(raw({ max_auto_priority: ['0'] })), AUTO_PRIORITY_NOTICE);
    assert.equal(autoPriorityNotice(raw({ max_auto_priority: ['20'] })), undefined);
    assert.equal(autoPriorityNotice(raw({ max_auto_priority: [] })), undefined);
    assert.equal(autoPriorityNotice(raw({ max_auto_priority: ['-1'] })), undefined);
    assert.equal(AUTO_PRIORITY_NOTICE, 'NOTICE: setting config option max_auto_priority should result in better keepalived performance');
  });
});

describe('lateTimerMessage and nextAutoPriority', () => {
  it("keepalived's text: seconds with six digits of microseconds", () => {
    assert.equal(lateTimerMessage(3116), 'A thread timer expired 0.003116 seconds ago');
    assert.equal(lateTimerMessage(1_091_185), 'A thread timer expired 1.091185 seconds ago');
    assert.equal(lateTimerMessage(12_000_000.7), 'A thread timer expired 12.000000 seconds ago');
  });

  it('SCHED_OTHER -> 1, then +1, never above the maximum', () => {
    assert.equal(nextAutoPriority(0, 20), 1);
    assert.equal(nextAutoPriority(1, 20), 2);
    assert.equal(nextAutoPriority(19, 20), 20);
    assert.equal(nextAutoPriority(20, 20), undefined);
    assert.equal(nextAutoPriority(30, 20), undefined, 'vrrp_rt_priority above the maximum: never lowered or raised');
    assert.equal(nextAutoPriority(0, 0), undefined, 'disabled');
  });
});

describe('AutoPriority', () => {
  it('each late wake-up: the lateness line, one step, "Set realtime priority N"; RLIMIT_RTTIME on the first step; capped', () => {
    const g = governor({ maxPriority: 3, minDelayUs: 1000, rlimitRttimeUs: 50_000 });
    for (const late of [1500, 2000, 1001, 5000]) g.auto.lateWakeup(late);
    assert.deepEqual(g.port.calls, ['1 first rlimit 50000', '2', '3']);
    assert.deepEqual(g.info, [
      'A thread timer expired 0.001500 seconds ago', 'Set realtime priority 1',
      'A thread timer expired 0.002000 seconds ago', 'Set realtime priority 2',
      'A thread timer expired 0.001001 seconds ago', 'Set realtime priority 3',
      'A thread timer expired 0.005000 seconds ago',
    ]);
    assert.equal(g.auto.priority, 3);
  });

  it('not later than the delay: nothing', () => {
    const g = governor({ maxPriority: 3, minDelayUs: 1000 });
    g.auto.lateWakeup(1000);
    g.auto.lateWakeup(10);
    assert.deepEqual([g.info, g.port.calls], [[], []]);
  });

  it('without max_auto_priority: the lateness line only (2.2.7 logs it too), SCHED_OTHER stays', () => {
    const g = governor({ minDelayUs: 1_000_000 });
    g.auto.lateWakeup(1_496_229);
    assert.deepEqual(g.info, ['A thread timer expired 1.496229 seconds ago']);
    assert.deepEqual(g.port.calls, []);
  });

  it('from vrrp_rt_priority: the steps start above it, no new RLIMIT_RTTIME', () => {
    const g = governor({ maxPriority: 20, minDelayUs: 1000, startPriority: 10 });
    g.auto.lateWakeup(2000);
    assert.deepEqual(g.port.calls, ['11']);
    assert.deepEqual(g.info.slice(-1), ['Set realtime priority 11']);
  });

  it('reload: the new settings; a raised priority returns to the configured one, then steps again (keepalived 2.2.7)', () => {
    const g = governor({ maxPriority: 2, minDelayUs: 1000 });
    g.auto.lateWakeup(2000);
    g.auto.lateWakeup(2000);
    g.auto.reload({ maxPriority: 0, minDelayUs: 1_000_000, rlimitRttimeUs: DEFAULT_RLIMIT_RTTIME_US, startPriority: 0 });
    assert.equal(g.auto.thresholdUs, 1_000_000);
    g.auto.lateWakeup(2000);
    g.auto.reload({ maxPriority: 5, minDelayUs: 1000, rlimitRttimeUs: DEFAULT_RLIMIT_RTTIME_US, startPriority: 0 });
    g.auto.lateWakeup(2000);
    g.auto.reload({ maxPriority: 5, minDelayUs: 1000, rlimitRttimeUs: DEFAULT_RLIMIT_RTTIME_US, startPriority: 10 });
    assert.deepEqual(g.port.calls, [`1 first rlimit ${DEFAULT_RLIMIT_RTTIME_US}`, '2', 'restore 0', `1 first rlimit ${DEFAULT_RLIMIT_RTTIME_US}`, 'restore 10']);
    assert.equal(g.auto.priority, 10);
    const quiet = governor({ maxPriority: 2, minDelayUs: 1000 });
    quiet.auto.reload({ maxPriority: 3, minDelayUs: 1000, rlimitRttimeUs: DEFAULT_RLIMIT_RTTIME_US, startPriority: 0 });
    assert.deepEqual(quiet.port.calls, [], 'never raised: nothing to restore');
  });

  it('the kernel refuses: one warning, the priority stays, no further attempt (lateness still logged)', () => {
    const g = governor({ maxPriority: 5, minDelayUs: 1000 });
    g.port.refuse = true;
    g.auto.lateWakeup(2000);
    g.auto.lateWakeup(2000);
    assert.deepEqual(g.warning, ['Unable to set realtime priority 1: EPERM - max_auto_priority no longer applied']);
    assert.equal(g.auto.priority, 0);
    assert.equal(g.info.filter((m) => m.startsWith('A thread timer expired')).length, 2);
  });
});
