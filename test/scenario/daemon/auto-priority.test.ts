/**
 * max_auto_priority end to end without root: the VRRP clock (TimerfdClock on a fake addon with a
 * manual monotonic clock) drives AutoPriority as vrrp-subsystem wires them. An advert timer every
 * 10 ms; the process is "stopped" now and then (time jumps past several deadlines): each late
 * wake-up logs keepalived's line and raises one step, up to max_auto_priority; punctual wake-ups
 * and wake-ups late by no more than min_auto_priority_delay change nothing.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TimerfdClock, type TimerfdNative } from '../../../src/os/linux/timerfd-clock.js';
import { AutoPriority, autoPriorityFrom } from '../../../src/daemon/vrrp-auto-priority.js';

class ManualTimerfd implements TimerfdNative {
  now = 5_000_000_000n;
  private armed: bigint | undefined;
  private readable: ((error: string | null) => void) | undefined;
  timerfdCreate(): number {
    return 3;
  }
  timerfdSet(_fd: number, seconds: number, nanoseconds: number): void {
    this.armed = BigInt(seconds) * 1_000_000_000n + BigInt(nanoseconds);
  }
  timerfdRead(): number {
    return 1;
  }
  poll(_fd: number, onReadable: (error: string | null) => void): { close(): void } {
    this.readable = onReadable;
    return { close: () => (this.readable = undefined) };
  }
  close(): void {}
  /** The process runs: every armed deadline up to now + ns fires at its time. */
  run(ns: bigint): void {
    const end = this.now + ns;
    while (this.armed !== undefined && this.armed <= end) {
      this.now = this.armed;
      this.armed = undefined;
      this.readable?.(null);
    }
    this.now = end;
  }
  /** The process is stopped for ns: nothing runs, then it wakes once. */
  stall(ns: bigint): void {
    this.now += ns;
    if (this.armed !== undefined && this.armed <= this.now) {
      this.armed = undefined;
      this.readable?.(null);
    }
  }
}

function setup(globalDefs: Record<string, string[]>): { fd: ManualTimerfd; log: string[]; steps: string[]; auto: AutoPriority } {
  const fd = new ManualTimerfd();
  const clock = new TimerfdClock(fd, () => fd.now);
  const log: string[] = [];
  const steps: string[] = [];
  const auto = new AutoPriority(autoPriorityFrom(new Map(Object.entries(globalDefs))), {
    setRealtime: (p, first, limit) => steps.push(first ? `RR ${p} (RLIMIT_RTTIME ${limit})` : `RR ${p}`),
    restore: (p) => steps.push(`restore ${p}`),
  }, { info: (m) => log.push(m), warning: (m) => log.push(`warning: ${m}`) });
  clock.watchLateness(auto.thresholdUs, (us) => auto.lateWakeup(us));
  const advert = (): void => void clock.setTimer(advert, 10_000);
  advert();
  return { fd, log, steps, auto };
}

describe('max_auto_priority on the VRRP clock', () => {
  it('late adverts raise the priority one step each, up to the maximum; punctual ones change nothing', () => {
    const s = setup({ max_auto_priority: ['2'], min_auto_priority_delay: ['5000'], vrrp_rlimit_rttime: ['80000'] });
    s.fd.run(1_000_000_000n);
    assert.deepEqual(s.log, [], 'a second of punctual adverts');
    s.fd.stall(14_000_000n); // the advert due 10 ms after the last one runs 4 ms late: within the delay
    assert.deepEqual(s.log, []);
    s.fd.run(100_000_000n);
    for (let i = 0; i < 3; i++) {
      s.fd.stall(25_000_000n); // 15 ms late
      s.fd.run(100_000_000n);
    }
    assert.deepEqual(s.steps, ['RR 1 (RLIMIT_RTTIME 80000)', 'RR 2']);
    assert.deepEqual(s.log, [
      'A thread timer expired 0.015000 seconds ago', 'Set realtime priority 1',
      'A thread timer expired 0.015000 seconds ago', 'Set realtime priority 2',
      'A thread timer expired 0.015000 seconds ago',
    ]);
    assert.equal(s.auto.priority, 2);
  });

  it('the default delay (1 s): a 15 ms stall is not noticed, a 1.5 s one is logged; without max_auto_priority no step', () => {
    const s = setup({});
    s.fd.stall(25_000_000n);
    s.fd.run(100_000_000n);
    assert.deepEqual(s.log, []);
    s.fd.stall(1_510_000_000n);
    assert.deepEqual(s.log, ['A thread timer expired 1.500000 seconds ago']);
    assert.deepEqual(s.steps, []);
  });
});
