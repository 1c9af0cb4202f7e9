/**
 * A fake of the addon's timerfd calls for TimerfdClock (src/os/linux/timerfd-clock.ts), on a
 * manual monotonic clock (`now`, ns): it records what was armed and lets the test decide when
 * the fd becomes readable.
 *   advance(ns): time jumps by ns, then the fd fires once if the armed deadline has passed (a
 *                process that was stopped and wakes late);
 *   run(ns):     the process runs for ns: every armed deadline up to now + ns fires at its time.
 */
import type { TimerfdNative } from '../../src/os/linux/timerfd-clock.js';

export class FakeTimerfd implements TimerfdNative {
  armed: bigint | undefined;
  sets = 0;
  closed = false;
  private readable: ((error: string | null) => void) | undefined;

  constructor(public now = 1_000_000_000n) {}

  timerfdCreate(): number {
    return 42;
  }
  timerfdSet(_fd: number, seconds: number, nanoseconds: number): void {
    this.sets++;
    this.armed = BigInt(seconds) * 1_000_000_000n + BigInt(nanoseconds);
  }
  timerfdRead(): number {
    return 1;
  }
  poll(_fd: number, onReadable: (error: string | null) => void): { close(): void } {
    this.readable = onReadable;
    return { close: () => (this.readable = undefined) };
  }
  close(): void {
    this.closed = true;
  }
  advance(ns: bigint): void {
    this.now += ns;
    if (this.armed !== undefined && this.armed <= this.now) {
      this.armed = undefined;
      this.readable?.(null);
    }
  }
  run(ns: bigint): void {
    const end = this.now + ns;
    while (this.armed !== undefined && this.armed <= end) {
      this.now = this.armed;
      this.armed = undefined;
      this.readable?.(null);
    }
    this.now = end;
  }
}
