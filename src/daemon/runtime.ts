/**
 * The daemon's process-level ports: time (Clock; only createSystemClock touches real timers),
 * signals (SignalSource; FakeSignals for tests) and keepalived's exit codes.
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

export type DaemonSignal = 'SIGHUP' | 'SIGTERM' | 'SIGINT' | 'SIGUSR1' | 'SIGUSR2';

export interface SignalSource {
  /** Subscribes; returns the unsubscribe function. */
  on(signal: DaemonSignal, handler: () => void): () => void;
}

export const processSignals: SignalSource = {
  on(signal, handler) {
    process.on(signal, handler);
    return () => void process.off(signal, handler);
  },
};

/** A fake source: `raise` calls the handlers synchronously. */
export class FakeSignals implements SignalSource {
  private readonly handlers = new Map<DaemonSignal, Set<() => void>>();

  on(signal: DaemonSignal, handler: () => void): () => void {
    const set = this.handlers.get(signal) ?? new Set();
    set.add(handler);
    this.handlers.set(signal, set);
    return () => void set.delete(handler);
  }

  raise(signal: DaemonSignal): void {
    for (const h of [...(this.handlers.get(signal) ?? [])]) h();
  }

  listenerCount(signal: DaemonSignal): number {
    return this.handlers.get(signal)?.size ?? 0;
  }
}

export const ExitCode = {
  ok: 0,
  fatal: 1,
  config: 2,
  missingPermission: 4,
  noConfig: 6,
  programError: 70,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
