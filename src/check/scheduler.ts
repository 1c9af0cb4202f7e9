/**
 * The one checker scheduler (DESIGN principle 7). Every probe kind runs under the same rules,
 * those of keepalived 2.2.7:
 *
 * - the first attempt comes after a random delay up to `warmup` (spread when warmup is 0);
 * - a checker starts UP, or DOWN with `alpha`;
 * - success: the retry counter resets, an UP transition fires if the checker was down (UP on the
 *   first success), the next attempt is `delay_loop` later;
 * - failure while UP: the first `retry` failures are retried `delay_before_retry` apart; failure
 *   number retry+1 takes the checker DOWN and the next attempt is `delay_loop` later;
 * - failure while DOWN: no retries, next attempt `delay_loop` later;
 * - a real server is UP only when all of its checkers are UP.
 *
 * Attempts of one checker never overlap. Time and randomness come from the injected clock/rng.
 */
import type { Probe, ProbeResult } from './probe.js';
import type { CheckClock, CheckTimer, Rng } from './clock.js';
import { CheckError } from './errors.js';
import { ServerHealth, type ServerTransition } from './server-health.js';
import { attemptDeadlineMs, DEFAULT_SPREAD, firstDelayMs, loopDelayMs, phaseLockedDelayMs, validateTiming, type SchedulerTiming, type SpreadOptions } from './scheduler-timing.js';

export interface CheckerSpec {
  /** Unique id, e.g. "[192.0.2.2]:tcp:80 HTTP_GET". */
  readonly id: string;
  /** The real server this checker votes for. */
  readonly serverId: string;
  readonly timing: SchedulerTiming;
  readonly probe: Probe;
  /** Overrides the safety bound on one attempt (default 3 x connect_timeout + 1 s). */
  readonly attemptDeadlineMs?: number;
  /** Starts suspended (ha_suspend, virtual server address absent): see setSuspended. */
  readonly suspended?: boolean;
}

export interface CheckerEvent {
  readonly checkerId: string;
  readonly serverId: string;
  readonly result: ProbeResult;
  /** 'up'/'down' when this attempt changed the checker's state, 'retry' when a retry is armed. */
  readonly outcome: 'up' | 'down' | 'retry' | 'steady';
  /** Consecutive failures counted so far (0 after a success). */
  readonly failures: number;
}

export interface SchedulerOptions {
  readonly clock: CheckClock;
  readonly rng: Rng;
  readonly onServerTransition: (t: ServerTransition) => void;
  readonly onCheckerEvent?: (e: CheckerEvent) => void;
  readonly spread?: Partial<SpreadOptions>;
}

interface CheckerState {
  readonly spec: CheckerSpec;
  up: boolean;
  /** Whether an attempt has completed since the checker was (re)started. */
  hasRun: boolean;
  failures: number;
  /** The next-attempt timer, or while an attempt runs, its deadline timer (never both). */
  timer: CheckTimer | undefined;
  inFlight: boolean;
  /** Reused by every attempt until one is aborted (then replaced): no allocation per attempt. */
  controller: AbortController | undefined;
  attempts: number;
  /** Registration order (the first-run phase). */
  readonly index: number;
  /** When the armed (or running) attempt was due, on the clock. */
  dueAtMs: number;
  /** ha_suspend: a due attempt is skipped and the timer re-armed delay_loop later. */
  suspended: boolean;
}

export interface CheckerSnapshot {
  readonly id: string;
  readonly serverId: string;
  readonly up: boolean;
  readonly failures: number;
  readonly attempts: number;
  readonly running: boolean;
}

export class CheckScheduler {
  private readonly clock: CheckClock;
  private readonly rng: Rng;
  private readonly spread: SpreadOptions;
  private readonly checkers = new Map<string, CheckerState>();
  private readonly health = new ServerHealth();
  private readonly options: SchedulerOptions;
  private started = false;
  private added = 0;

  constructor(options: SchedulerOptions) {
    this.options = options;
    this.clock = options.clock;
    this.rng = options.rng;
    this.spread = { ...DEFAULT_SPREAD, ...options.spread };
  }

  /** Registers a checker; it starts at once when the scheduler is already running. */
  add(spec: CheckerSpec): void {
    if (this.checkers.has(spec.id)) throw new CheckError('CHECK_DUPLICATE_ID', `checker ${spec.id} registered twice`);
    validateTiming(spec.id, spec.timing);
    const state: CheckerState = { spec, up: !spec.timing.alpha, hasRun: false, failures: 0, timer: undefined, inFlight: false, controller: undefined, attempts: 0, index: this.added++, dueAtMs: 0, suspended: spec.suspended ?? false };
    this.checkers.set(spec.id, state);
    this.health.add(spec.serverId, spec.id, state.up);
    if (this.started) this.armFirst(state);
  }

