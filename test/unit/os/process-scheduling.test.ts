/**
 * applyVrrpScheduling against a recording fake of the addon: which calls, in which order, with
 * which arguments; a failing call is logged and the rest still applied.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { applyVrrpScheduling, restoreProcessScheduling, SCHED_OTHER, SCHED_RR, setProcessRealtime, type SchedulingNative } from '../../../src/os/linux/process-scheduling.js';

class Recorder implements SchedulingNative {
  calls: string[] = [];
  failing = new Set<string>();
  private record(name: string, args: unknown[]): void {
    this.calls.push(`${name}(${args.map((a) => JSON.stringify(a)).join(',')})`);
    if (this.failing.has(name)) throw Object.assign(new Error(`${name} failed`), { code: 'EPERM', errno: 1, syscall: name });
  }
  goneThreads = new Set<number>();
  schedSetScheduler(...a: [number, number, number, boolean]): void {
    if (this.goneThreads.has(a[0])) throw Object.assign(new Error('gone'), { code: 'ESRCH' });
    this.record('schedSetScheduler', a);
  }
  setPriority(...a: [number, number]): void { this.record('setPriority', a); }
  schedSetAffinity(...a: [number, readonly number[]]): void { this.record('schedSetAffinity', a); }
  setRlimitRttime(...a: [number, number]): void { this.record('setRlimitRttime', a); }
}

function logCollector(): { info: string[]; warning: string[]; log: { info(m: string): void; warning(m: string): void } } {
  const info: string[] = [];
  const warning: string[] = [];
  return { info, warning, log: { info: (m) => info.push(m), warning: (m) => warning.push(m) } };
}

describe('applyVrrpScheduling', () => {
  it('real-time: RLIMIT_RTTIME (soft half, hard the limit) before SCHED_RR|SCHED_RESET_ON_FORK on every thread', () => {
    const n = new Recorder();
    const l = logCollector();
    const done = applyVrrpScheduling({ realtimePriority: 50, rlimitRttimeUs: 10_000, lockMemory: false }, n, l.log, () => [7, 8]);
    assert.deepEqual(n.calls, ['setRlimitRttime(5000,10000)', `schedSetScheduler(7,${SCHED_RR},50,true)`, `schedSetScheduler(8,${SCHED_RR},50,true)`]);
    assert.deepEqual(done, ['rlimit_rttime 10000', 'realtime priority 50']);
    assert.deepEqual(l.warning, []);
    assert.match(l.info[0] ?? '', /realtime priority 50/);
  });

  it('nice: SCHED_OTHER with reset-on-fork (scripts start at nice 0), then setpriority', () => {
    const n = new Recorder();
    applyVrrpScheduling({ nice: -5, lockMemory: false }, n, logCollector().log, () => [7]);
    assert.deepEqual(n.calls, [`schedSetScheduler(7,${SCHED_OTHER},0,true)`, 'setPriority(7,-5)']);
  });

  it('affinity to every thread of the process', () => {
    const n = new Recorder();
    applyVrrpScheduling({ cpus: [1], lockMemory: false }, n, logCollector().log, () => [10, 11]);
    assert.deepEqual(n.calls, ['schedSetAffinity(10,[1])', 'schedSetAffinity(11,[1])']);
  });

  it('vrrp_no_swap is refused with a warning (V8 aborts with locked memory); the rest applies', () => {
    const n = new Recorder();
    const l = logCollector();
    const done = applyVrrpScheduling({ cpus: [0], lockMemory: true }, n, l.log, () => [10]);
    assert.deepEqual(done, ['cpu affinity 0']);
    assert.match(l.warning[0] ?? '', /^vrrp_no_swap is not supported by keepalived-ts/);
  });

  it('a refused call is logged with its errno name; the others still apply', () => {
    const n = new Recorder();
    n.failing.add('setRlimitRttime');
    const l = logCollector();
    const done = applyVrrpScheduling({ realtimePriority: 10, rlimitRttimeUs: 10_000, lockMemory: false }, n, l.log, () => [7]);
    assert.deepEqual(done, ['realtime priority 10']);
    assert.deepEqual(l.warning, ['Unable to set rlimit_rttime 10000: EPERM']);
  });

  it('nothing requested: no call, no log line', () => {
    const n = new Recorder();
    const l = logCollector();
    assert.deepEqual(applyVrrpScheduling({ lockMemory: false }, n, l.log), []);
    assert.deepEqual(n.calls, []);
    assert.deepEqual(l.info, []);
  });
});

describe('setProcessRealtime (max_auto_priority steps)', () => {
  it('first step: RLIMIT_RTTIME first, then SCHED_RR|SCHED_RESET_ON_FORK on every thread; later steps: the policy only', () => {
    const n = new Recorder();
    setProcessRealtime(1, true, 100_000, n, () => [7, 8]);
    setProcessRealtime(2, false, 100_000, n, () => [7, 8, 9]);
    assert.deepEqual(n.calls, ['setRlimitRttime(50000,100000)', `schedSetScheduler(7,${SCHED_RR},1,true)`, `schedSetScheduler(8,${SCHED_RR},1,true)`, `schedSetScheduler(7,${SCHED_RR},2,true)`, `schedSetScheduler(8,${SCHED_RR},2,true)`, `schedSetScheduler(9,${SCHED_RR},2,true)`]);
  });

  it('a thread that ended meanwhile is skipped; another refusal throws, and no real-time without the limit', () => {
    const n = new Recorder();
    n.goneThreads.add(8);
    setProcessRealtime(3, false, 100_000, n, () => [7, 8, 9]);
    assert.deepEqual(n.calls, [`schedSetScheduler(7,${SCHED_RR},3,true)`, `schedSetScheduler(9,${SCHED_RR},3,true)`]);
    const refusing = new Recorder();
    refusing.failing.add('setRlimitRttime');
    assert.throws(() => setProcessRealtime(1, true, 100_000, refusing, () => [7]), { code: 'EPERM' });
    assert.deepEqual(refusing.calls, ['setRlimitRttime(50000,100000)']);
  });

  it('restore at reload: SCHED_OTHER (0) or SCHED_RR at vrrp_rt_priority, every thread, reset-on-fork kept', () => {
    const n = new Recorder();
    restoreProcessScheduling(0, n, () => [7, 8]);
    restoreProcessScheduling(10, n, () => [7]);
    assert.deepEqual(n.calls, [`schedSetScheduler(7,${SCHED_OTHER},0,true)`, `schedSetScheduler(8,${SCHED_OTHER},0,true)`, `schedSetScheduler(7,${SCHED_RR},10,true)`]);
  });
});
