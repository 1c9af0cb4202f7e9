/**
 * The time and randomness the checkers run on. Structurally compatible with the daemon's Clock
 * (src/daemon/runtime.ts), so the daemon passes its clock in; tests pass a manual clock.
 * Nothing in src/check reads real time or real randomness itself.
 */
export type CheckTimer = { readonly id: number };

export interface CheckClock {
  /** Monotonic time in ms (durations, deadlines). */
  monotonicMs(): number;
  setTimer(callback: () => void, delayMs: number): CheckTimer;
  clearTimer(handle: CheckTimer): void;
}

/** Uniform in [0, 1). */
export type Rng = () => number;

/**
 * Runs `work` with a deadline on the injected clock: resolves with `onTimeout()` when the clock
 * fires first. The timer is always cleared.
 */
export function withDeadline<T>(clock: CheckClock, delayMs: number, work: Promise<T>, onTimeout: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    let settled = false;
    const timer = clock.setTimer(() => {
      if (settled) return;
      settled = true;
      resolve(onTimeout());
    }, delayMs);
    void work.then((value) => {
      if (settled) return;
      settled = true;
      clock.clearTimer(timer);
      resolve(value);
    });
  });
}
