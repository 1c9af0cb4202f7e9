import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CheckScheduler, type CheckerEvent } from '../../../src/check/scheduler.js';
import type { ServerTransition } from '../../../src/check/server-health.js';
import type { ProbeResult } from '../../../src/check/probe.js';
import type { SchedulerTiming } from '../../../src/check/scheduler-timing.js';
import { CheckError } from '../../../src/check/errors.js';
import { ManualClock, seededRng } from './manual-clock.js';

const OK: ProbeResult = { ok: true };
const FAIL: ProbeResult = { ok: false, failure: 'connect-refused', reason: 'ECONNREFUSED' };

function timing(over: Partial<SchedulerTiming> = {}): SchedulerTiming {
  return { delayLoopMs: 10_000, connectTimeoutMs: 5_000, retry: 1, delayBeforeRetryMs: 3_000, warmupMs: 0, alpha: false, ...over };
}

/** A probe whose answer the test flips, recording the clock time of every attempt. */
function scripted(clock: ManualClock) {
  const self = { healthy: true, calls: [] as number[] };
  const probe = async (): Promise<ProbeResult> => {
    self.calls.push(clock.monotonicMs());
    return self.healthy ? OK : FAIL;
  };
  return { self, probe };
}

function setup(spreadOff = true) {
  const clock = new ManualClock();
  const transitions: ServerTransition[] = [];
  const events: CheckerEvent[] = [];
  const sched = new CheckScheduler({
    clock,
    rng: seededRng(7),
    onServerTransition: (t) => transitions.push(t),
    onCheckerEvent: (e) => events.push(e),
    ...(spreadOff ? { spread: { jitterFraction: 0, maxInitialSpreadMs: 0 } } : {}),
  });
  return { clock, transitions, events, sched };
}

test('retry 1: DOWN after 2 consecutive failures separated by delay_before_retry, UP on first success', async () => {
  const { clock, transitions, sched } = setup();
  const { self, probe } = scripted(clock);
  sched.add({ id: 'c1', serverId: 'rs1', timing: timing(), probe });
  sched.start();
  await clock.advance(0);
  assert.deepEqual(self.calls, [0]);
  assert.equal(sched.serverUp('rs1'), true);
  self.healthy = false;
  await clock.advance(10_000); // failure 1 -> retry in 3 s
  assert.equal(sched.serverUp('rs1'), true);
  await clock.advance(2_999);
  assert.equal(self.calls.length, 2);
  await clock.advance(1); // failure 2 at 13 000 -> DOWN
  assert.deepEqual(self.calls, [0, 10_000, 13_000]);
  assert.equal(sched.serverUp('rs1'), false);
  assert.equal(transitions.length, 1);
  assert.equal(transitions[0]?.up, false);
  assert.match(transitions[0]?.reason ?? '', /connect-refused/);
  // While DOWN, failures are still retried after delay_before_retry (keepalived's epilog retries
  // whatever the checker's state), then the next attempt waits delay_loop.
  await clock.advance(20_000);
  assert.deepEqual(self.calls, [0, 10_000, 13_000, 23_000, 26_000]);
  self.healthy = true;
  await clock.advance(10_000);
  assert.equal(sched.serverUp('rs1'), true);
  assert.equal(transitions.length, 2);
  assert.equal(transitions[1]?.up, true);
  sched.stop();
  assert.equal(clock.timerCount(), 0);
});

test('retry 3: DOWN only after 4 consecutive failures; a success in between resets the count', async () => {
  const { clock, sched, events } = setup();
  const answers = [true, false, false, true, false, false, false, false];
  let i = 0;
  sched.add({ id: 'c', serverId: 'rs', timing: timing({ retry: 3, delayBeforeRetryMs: 1_000 }), probe: async () => ((answers[i++] ?? false) ? OK : FAIL) });
  sched.start();
  await clock.advance(0); // ok
  await clock.advance(10_000); // fail 1
  await clock.advance(1_000); // fail 2
  await clock.advance(1_000); // ok -> reset
  assert.equal(sched.serverUp('rs'), true);
  await clock.advance(10_000); // fail 1
  await clock.advance(3_000); // fail 2,3,4 -> DOWN
  assert.equal(sched.serverUp('rs'), false);
  // The first completed attempt is reported as 'up' (keepalived logs the first success even of a
  // checker that started up); later successes of an up checker are 'steady'.
  assert.deepEqual(events.map((e) => e.outcome), ['up', 'retry', 'retry', 'steady', 'retry', 'retry', 'retry', 'down']);
});

test('retry 0: DOWN at the first failure', async () => {
  const { clock, sched, transitions } = setup();
  sched.add({ id: 'c', serverId: 'rs', timing: timing({ retry: 0 }), probe: async () => FAIL });
  sched.start();
  await clock.advance(0);
  assert.equal(transitions.length, 1);
  assert.equal(sched.serverUp('rs'), false);
});

