/**
 * PoolController: the stateful shell around the pure pool reducer. It consumes real-server
 * transitions through `RealServerEventSink` (the checker subsystem, or the daemon wiring it,
 * calls `onRealServer`), hands effects (quorum up/down, sorry server in/out, omega) to the
 * daemon, and keeps the data plane in step.
 *
 * Applies never overlap and never queue up: while one is in flight, later events only mark the
 * pool dirty, and one more apply of the newest desired pool follows. A failed apply is reported
 * and retried on the next event (or `resync()`); the plane keeps its previous state meanwhile.
 */
import type { ApplyResult, DataPlane } from './data-plane.js';
import { desiredPool } from './pool-desired.js';
import { reducePool } from './pool-reducer.js';
import type { PoolState } from './pool-state.js';
import type { PoolEffect, PoolEvent, RealServerEventSink } from './pool-types.js';

export interface PoolControllerHooks {
  onEffect?(effect: PoolEffect): void;
  onApplied?(result: ApplyResult): void;
}

export class PoolController implements RealServerEventSink {
  private state: PoolState;
  private inFlight: Promise<void> | undefined;
  private dirty = false;
  private failed = false;

  constructor(initial: PoolState, private readonly plane: DataPlane, private readonly hooks: PoolControllerHooks = {}) {
    this.state = initial;
  }

  get current(): PoolState {
    return this.state;
  }

  /** Starts the plane (leftover cleanup) and installs the initial pool. */
  async start(): Promise<ApplyResult> {
    const r = await this.plane.start();
    this.hooks.onApplied?.(r);
    if (!r.ok) return r;
    this.schedule();
    await this.idle();
    return r;
  }

  onRealServer(vs: string, rs: string, up: boolean): void {
    this.dispatch(up ? { type: 'rs-up', vs, rs } : { type: 'rs-down', vs, rs });
  }

  onRealServerWeight(vs: string, rs: string, weight: number): void {
    this.dispatch({ type: 'rs-weight', vs, rs, weight });
  }

  dispatch(event: PoolEvent): void {
    const step = reducePool(this.state, event);
    this.state = step.state;
    for (const e of step.effects) this.hooks.onEffect?.(e);
    if (step.changed || this.failed) this.schedule();
  }

  /**
   * Reload: replaces the state (the caller carries liveness over). The plane is touched only when
   * the desired pool differs (or the last apply failed); the plane itself applies the difference.
   * Returns whether an apply was scheduled.
   */
  reconfigure(next: PoolState): boolean {
    const before = JSON.stringify(desiredPool(this.state));
    this.state = next;
    if (!this.failed && JSON.stringify(desiredPool(next)) === before) return false;
    this.schedule();
    return true;
  }

  /** Re-applies the current desired pool (after a failure, or on demand). */
  resync(): Promise<void> {
    this.schedule();
    return this.idle();
  }

  /** Resolves when no apply is in flight or pending. */
  async idle(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight;
  }

  /** Shutdown: omega effects, then the plane is emptied. */
  async stop(): Promise<ApplyResult> {
    this.dispatch({ type: 'shutdown' });
    await this.idle();
    const r = await this.plane.removeAll();
    this.hooks.onApplied?.(r);
    return r;
  }

  private schedule(): void {
    this.dirty = true;
    if (this.inFlight === undefined) this.inFlight = this.flush().finally(() => { this.inFlight = undefined; });
  }

  private async flush(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      const r = await this.plane.apply(desiredPool(this.state));
      this.failed = !r.ok;
      this.hooks.onApplied?.(r);
    }
  }
}
