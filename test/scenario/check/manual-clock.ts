/** A manual clock and seeded rng for checker scenarios: time moves only when the test says so. */
import type { CheckClock, CheckTimer, Rng } from '../../../src/check/clock.js';

interface Pending {
  readonly id: number;
  readonly atMs: number;
  readonly callback: () => void;
}

export class ManualClock implements CheckClock {
  private nowMsValue = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  monotonicMs(): number {
    return this.nowMsValue;
  }

  setTimer(callback: () => void, delayMs: number): CheckTimer {
    const id = this.nextId++;
    this.pending.set(id, { id, atMs: this.nowMsValue + Math.max(0, delayMs), callback });
    return { id };
  }

  clearTimer(handle: CheckTimer): void {
    this.pending.delete(handle.id);
  }

  timerCount(): number {
    return this.pending.size;
  }

  /** Advances time by `ms`, firing due timers in order and letting promises settle between. */
  async advance(ms: number): Promise<void> {
    const target = this.nowMsValue + ms;
    for (;;) {
      await flush();
      const next = this.earliest();
      if (!next || next.atMs > target) break;
      this.pending.delete(next.id);
      this.nowMsValue = next.atMs;
      next.callback();
    }
    this.nowMsValue = target;
    await flush();
  }

  private earliest(): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.pending.values()) if (!best || p.atMs < best.atMs || (p.atMs === best.atMs && p.id < best.id)) best = p;
    return best;
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** Deterministic rng (mulberry32). */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
