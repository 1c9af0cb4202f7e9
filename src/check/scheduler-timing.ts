/**
 * Timing arithmetic of the checker scheduler: validation, the first-run phase (warmup, spread)
 * and the jitter that keeps thousands of checkers from firing in lockstep.
 */
import type { CheckerTiming } from '../config/model/lvs.js';
import type { Rng } from './clock.js';
import { CheckError } from './errors.js';

/** The part of CheckerTiming the scheduler reads. */
export type SchedulerTiming = Pick<CheckerTiming, 'delayLoopMs' | 'connectTimeoutMs' | 'retry' | 'delayBeforeRetryMs' | 'warmupMs' | 'alpha'>;

export interface SpreadOptions {
  /**
   * Each delay_loop interval is scaled by a random factor in [1 - f, 1 + f]; 0 keeps keepalived's
   * exact period. Keeps checkers started together from staying in phase (HAProxy spread-checks).
   */
  readonly jitterFraction: number;
  /**
   * With warmup 0 keepalived starts every checker at once; we spread first runs uniformly over
   * [0, min(delay_loop, this)) instead. 0 restores keepalived's immediate start.
   */
  readonly maxInitialSpreadMs: number;
  /**
   * Phase lock: after a success the next attempt is due delay_loop after the previous one was DUE
   * (not after it completed), so a checker keeps the phase it was given at start and the attempt
   * time and event-loop lateness do not accumulate. An attempt that ends later than half a
   * delay_loop before the next due time re-phases (keepalived's rule: delay_loop after the end).
   * Failures always wait from their end, as keepalived does.
   */
  readonly phaseLock: boolean;
}

/**
 * First runs are placed at fixed, evenly spread phases (a low-discrepancy sequence over the
 * registration order) and kept by the phase lock: no random jitter is needed to stay spread.
 */
export const DEFAULT_SPREAD: SpreadOptions = { jitterFraction: 0, maxInitialSpreadMs: 1_000, phaseLock: true };

/** The fractional part of the golden ratio: i * GOLDEN mod 1 spreads any prefix of 0, 1, 2 ... evenly. */
const GOLDEN = 0.6180339887498949;

export function validateTiming(id: string, t: SchedulerTiming): void {
  const fields: [string, number][] = [
    ['delayLoopMs', t.delayLoopMs],
    ['connectTimeoutMs', t.connectTimeoutMs],
    ['retry', t.retry],
    ['delayBeforeRetryMs', t.delayBeforeRetryMs],
    ['warmupMs', t.warmupMs],
  ];
  for (const [name, value] of fields) {
    if (!Number.isFinite(value) || value < 0) {
      throw new CheckError('CHECK_BAD_TIMING', `${id}: ${name} must be a finite number >= 0, got ${String(value)}`);
    }
  }
  if (t.delayLoopMs <= 0) throw new CheckError('CHECK_BAD_TIMING', `${id}: delayLoopMs must be > 0`);
}

/**
 * Delay before a checker's first attempt: random in [0, warmup) as keepalived; with warmup 0 a
 * fixed phase in [0, min(delay_loop, maxInitialSpreadMs)) from the checker's registration index,
 * so N checkers started together fire evenly over the window (never in bursts).
 */
export function firstDelayMs(t: SchedulerTiming, spread: SpreadOptions, rng: Rng, index = 0): number {
  if (t.warmupMs > 0) return Math.floor(rng() * t.warmupMs);
  const window = Math.min(t.delayLoopMs, spread.maxInitialSpreadMs);
  return window > 0 ? Math.floor((((index + 1) * GOLDEN) % 1) * window) : 0;
}

/**
 * Delay until the next attempt after a success with the phase lock: delay_loop after the previous
 * attempt was due, or `loopMs` from now when that is less than half of it away.
 */
export function phaseLockedDelayMs(loopMs: number, dueAtMs: number, nowMs: number): number {
  const left = dueAtMs + loopMs - nowMs;
  return left >= loopMs / 2 ? left : loopMs;
}

/** The delay_loop interval with jitter applied (never below 1 ms). */
export function loopDelayMs(t: SchedulerTiming, spread: SpreadOptions, rng: Rng): number {
  const f = spread.jitterFraction;
  if (f <= 0) return t.delayLoopMs;
  const scaled = t.delayLoopMs * (1 + f * (2 * rng() - 1));
  return Math.max(1, Math.round(scaled));
}

/** A safety bound on one attempt, past which the scheduler counts it as failed. */
export function attemptDeadlineMs(t: SchedulerTiming): number {
  return Math.max(1_000, 3 * t.connectTimeoutMs + 1_000);
}
