/**
 * One attempt on a StreamConnector (the fast path of TCP_CHECK and HTTP_GET) with ONE timer:
 * it is armed for connect_timeout, and every later deadline (the read timeout, re-armed on every
 * read as keepalived does) only moves a number; when the timer fires early it re-arms itself for
 * the rest. The abort signal closes the stream. Resolves, never rejects.
 *
 * A StreamAttemptRunner serves the attempts of one checker: the scheduler reuses a checker's
 * AbortSignal until it aborts one, so the runner listens to each signal ONCE (not once per
 * attempt) and aborts whichever attempt is current.
 */
import type { CheckClock, CheckTimer } from '../clock.js';
import { classifySocketError } from '../connect.js';
import type { ProbeResult } from '../probe.js';
import type { StreamConnector, StreamError, StreamHandle, StreamSink } from '../stream-port.js';

export interface AttemptTimeouts {
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
}

/** What an attempt does with the stream; it returns the verdict once the exchange is over. */
export interface AttemptHandler {
  /** Bytes received (valid only during the call); true = the answer is complete. */
  onData(bytes: Buffer): boolean;
  /** The exchange ended normally (complete answer, or the peer closed): the verdict. */
  finish(closedByPeer: boolean): ProbeResult;
  /** A failure to report as is (body too large, bad header); undefined when there is none. */
  failure(): ProbeResult | undefined;
}

type Failure = Extract<ProbeResult, { ok: false }>;
/** Rewrites an attempt's result before it resolves (e.g. prefixes failures with the url). */
export type ResultMap = (r: ProbeResult) => ProbeResult;

class StreamAttempt implements StreamSink {
  private timer: CheckTimer | undefined;
  private deadlineMs: number;
  private connected = false;
  settled = false;
  private handle: StreamHandle | undefined;

  constructor(
    private readonly clock: CheckClock,
    private readonly timeouts: AttemptTimeouts,
    private readonly handler: AttemptHandler | undefined,
    private readonly resolve: (r: ProbeResult) => void,
    private readonly map: ResultMap | undefined,
  ) {
    this.deadlineMs = clock.monotonicMs() + timeouts.connectTimeoutMs;
  }

  abort(): void {
    this.settle(ABORTED);
  }

  start(connector: StreamConnector, request: Uint8Array): void {
    this.timer = this.clock.setTimer(this.onTimer, this.timeouts.connectTimeoutMs);
    this.handle = connector.open(request, this);
    if (this.settled) this.handle.close();
  }

  onConnected(): boolean {
    this.connected = true;
    if (this.handler === undefined) {
      this.settle({ ok: true });
      return true;
    }
    this.deadlineMs = this.clock.monotonicMs() + this.timeouts.readTimeoutMs;
    return false;
  }

  onData(bytes: Buffer): boolean {
    if (this.settled || this.handler === undefined) return true;
    if (this.handler.onData(bytes)) {
      this.settle(this.handler.failure() ?? this.handler.finish(false));
      return true;
    }
    this.deadlineMs = this.clock.monotonicMs() + this.timeouts.readTimeoutMs;
    return false;
  }

  onEnd(): void {
    if (this.handler !== undefined) this.settle(this.handler.failure() ?? this.handler.finish(true));
  }

  onError(error: StreamError): void {
    this.settle({ ok: false, ...classifySocketError(error) });
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (this.settled) return;
    const leftMs = this.deadlineMs - this.clock.monotonicMs();
    if (leftMs > 0) {
      this.timer = this.clock.setTimer(this.onTimer, Math.ceil(leftMs));
      return;
    }
    this.settle(this.timeoutFailure());
  };

  private timeoutFailure(): Failure {
    if (!this.connected) return { ok: false, failure: 'connect-timeout', reason: `no connection within ${this.timeouts.connectTimeoutMs} ms` };
    return { ok: false, failure: 'read-timeout', reason: `no data for ${this.timeouts.readTimeoutMs} ms` };
  }

  private settle(result: ProbeResult): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.handle?.close();
    this.resolve(this.map === undefined ? result : this.map(result));
  }
}

const ABORTED: ProbeResult = { ok: false, failure: 'internal', reason: 'aborted' };

/**
 * Runs the attempts of one checker on `connector`: connects, writes the request and feeds the
 * answer to the handler (TCP_CHECK passes no handler: the attempt succeeds once connected).
 * Failures carry keepalived's classes (connect-timeout, connect-refused, read-timeout, reset ...).
 * Attempts of one runner must not overlap (the scheduler's rule).
 */
export class StreamAttemptRunner {
  private current: StreamAttempt | undefined;
  private watched: AbortSignal | undefined;
  private readonly onAbort = (): void => {
    this.watched = undefined;
    this.current?.abort();
  };

  constructor(private readonly connector: StreamConnector, private readonly clock: CheckClock, private readonly timeouts: AttemptTimeouts) {}

  run(request: Uint8Array, handler: AttemptHandler | undefined, signal: AbortSignal, map?: ResultMap): Promise<ProbeResult> {
    if (signal.aborted) return Promise.resolve(map === undefined ? ABORTED : map(ABORTED));
    if (signal !== this.watched) {
      this.watched?.removeEventListener('abort', this.onAbort);
      this.watched = signal;
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
    return new Promise((resolve) => {
      const attempt = new StreamAttempt(this.clock, this.timeouts, handler, resolve, map);
      this.current = attempt;
      attempt.start(this.connector, request);
    });
  }
}

/** One attempt with its own runner (callers without a per-checker runner). */
export function runStreamAttempt(connector: StreamConnector, request: Uint8Array, handler: AttemptHandler | undefined, clock: CheckClock, timeouts: AttemptTimeouts, signal: AbortSignal): Promise<ProbeResult> {
  return new StreamAttemptRunner(connector, clock, timeouts).run(request, handler, signal);
}
