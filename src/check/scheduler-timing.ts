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
}

export const DEFAULT_SPREAD: SpreadOptions = { jitterFraction: 0.05, maxInitialSpreadMs: 1_000 };

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

/** Delay before a checker's first attempt: random in [0, warmup) as keepalived, else spread. */
export function firstDelayMs(t: SchedulerTiming, spread: SpreadOptions, rng: Rng): number {
  if (t.warmupMs > 0) return Math.floor(rng() * t.warmupMs);
  const window = Math.min(t.delayLoopMs, spread.maxInitialSpreadMs);
  return window > 0 ? Math.floor(rng() * window) : 0;
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
