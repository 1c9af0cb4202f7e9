import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimerQueue } from '../../../src/check/timer-queue.js';
import { firstDelayMs, phaseLockedDelayMs, DEFAULT_SPREAD } from '../../../src/check/scheduler-timing.js';
import { ManualClock, seededRng } from '../../scenario/check/manual-clock.js';

test('timer queue: fires at the exact due time, in due order then arming order, on ONE clock timer', async () => {
  const clock = new ManualClock();
  const q = new TimerQueue(clock);
  const fired: string[] = [];
  q.setTimer(() => fired.push(`c@${clock.monotonicMs()}`), 30);
  q.setTimer(() => fired.push(`a@${clock.monotonicMs()}`), 10);
  q.setTimer(() => fired.push(`b@${clock.monotonicMs()}`), 10);
  q.setTimer(() => fired.push(`d@${clock.monotonicMs()}`), 20);
  assert.equal(clock.timerCount(), 1);
  assert.equal(q.size(), 4);
  await clock.advance(9);
  assert.deepEqual(fired, []);
  await clock.advance(1);
  assert.deepEqual(fired, ['a@10', 'b@10']);
  await clock.advance(100);
  assert.deepEqual(fired, ['a@10', 'b@10', 'd@20', 'c@30']);
  assert.equal(q.size(), 0);
  assert.equal(clock.timerCount(), 0, 'an empty queue holds no clock timer');
});

test('timer queue: cleared timers never fire; clearing the last one releases the clock timer', async () => {
  const clock = new ManualClock();
  const q = new TimerQueue(clock);
  const fired: number[] = [];
  const a = q.setTimer(() => fired.push(1), 10);
  const b = q.setTimer(() => fired.push(2), 20);
  q.clearTimer(a);
  q.clearTimer(a); // idempotent
  await clock.advance(15);
  assert.deepEqual(fired, []);
  assert.equal(clock.timerCount(), 1);
  q.clearTimer(b);
  assert.equal(clock.timerCount(), 0);
  await clock.advance(100);
  assert.deepEqual(fired, []);
});

test('timer queue: an earlier timer re-points the clock timer; timers armed from a callback run in order', async () => {
  const clock = new ManualClock();
  const q = new TimerQueue(clock);
  const fired: string[] = [];
  q.setTimer(() => fired.push(`late@${clock.monotonicMs()}`), 1_000);
  q.setTimer(() => {
    fired.push(`early@${clock.monotonicMs()}`);
    q.setTimer(() => fired.push(`now@${clock.monotonicMs()}`), 0);
    q.setTimer(() => fired.push(`next@${clock.monotonicMs()}`), 5);
  }, 100);
  assert.equal(clock.timerCount(), 1);
  await clock.advance(2_000);
  assert.deepEqual(fired, ['early@100', 'now@100', 'next@105', 'late@1000']);
  assert.equal(clock.timerCount(), 0);
});

test('timer queue: many timers with random delays and random cancels fire exactly as a plain clock would', async () => {
  const rng = seededRng(11);
  const plain = new ManualClock();
  const clock = new ManualClock();
  const q = new TimerQueue(clock);
  const want: string[] = [];
  const got: string[] = [];
  for (let i = 0; i < 6_000; i++) {
    const delay = Math.floor(rng() * 500);
    const cancel = rng() < (i < 3_000 ? 0.3 : 0.95); // the second half compacts the heap
    const p = plain.setTimer(() => want.push(`${i}@${plain.monotonicMs()}`), delay);
    const t = q.setTimer(() => got.push(`${i}@${clock.monotonicMs()}`), delay);
    if (cancel) {
      plain.clearTimer(p);
      q.clearTimer(t);
    }
  }
  await plain.advance(1_000);
  await clock.advance(1_000);
  assert.equal(got.length, want.length);
  assert.deepEqual(got, want);
  assert.equal(clock.timerCount(), 0);
});

test('timer queue with a resolution: timers due in the same slot share one wake-up, never early, at most a slot late', async () => {
  const clock = new ManualClock();
  const q = new TimerQueue(clock, 4);
  const fired: string[] = [];
  for (const d of [1, 2, 3, 4, 5, 9]) q.setTimer(() => fired.push(`${d}@${clock.monotonicMs()}`), d);
  await clock.advance(3);
  assert.deepEqual(fired, []);
  await clock.advance(1);
  assert.deepEqual(fired, ['1@4', '2@4', '3@4', '4@4']);
  await clock.advance(4);
  assert.deepEqual(fired, ['1@4', '2@4', '3@4', '4@4', '5@8']);
  await clock.advance(4);
  assert.deepEqual(fired.at(-1), '9@12');
  assert.equal(clock.timerCount(), 0);
});

test('spread: first-run phases of 10 000 checkers cover the window evenly; the phase lock keeps delay_loop from the due time', () => {
  const rng = seededRng(3);
  const perBucket = new Array<number>(100).fill(0);
  const t = { delayLoopMs: 1_000, connectTimeoutMs: 5_000, retry: 1, delayBeforeRetryMs: 1_000, warmupMs: 0, alpha: false };
  for (let i = 0; i < 10_000; i++) {
    const d = firstDelayMs(t, DEFAULT_SPREAD, rng, i);
    assert.ok(d >= 0 && d < 1_000);
    perBucket[Math.floor(d / 10)]! += 1;
  }
  // 100 per 10 ms bucket, give or take a couple: no bursts, no holes
  for (const n of perBucket) assert.ok(n >= 95 && n <= 105, `bucket ${n}`);
  assert.equal(phaseLockedDelayMs(1_000, 5_000, 5_030), 970, 'a late or slow attempt does not push the phase');
  assert.equal(phaseLockedDelayMs(1_000, 5_000, 5_000), 1_000);
  assert.equal(phaseLockedDelayMs(1_000, 5_000, 5_600), 1_000, 'more than half a loop late: re-phase from now');
});
