/**
 * One ordered timer queue for every checker timer (next attempts, attempt deadlines, connect and
 * read timeouts), driven by ONE timer of the underlying clock.
 *
 * With ten thousand checkers at delay_loop 1 the daemon would otherwise keep tens of thousands of
 * individual runtime timers alive and create and cancel two or three per check. Here a timer is a
 * small entry in a binary min-heap ordered by (due time, arming order); the underlying clock timer
 * always targets the earliest live entry. Cancelling only marks the entry (O(1)); cancelled
 * entries are dropped when they reach the top, and the heap is emptied once nothing is live, so a
 * stopped queue holds no underlying timer.
 *
 * Timers fire at their exact due time in arming order, like the clock they wrap, so the queue is a
 * drop-in CheckClock; or, with a resolution, in coalesced wake-ups at most that many ms late. Callbacks due together run in one underlying callback (a callback arming a
 * timer already due runs it in the same pass, after the ones already due).
 */
import type { CheckClock, CheckTimer } from './clock.js';

class QueueTimer implements CheckTimer {
  /** Unused by the queue; kept for CheckTimer's shape (debugging aid: arming order). */
  readonly id: number;
  live = true;
  constructor(readonly atMs: number, readonly seq: number, readonly callback: () => void) {
    this.id = seq;
  }
}

function before(a: QueueTimer, b: QueueTimer): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}

/** Runs due callbacks for at most this long (or this many) per underlying callback, then yields. */
const MAX_PASS_MS = 20;
const MAX_PASS_CALLBACKS = 100_000;
/**
 * Runtime timers count whole milliseconds and may fire up to 1 ms before a fractional due time;
 * entries due within this much of now run in that pass instead of costing another wake-up.
 * Below 1 ms, so a clock with whole-ms times (tests) still sees every timer at its exact time.
 */
const EARLY_MS = 0.999;

export class TimerQueue implements CheckClock {
  private readonly heap: QueueTimer[] = [];
  private liveCount = 0;
  private seq = 0;
  private armed: CheckTimer | undefined;
  private armedAtMs = Number.POSITIVE_INFINITY;
  private firing = false;

  /**
   * @param resolutionMs 0: every timer fires at its exact due time. N > 0: the underlying timer
   *   only targets multiples of N ms, so timers due within the same N ms run in one wake-up (never
   *   early, at most N ms late). At thousands of checks per second a wake-up of the runtime costs
   *   as much as the JavaScript of a check; a few ms of lateness costs nothing to a health check.
   */
  constructor(private readonly clock: CheckClock, private readonly resolutionMs = 0) {}

  monotonicMs(): number {
    return this.clock.monotonicMs();
  }

  setTimer(callback: () => void, delayMs: number): CheckTimer {
    const t = new QueueTimer(this.clock.monotonicMs() + Math.max(0, delayMs), ++this.seq, callback);
    this.push(t);
    this.liveCount++;
    if (!this.firing && t.atMs < this.armedAtMs) this.rearm();
    return t;
  }

  clearTimer(handle: CheckTimer): void {
    if (!(handle instanceof QueueTimer) || !handle.live) return;
    handle.live = false;
    this.liveCount--;
    if (this.liveCount === 0 && !this.firing) this.reset();
    else if (this.heap.length > 2 * this.liveCount + 1024 && !this.firing) this.compact();
  }

  /** Live (armed, not fired, not cleared) timers. */
  size(): number {
    return this.liveCount;
  }

  private readonly fire = (): void => {
    this.armed = undefined;
    this.armedAtMs = Number.POSITIVE_INFINITY;
    this.firing = true;
    const startMs = this.clock.monotonicMs();
    let nowMs = startMs + EARLY_MS;
    try {
      for (let n = 0; ; n++) {
        const top = this.heap[0];
        if (top === undefined || top.atMs > nowMs) break;
        this.pop();
        if (!top.live) continue;
        top.live = false;
        this.liveCount--;
        top.callback();
        if ((n & 63) === 63) {
          nowMs = this.clock.monotonicMs() + EARLY_MS;
          if (nowMs - startMs > MAX_PASS_MS || n >= MAX_PASS_CALLBACKS) break; // yield to I/O; the rest runs next turn
        }
      }
    } finally {
      this.firing = false;
      if (this.liveCount === 0) this.reset();
      else this.rearm();
    }
  };

  /** Drops cancelled entries from the top and points the underlying timer at the earliest one. */
  private rearm(): void {
    let top = this.heap[0];
    while (top !== undefined && !top.live) {
      this.pop();
      top = this.heap[0];
    }
    if (top === undefined) return this.reset();
    const r = this.resolutionMs;
    const atMs = r > 0 ? Math.ceil(top.atMs / r) * r : top.atMs;
    if (this.armed !== undefined && this.armedAtMs <= atMs) return;
    if (this.armed !== undefined) this.clock.clearTimer(this.armed);
    this.armedAtMs = atMs;
    this.armed = this.clock.setTimer(this.fire, Math.max(0, atMs - this.clock.monotonicMs()));
  }

  private reset(): void {
    this.heap.length = 0;
    if (this.armed !== undefined) this.clock.clearTimer(this.armed);
    this.armed = undefined;
    this.armedAtMs = Number.POSITIVE_INFINITY;
  }

  /**
   * Drops cancelled entries once they outnumber the live ones (attempt deadlines are nearly always
   * cancelled long before they are due): the heap stays at most about twice the live timers.
   */
  private compact(): void {
    const live = this.heap.filter((t) => t.live);
    this.heap.length = 0;
    for (const t of live) this.push(t);
  }

  private push(t: QueueTimer): void {
    const h = this.heap;
    let i = h.length;
    h.push(t);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent] as QueueTimer;
      if (!before(t, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = t;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    const n = h.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(h[r] as QueueTimer, h[l] as QueueTimer) ? r : l;
      const child = h[c] as QueueTimer;
      if (!before(child, last)) break;
      h[i] = child;
      i = c;
    }
    h[i] = last;
  }
}
