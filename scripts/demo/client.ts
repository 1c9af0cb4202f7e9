/**
 * The client side of the demo, in the demo's own process: reads the poller agent's JSON lines
 * (one per HTTP result, see poller-agent.ts), keeps them as samples, tells listeners about each
 * one, and answers the scenario's questions: who serves the VIP now, when did a node start
 * answering, and what was the longest time without any answer in a window (the outage).
 */
import type { LabProcess } from '../../test/support/lab/index.js';

export interface Sample {
  /** Start of the request, epoch ms (same clock as `nowMs()`). */
  readonly s: number;
  /** Completion time, epoch ms. */
  readonly t: number;
  /** The node that answered, or undefined when the request failed. */
  readonly node?: string;
  /** Why the request failed (ECONNREFUSED, timeout, EHOSTUNREACH, ...). */
  readonly error?: string;
  /**
   * A failure of a request started before a later-started request was answered (a timeout of a
   * request sent while the VIP was moving): it says nothing about now, so it does not break a
   * run of answers and is not shown; it still counts as a failed request.
   */
  readonly stale?: boolean;
}

export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

const READ_INTERVAL_MS = 20;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class ClientWatch {
  readonly samples: Sample[] = [];
  private cursor = 0;
  private lastAnswerStart = -Infinity;
  private readonly listeners = new Set<(s: Sample) => void>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly poller: LabProcess) {
    this.timer = setInterval(() => this.read(), READ_INTERVAL_MS);
  }

  onSample(listener: (s: Sample) => void): void {
    this.listeners.add(listener);
  }

  close(): void {
    clearInterval(this.timer);
    this.read();
  }

  /** The node that answered the last request (undefined if it failed or none was made). */
  current(): string | undefined {
    return this.samples.filter((s) => s.stale !== true).at(-1)?.node;
  }

  /**
   * Resolves with the time (epoch ms) of the first answer of `node` in a run of answers from it
   * that lasted `stableMs` with nothing else in between; undefined on timeout.
   */
  async waitServedBy(node: string, stableMs: number, timeoutMs: number): Promise<number | undefined> {
    const deadline = nowMs() + timeoutMs;
    for (;;) {
      this.read();
      const since = this.servingSince(node);
      if (since !== undefined && nowMs() - since >= stableMs) return since;
      if (nowMs() > deadline) return undefined;
      await sleep(READ_INTERVAL_MS);
    }
  }

  /** First answer of the current unbroken run of answers from `node`. */
  servingSince(node: string): number | undefined {
    let since: number | undefined;
    for (let i = this.samples.length - 1; i >= 0; i--) {
      const s = this.samples[i];
      if (s?.stale === true) continue;
      if (s === undefined || s.node !== node) break;
      since = s.t;
    }
    return since;
  }

  /**
   * Longest time without an answer (from any node) within [fromMs, toMs]: the longest interval
   * between consecutive answers, counting from the last answer before fromMs and up to toMs.
   */
  longestGap(fromMs: number, toMs: number): number {
    const answers = this.samples.filter((s) => s.node !== undefined).map((s) => s.t);
    const before = answers.filter((t) => t <= fromMs).at(-1) ?? fromMs;
    const inside = answers.filter((t) => t > fromMs && t <= toMs);
    let previous = before;
    let longest = 0;
    for (const t of [...inside, toMs]) {
      longest = Math.max(longest, t - previous);
      previous = t;
    }
    return Math.round(longest);
  }

  /** Failed requests within (fromMs, toMs]. */
  failures(fromMs: number, toMs: number): number {
    return this.samples.filter((s) => s.error !== undefined && s.t > fromMs && s.t <= toMs).length;
  }

  private read(): void {
    const lines = this.poller.stdoutLines;
    while (this.cursor < lines.length) {
      const parsed = parseSample(lines[this.cursor] ?? '');
      this.cursor++;
      if (parsed === undefined) continue;
      const stale = parsed.error !== undefined && parsed.s < this.lastAnswerStart;
      const sample = stale ? { ...parsed, stale } : parsed;
      if (sample.node !== undefined) this.lastAnswerStart = Math.max(this.lastAnswerStart, sample.s);
      this.samples.push(sample);
      for (const listener of this.listeners) listener(sample);
    }
  }
}

function parseSample(line: string): Sample | undefined {
  try {
    const v = JSON.parse(line) as { s?: unknown; t?: unknown; node?: unknown; error?: unknown };
    if (typeof v.t !== 'number' || typeof v.s !== 'number') return undefined;
    if (typeof v.node === 'string') return { s: v.s, t: v.t, node: v.node };
    return { s: v.s, t: v.t, error: typeof v.error === 'string' ? v.error : 'error' };
  } catch {
    return undefined;
  }
}