  /** Unregisters a checker, aborting its attempt in flight. */
  remove(checkerId: string): void {
    const state = this.checkers.get(checkerId);
    if (!state) return;
    this.halt(state);
    this.checkers.delete(checkerId);
    this.health.remove(state.spec.serverId, checkerId);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const state of this.checkers.values()) this.armFirst(state);
  }

  /** Stops every timer and aborts attempts in flight. */
  stop(): void {
    this.started = false;
    for (const state of this.checkers.values()) this.halt(state);
  }

  /**
   * ha_suspend, keepalived's way: a suspended checker keeps its timer, state and failure count;
   * when an attempt falls due it probes nothing and comes back delay_loop later. An attempt in
   * flight completes. Resuming does not probe at once: the next due attempt runs.
   */
  setSuspended(checkerId: string, suspended: boolean): void {
    const state = this.checkers.get(checkerId);
    if (state) state.suspended = suspended;
  }

  isSuspended(checkerId: string): boolean | undefined {
    return this.checkers.get(checkerId)?.suspended;
  }

  serverUp(serverId: string): boolean | undefined {
    return this.health.isUp(serverId);
  }

  snapshot(checkerId: string): CheckerSnapshot | undefined {
    const s = this.checkers.get(checkerId);
    if (!s) return undefined;
    return { id: s.spec.id, serverId: s.spec.serverId, up: s.up, failures: s.failures, attempts: s.attempts, running: s.inFlight };
  }

  /** Number of attempts in flight right now. */
  inFlightCount(): number {
    let n = 0;
    for (const s of this.checkers.values()) if (s.inFlight) n++;
    return n;
  }

  private halt(state: CheckerState): void {
    if (state.timer) this.clock.clearTimer(state.timer);
    state.timer = undefined;
    if (state.inFlight) this.abortAttempt(state);
  }

  private abortAttempt(state: CheckerState): void {
    state.inFlight = false;
    state.controller?.abort();
    state.controller = undefined;
  }

  private armFirst(state: CheckerState): void {
    this.arm(state, firstDelayMs(state.spec.timing, this.spread, this.rng, state.index));
  }

  private arm(state: CheckerState, delayMs: number): void {
    if (state.timer) this.clock.clearTimer(state.timer);
    state.dueAtMs = this.clock.monotonicMs() + delayMs;
    state.timer = this.clock.setTimer(() => {
      state.timer = undefined;
      this.attempt(state);
    }, delayMs);
  }

  private attempt(state: CheckerState): void {
    if (state.suspended) {
      this.arm(state, state.spec.timing.delayLoopMs);
      return;
    }
    const controller = (state.controller ??= new AbortController());
    state.inFlight = true;
    const token = ++state.attempts;
    const deadline = state.spec.attemptDeadlineMs ?? attemptDeadlineMs(state.spec.timing);
    state.timer = this.clock.setTimer(() => {
      state.timer = undefined;
      if (!state.inFlight || state.attempts !== token) return;
      this.abortAttempt(state);
      this.complete(state, { ok: false, failure: 'internal', reason: `attempt exceeded ${deadline} ms` });
    }, deadline);
    void safeProbe(state.spec.probe, controller.signal).then((result) => {
      if (!state.inFlight || state.attempts !== token) return; // halted, removed or cut meanwhile
      state.inFlight = false;
      if (state.timer) this.clock.clearTimer(state.timer);
      state.timer = undefined;
      this.complete(state, result);
    });
  }

  private complete(state: CheckerState, result: ProbeResult): void {
    if (this.isCurrent(state)) this.settle(state, result);
  }

  private isCurrent(state: CheckerState): boolean {
    return this.started && this.checkers.get(state.spec.id) === state;
  }

  /**
   * keepalived's epilog rule for every checker: a failure is retried after delay_before_retry
   * until `retry` retries have failed, whether the checker is up or down (so a down server is
   * re-probed quickly and recovers before the next delay_loop); a success, or the last failure,
   * waits delay_loop. The first completed attempt is always reported (keepalived logs the first
   * success even of a checker that started up, and the first failure even of one that started
   * down), but only a change of state is a transition.
   */
  private settle(state: CheckerState, result: ProbeResult): void {
    const t = state.spec.timing;
    const firstRun = !state.hasRun;
    state.hasRun = true;
    if (!result.ok && state.failures < t.retry) {
      state.failures++;
      this.report(state, result, 'retry');
      this.arm(state, t.delayBeforeRetryMs);
      return;
    }
    const changed = state.up !== result.ok;
    state.up = result.ok;
    if (!result.ok) state.failures++;
    const outcome: CheckerEvent['outcome'] = changed || firstRun ? (result.ok ? 'up' : 'down') : 'steady';
    this.report(state, result, outcome);
    state.failures = 0;
    if (changed) this.transition(state, result.ok ? (result.detail ?? 'check succeeded') : `${result.failure}: ${result.reason}`);
    const loopMs = loopDelayMs(t, this.spread, this.rng);
    this.arm(state, result.ok && this.spread.phaseLock ? phaseLockedDelayMs(loopMs, state.dueAtMs, this.clock.monotonicMs()) : loopMs);
  }

  private report(state: CheckerState, result: ProbeResult, outcome: CheckerEvent['outcome']): void {
    this.options.onCheckerEvent?.({ checkerId: state.spec.id, serverId: state.spec.serverId, result, outcome, failures: state.failures });
  }

  private transition(state: CheckerState, reason: string): void {
    const t = this.health.update(state.spec.serverId, state.spec.id, state.up, reason);
    if (t) this.options.onServerTransition(t);
  }
}

/** A probe that breaks the contract (throws or rejects) is turned into an 'internal' failure. */
function safeProbe(probe: Probe, signal: AbortSignal): Promise<ProbeResult> {
  try {
    return probe(signal).then(undefined, thrown);
  } catch (e) {
    return Promise.resolve(thrown(e));
  }
}

function thrown(e: unknown): ProbeResult {
  return { ok: false, failure: 'internal', reason: `probe threw: ${(e as Error).message}` };
}
