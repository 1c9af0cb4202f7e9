/**
 * The VRRP driver's clock on one timerfd (CLOCK_MONOTONIC, absolute deadlines, microsecond
 * precision), watched on the libuv loop like the sockets.
 *
 * Why not setTimeout: Node's timers have millisecond resolution and libuv caches the loop time,
 * so a timer fires anywhere from ~1 ms early to ~1 ms late, and the driver's re-arm of an early
 * timer adds another millisecond. Measured in the lab (bench:failover, bench:stress): at
 * advert_int 0.01 our adverts left every 10.9 ms on average (keepalived 10.25 ms), and the
 * backup's Skew_Time at advert_int 0.1 ran ~1.3 ms longer than keepalived's. keepalived's own
 * scheduler runs its timers on a timerfd as well. A second effect: the timerfd is an fd like the
 * VRRP socket, so when both are ready after the process was starved, epoll reports them in the
 * order they became ready (an advert that arrived before the master-down deadline is read first),
 * where Node runs every due timer before it polls for I/O.
 *
 * Timers live in a binary min-heap by deadline (insertion order breaks ties); cancelled ones are
 * dropped lazily. The timerfd is armed for the earliest live deadline.
 *
 * Lateness (max_auto_priority, min_auto_priority_delay): a watcher is told of each wake-up whose
 * earliest due timer expired more than a threshold ago, before the timers run (keepalived checks
 * its earliest timer after each wake-up of its event loop, before it handles any event). A timer
 * cancelled after its deadline counts too: after a stall epoll reports the VRRP socket first when
 * its adverts arrived before the deadline, and a backup re-arms its master-down timer from them
 * before the timerfd is read. One report per stall: a timer that was already due at the last
 * reported wake-up is not reported again.
 */
import type { DriverClock, DriverTimerHandle } from '../../vrrp/ports.js';
import type { NativeAddon, PollHandle } from './native.js';

/** The part of the addon the clock uses (a fake in unit tests). */
export type TimerfdNative = Pick<NativeAddon, 'timerfdCreate' | 'timerfdSet' | 'timerfdRead' | 'poll' | 'close'>;

interface Entry {
  readonly id: number;
  readonly deadlineNs: bigint;
  readonly callback: () => void;
}

const NS_PER_S = 1_000_000_000n;

export class TimerfdClock implements DriverClock {
  private readonly heap: Entry[] = [];
  /** Live timers: id -> deadline (ns). */
  private readonly live = new Map<number, bigint>();
  private readonly fd: number;
  private readonly poller: PollHandle;
  private nextId = 1;
  /** The deadline the timerfd is armed for (undefined: disarmed). */
  private armedNs: bigint | undefined;
  private closed = false;
  private lateThresholdNs: bigint | undefined;
  private onLate: ((latenessUs: number) => void) | undefined;
  /** When the last late wake-up was reported (ns). */
  private lastLateWakeNs = -1n;

  constructor(
    private readonly native: TimerfdNative,
    /** CLOCK_MONOTONIC in ns (process.hrtime.bigint is libuv's uv_hrtime: the same clock). */
    private readonly monotonicNs: () => bigint = () => process.hrtime.bigint(),
    private readonly onError: (error: Error) => void = () => undefined,
  ) {
    this.fd = native.timerfdCreate();
    this.poller = native.poll(this.fd, (error) => {
      if (error !== null) this.onError(new Error(`timerfd poll: ${error}`));
      this.expire();
    });
  }

  nowUs(): number {
    return Number(this.monotonicNs() / 1000n);
  }

  setTimer(callback: () => void, delayUs: number): DriverTimerHandle {
    const id = this.nextId++;
    const deadlineNs = this.monotonicNs() + BigInt(Math.max(0, Math.ceil(delayUs))) * 1000n;
    this.push({ id, deadlineNs, callback });
    this.live.set(id, deadlineNs);
    this.rearm();
    return { id };
  }

  clearTimer(handle: DriverTimerHandle): void {
    const deadlineNs = this.live.get(handle.id);
    if (deadlineNs === undefined) return;
    this.live.delete(handle.id);
    if (this.lateThresholdNs !== undefined) this.noteLate(deadlineNs, this.monotonicNs());
  }

  /** Stops the poller and closes the timerfd; pending timers never fire. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.live.clear();
    this.heap.length = 0;
    this.poller.close();
    this.native.close(this.fd);
  }

  /**
   * Reports every wake-up whose earliest due timer expired more than thresholdUs ago, with the
   * lateness in µs (the listener runs before the due timers). One watcher; a new call replaces it.
   */
  watchLateness(thresholdUs: number, listener: (latenessUs: number) => void): void {
    this.lateThresholdNs = BigInt(Math.max(0, Math.floor(thresholdUs))) * 1000n;
    this.onLate = listener;
  }

  /** Timers still pending (tests, diagnostics). */
  get pending(): number {
    return this.live.size;
  }

  /** The timerfd is readable: run every due timer (in deadline order), then re-arm. */
  private expire(): void {
    if (this.closed) return;
    this.native.timerfdRead(this.fd);
    this.armedNs = undefined;
    const now = this.monotonicNs();
    // timers added by a callback for "now" run in the next round, after I/O (as setTimeout(0))
    const due: Entry[] = [];
    for (let top = this.heap[0]; top !== undefined && top.deadlineNs <= now; top = this.heap[0]) {
      this.pop();
      if (this.live.delete(top.id)) due.push(top);
    }
    const first = due[0];
    if (first !== undefined) this.noteLate(first.deadlineNs, now);
    for (const entry of due) {
      try {
        entry.callback();
      } catch (e) {
        this.onError(e instanceof Error ? e : new Error(String(e)));
      }
    }
    this.rearm();
  }

  /** A timer due at deadlineNs runs (or is cancelled) at now. */
  private noteLate(deadlineNs: bigint, now: bigint): void {
    const threshold = this.lateThresholdNs;
    if (threshold === undefined || now - deadlineNs <= threshold || deadlineNs <= this.lastLateWakeNs) return;
    this.lastLateWakeNs = now;
    try {
      this.onLate?.(Number((now - deadlineNs) / 1000n));
    } catch (e) {
      this.onError(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private rearm(): void {
    if (this.closed) return;
    while (this.heap[0] !== undefined && !this.live.has(this.heap[0].id)) this.pop();
    const next = this.heap[0]?.deadlineNs;
    if (next === undefined || next === this.armedNs) return;
    // a deadline already past still arms (1 ns): the fd becomes readable at once
    const at = next > 0n ? next : 1n;
    this.native.timerfdSet(this.fd, Number(at / NS_PER_S), Number(at % NS_PER_S));
    this.armedNs = next;
  }

  private push(entry: Entry): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i] as Entry, h[parent] as Entry)) break;
      [h[i], h[parent]] = [h[parent] as Entry, h[i] as Entry];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l] as Entry, h[m] as Entry)) m = l;
      if (r < h.length && before(h[r] as Entry, h[m] as Entry)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m] as Entry, h[i] as Entry];
      i = m;
    }
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.deadlineNs < b.deadlineNs || (a.deadlineNs === b.deadlineNs && a.id < b.id);
}
