/**
 * max_auto_priority end to end without root: the VRRP clock (TimerfdClock on a fake addon with a
 * manual monotonic clock) drives AutoPriority as vrrp-subsystem wires them. An advert timer every
 * 10 ms; the process is "stopped" now and then (time jumps past several deadlines): each late
 * wake-up logs keepalived's line and raises one step, up to max_auto_priority; punctual wake-ups
 * and wake-ups late by no more than min_auto_priority_delay change nothing.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TimerfdClock } from '../../../src/os/linux/timerfd-clock.js';
import { FakeTimerfd } from '../../support/fake-timerfd.js';
import { AutoPriority, autoPriorityFrom } from '../../../src/daemon/vrrp-auto-priority.js';

function setup(globalDefs: Record<string, string[]>): { fd: FakeTimerfd; log: string[]; steps: string[]; auto: AutoPriority } {
  const fd = new FakeTimerfd(5_000_000_000n);
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
    s.fd.advance(14_000_000n); // the advert due 10 ms after the last one runs 4 ms late: within the delay
    assert.deepEqual(s.log, []);
    s.fd.run(100_000_000n);
    for (let i = 0; i < 3; i++) {
      s.fd.advance(25_000_000n); // 15 ms late
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
    s.fd.advance(25_000_000n);
    s.fd.run(100_000_000n);
    assert.deepEqual(s.log, []);
    s.fd.advance(1_510_000_000n);
    assert.deepEqual(s.log, ['A thread timer expired 1.500000 seconds ago']);
    assert.deepEqual(s.steps, []);
  });
});
