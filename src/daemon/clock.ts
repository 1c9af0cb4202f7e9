/**
 * Time as the daemon sees it. Only systemClock touches the real timers; tests pass a manual clock.
 */
export type TimerHandle = { readonly id: number };

export interface Clock {
  /** Wall-clock time in ms since the epoch (for log timestamps and dump files). */
  nowMs(): number;
  /** Monotonic time in ms (for durations and deadlines). */
  monotonicMs(): number;
  setTimer(callback: () => void, delayMs: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export function createSystemClock(): Clock {
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  let nextId = 1;
  return {
    nowMs: () => Date.now(),
    monotonicMs: () => performance.now(),
    setTimer(callback, delayMs) {
      const id = nextId++;
      const t = setTimeout(() => {
        timers.delete(id);
        callback();
      }, delayMs);
      timers.set(id, t);
      return { id };
    },
    clearTimer(handle) {
      const t = timers.get(handle.id);
      if (t !== undefined) clearTimeout(t);
      timers.delete(handle.id);
    },
  };
}

/** C ctime(3) text without the newline: "Wed Nov 25 14:34:52 2026" (local time). */
export function ctimeText(epochMs: number): string {
  const d = new Date(epochMs);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number): string => String(n).padStart(2, '0');
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return `${days[d.getDay()]} ${months[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${time} ${d.getFullYear()}`;
}