test('alpha: the server starts DOWN and comes UP on the first success', async () => {
  const { clock, sched, transitions } = setup();
  const { self, probe } = scripted(clock);
  self.healthy = false;
  sched.add({ id: 'c', serverId: 'rs', timing: timing({ alpha: true }), probe });
  assert.equal(sched.serverUp('rs'), false);
  sched.start();
  await clock.advance(0);
  await clock.advance(10_000);
  assert.equal(transitions.length, 0, 'failing while already down is no transition');
  assert.deepEqual(self.calls, [0, 3_000], 'a down checker retries after delay_before_retry, as keepalived');
  self.healthy = true;
  await clock.advance(10_000);
  assert.deepEqual(transitions.map((t) => t.up), [true]);
});

test('several checkers: the server is UP only when all are up', async () => {
  const { clock, sched, transitions } = setup();
  const a = scripted(clock);
  const b = scripted(clock);
  sched.add({ id: 'a', serverId: 'rs', timing: timing({ retry: 0 }), probe: a.probe });
  sched.add({ id: 'b', serverId: 'rs', timing: timing({ retry: 0, delayLoopMs: 5_000 }), probe: b.probe });
  sched.start();
  await clock.advance(0);
  b.self.healthy = false;
  await clock.advance(5_000);
  assert.deepEqual(transitions.map((t) => [t.up, t.checkerId]), [[false, 'b']]);
  a.self.healthy = false;
  await clock.advance(5_000); // a fails too: still down, no new transition
  assert.equal(transitions.length, 1);
  b.self.healthy = true;
  await clock.advance(5_000); // b up, a still down
  assert.equal(sched.serverUp('rs'), false);
  assert.equal(transitions.length, 1);
  a.self.healthy = true;
  await clock.advance(5_000);
  assert.deepEqual(transitions.map((t) => [t.up, t.checkerId]), [[false, 'b'], [true, 'a']]);
});

test('warmup: first attempts spread uniformly over [0, warmup)', async () => {
  const { clock, sched } = setup();
  const firsts: number[] = [];
  for (let i = 0; i < 200; i++) {
    let seen = false;
    sched.add({ id: `c${i}`, serverId: `rs${i}`, timing: timing({ warmupMs: 8_000 }), probe: async () => { if (!seen) firsts.push(clock.monotonicMs()); seen = true; return OK; } });
  }
  sched.start();
  await clock.advance(7_999);
  assert.equal(firsts.length, 200);
  const buckets = [0, 0, 0, 0];
  for (const t of firsts) buckets[Math.floor(t / 2_000)]! += 1;
  for (const b of buckets) assert.ok(b > 30, `bucket too small: ${buckets.join(',')}`);
});

test('spread: 2000 checkers with warmup 0 do not fire in lockstep and drift apart', async () => {
  const { clock, sched } = setup(false);
  const perMs = new Map<number, number>();
  for (let i = 0; i < 2_000; i++) {
    sched.add({ id: `c${i}`, serverId: `rs${i}`, timing: timing({ delayLoopMs: 2_000 }), probe: async () => { const t = clock.monotonicMs(); perMs.set(t, (perMs.get(t) ?? 0) + 1); return OK; } });
  }
  sched.start();
  await clock.advance(20_000);
  const worst = Math.max(...perMs.values());
  assert.ok(worst <= 12, `at most a handful per ms, got ${worst}`);
  const total = [...perMs.values()].reduce((a, b) => a + b, 0);
  assert.ok(total > 2_000 * 9 && total < 2_000 * 12, `about 10 rounds each, got ${total}`);
});

test('a hung probe is cut at the attempt deadline and counts as a failure; stop aborts', async () => {
  const { clock, sched, transitions } = setup();
  let aborted = 0;
  const hang = (signal: AbortSignal) => new Promise<ProbeResult>((resolve) => signal.addEventListener('abort', () => { aborted++; resolve(FAIL); }));
  sched.add({ id: 'c', serverId: 'rs', timing: timing({ retry: 0, connectTimeoutMs: 1_000 }), probe: hang });
  sched.start();
  await clock.advance(3_999);
  assert.equal(transitions.length, 0);
  await clock.advance(1); // 3 x 1000 + 1000
  assert.equal(transitions.length, 1);
  assert.match(transitions[0]?.reason ?? '', /internal: attempt exceeded 4000 ms/);
  await clock.advance(10_000);
  sched.stop();
  await clock.advance(0); // the aborted attempt settles and its deadline timer is cleared
  assert.equal(aborted, 2);
  assert.equal(clock.timerCount(), 0);
});

test('a throwing probe is an internal failure; bad timing and duplicates are typed errors', async () => {
  const { clock, sched, transitions } = setup();
  sched.add({ id: 'c', serverId: 'rs', timing: timing({ retry: 0 }), probe: async () => { throw new Error('boom'); } });
  sched.start();
  await clock.advance(0);
  assert.match(transitions[0]?.reason ?? '', /probe threw: boom/);
  assert.throws(() => sched.add({ id: 'c', serverId: 'rs', timing: timing(), probe: async () => OK }), (e: unknown) => e instanceof CheckError && e.code === 'CHECK_DUPLICATE_ID');
  assert.throws(() => sched.add({ id: 'd', serverId: 'rs', timing: timing({ delayLoopMs: 0 }), probe: async () => OK }), (e: unknown) => e instanceof CheckError && e.code === 'CHECK_BAD_TIMING');
  sched.remove('c');
  assert.equal(sched.serverUp('rs'), undefined);
});
