/**
 * TimerfdClock: deadline order, cancellation, re-arming of the timerfd for the earliest live
 * deadline, callbacks that arm timers, close. A fake addon records timerfdSet calls and lets the
 * test make the fd "readable"; one test on the real timerfd checks that no timer fires early.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TimerfdClock } from '../../../src/os/linux/timerfd-clock.js';
import { FakeTimerfd } from '../../support/fake-timerfd.js';
import { loadNative } from '../../../src/os/linux/native.js';

function clockWith(fake: FakeTimerfd, errors: Error[] = []): TimerfdClock {
  return new TimerfdClock(fake, () => fake.now, (e) => errors.push(e));
}

describe('TimerfdClock', () => {
  it('fires timers in deadline order, each at its own deadline', () => {
    const fake = new FakeTimerfd();
    const clock = clockWith(fake);
    const fired: string[] = [];
    clock.setTimer(() => fired.push('b'), 2_000);
    clock.setTimer(() => fired.push('a'), 1_000);
    clock.setTimer(() => fired.push('c'), 3_000);
    assert.equal(fake.armed, 1_000_000_000n + 1_000_000n, 'armed for the earliest deadline, in ns');
    fake.advance(999_999n);
    assert.deepEqual(fired, []);
    fake.advance(1n);
    assert.deepEqual(fired, ['a']);
    assert.equal(fake.armed, 1_000_000_000n + 2_000_000n);
    fake.advance(1_000_000n);
    assert.deepEqual(fired, ['a', 'b']);
    fake.advance(1_000_000n);
    assert.deepEqual(fired, ['a', 'b', 'c']);
    assert.equal(fake.armed, undefined, 'nothing left to arm');
  });

  it('runs every due timer of one wake-up, ties in arming order', () => {
    const fake = new FakeTimerfd();
    const clock = clockWith(fake);
    const fired: number[] = [];
    for (const n of [1, 2, 3]) clock.setTimer(() => fired.push(n), 500);
    clock.setTimer(() => fired.push(0), 100);
    fake.now += 1_000_000n;
    fake.advance(0n);
    assert.deepEqual(fired, [0, 1, 2, 3]);
    assert.equal(clock.pending, 0);
  });

  it('skips cancelled timers and re-arms for the next live one', () => {
    const fake = new FakeTimerfd();
    const clock = clockWith(fake);
    const fired: string[] = [];
    const early = clock.setTimer(() => fired.push('early'), 1_000);
    clock.setTimer(() => fired.push('late'), 5_000);
    clock.clearTimer(early);
    fake.advance(1_000_000n);
    assert.deepEqual(fired, []);
    assert.equal(fake.armed, 1_000_000_000n + 5_000_000n);
    fake.advance(4_000_000n);
    assert.deepEqual(fired, ['late']);
  });

  it('a callback may arm a timer; one for "now" runs on the next wake-up, not in the same loop', () => {
    const fake = new FakeTimerfd();
    const clock = clockWith(fake);
    const fired: string[] = [];
    clock.setTimer(() => {
      fired.push('first');
      clock.setTimer(() => fired.push('again'), 0);
    }, 10);
    fake.advance(10_000n);
    assert.deepEqual(fired, ['first']);
    assert.equal(fake.armed, fake.now, 'armed at once for the new timer');
    fake.advance(0n);
    assert.deepEqual(fired, ['first', 'again']);
  });

  it('a throwing callback is reported and the others still run', () => {
    const fake = new FakeTimerfd();
    const errors: Error[] = [];
    const clock = clockWith(fake, errors);
    const fired: string[] = [];
    clock.setTimer(() => {
      throw new Error('boom');
    }, 1);
    clock.setTimer(() => fired.push('ok'), 1);
    fake.advance(1_000n);
    assert.deepEqual(fired, ['ok']);
    assert.equal(errors[0]?.message, 'boom');
  });

  it('nowUs is the monotonic clock in microseconds; close stops everything', () => {
    const fake = new FakeTimerfd();
    const clock = clockWith(fake);
    assert.equal(clock.nowUs(), 1_000_000);
    const fired: string[] = [];
    clock.setTimer(() => fired.push('x'), 1_000);
    clock.close();
    clock.close();
    assert.equal(fake.closed, true);
    fake.advance(10_000_000n);
    assert.deepEqual(fired, []);
  });

  it('lateness: a wake-up whose earliest live due timer is later than the threshold is reported (in us) before the timers run', () => {
    const fake = new FakeTimerfd();
    const clock = clockWith(fake);
    const seen: string[] = [];
    clock.watchLateness(1_000, (us) => seen.push(`late ${us}`));
    clock.setTimer(() => seen.push('on time'), 10_000);
    fake.advance(10_000_000n);
    const cancelled = clock.setTimer(() => seen.push('cancelled'), 1_000);
    clock.setTimer(() => seen.push('a'), 2_000);
    clock.setTimer(() => seen.push('b'), 3_000);
    clock.clearTimer(cancelled);
    // the process was stopped: it wakes 5.5 ms after a's deadline (b: 4.5 ms)
    fake.now += 7_500_000n;
    fake.advance(0n);
    assert.deepEqual(seen, ['on time', 'late 5500', 'a', 'b'], 'measured from the earliest live timer, once per wake-up');
    fake.now += 1_000_000n;
    clock.setTimer(() => seen.push('c'), 0);
    fake.now += 1_000_000n;
    fake.advance(0n);
    assert.deepEqual(seen.slice(4), ['c'], 'exactly the threshold late: not reported');
  });

  it('lateness: a timer cancelled after its deadline (a backup re-arming master-down from queued adverts) counts, once per stall', () => {
    const fake = new FakeTimerfd();
    const clock = clockWith(fake);
    const seen: string[] = [];
    clock.watchLateness(1_000, (us) => seen.push(`late ${us}`));
    const masterDown = clock.setTimer(() => seen.push('master down'), 3_000);
    clock.setTimer(() => seen.push('other'), 4_000);
    // stopped for 10 ms; the socket callback runs first and re-arms master-down
    fake.now += 10_000_000n;
    clock.clearTimer(masterDown);
    clock.setTimer(() => seen.push('master down 2'), 3_000);
    fake.advance(0n);
    assert.deepEqual(seen, ['late 7000', 'other'], "the other overdue timer belongs to the same stall: one report (keepalived: one per wake-up)");
    fake.advance(3_000_000n);
    assert.deepEqual(seen.slice(2), ['master down 2']);
    const t = clock.setTimer(() => undefined, 5_000);
    fake.now += 2_000_000n;
    clock.clearTimer(t);
    clock.clearTimer(t);
    assert.deepEqual(seen.slice(3), [], 'cancelled before its deadline: nothing; a second clear is a no-op');
  });

  it('a throwing lateness watcher is reported; the timers still run', () => {
    const fake = new FakeTimerfd();
    const errors: Error[] = [];
    const clock = clockWith(fake, errors);
    const fired: string[] = [];
    clock.watchLateness(0, () => {
      throw new Error('watcher');
    });
    clock.setTimer(() => fired.push('a'), 1_000);
    fake.now += 2_000_000n;
    fake.advance(0n);
    assert.deepEqual(fired, ['a']);
    assert.deepEqual(errors.map((e) => e.message), ['watcher']);
  });

  it('with the real timerfd, a timer never fires before its deadline', async () => {
    const clock = new TimerfdClock(loadNative());
    try {
      const lateness: number[] = [];
      for (let i = 0; i < 5; i++) {
        const start = process.hrtime.bigint();
        await new Promise<void>((resolve) => clock.setTimer(resolve, 3_000));
        lateness.push(Number(process.hrtime.bigint() - start) / 1e6 - 3);
      }
      assert.ok(lateness.every((l) => l >= 0), `never early: ${lateness.join(', ')}`);
    } finally {
      clock.close();
    }
  });
});
