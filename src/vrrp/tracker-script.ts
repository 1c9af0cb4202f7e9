/**
 * One vrrp_script (keepalived-behaviour §1.5): the script runs every `interval` through the
 * ProcessRunner port (asynchronous: never awaited on the advert path; the runner sends SIGTERM
 * at `timeout`, then SIGKILL), exit 0 is success. `rise` consecutive successes make a failed
 * script good, `fall` consecutive failures make a good one failed; `init_fail` starts it failed.
 * A run still in progress when the interval elapses is not doubled: the next run starts when it
 * ends (at the earliest one interval after the previous start).
 * Logs keepalived's lines: "VRRP_Script(NAME) succeeded", "VRRP_Script(NAME) failed (exited
 * with status 1)", "VRRP_Script(NAME) timed_out".
 */
import type { VrrpScript } from '../config/model/vrrp.js';
import type { ProcessRunner, RunTermination } from '../os/process-port.js';
import type { DriverClock, DriverLog, DriverTimerHandle } from './ports.js';

export type TrackerStatus = 'good' | 'failed';
export type TrackerListener = (status: TrackerStatus) => void;

const US_PER_MS = 1000;
/** keepalived's floor for a script timeout. */
const MIN_TIMEOUT_MS = 1;

/** Why a run counts as a failure, in keepalived's words ('' for a success). */
export function failureText(outcome: RunTermination): string {
  switch (outcome.kind) {
    case 'exited': return outcome.exitCode === 0 ? '' : `exited with status ${outcome.exitCode}`;
    case 'signaled': return `due to signal ${outcome.signal}`;
    case 'timed-out': return 'timed out';
    case 'aborted': return 'aborted';
    case 'spawn-failed': return `could not be run: ${outcome.code}`;
  }
}

export class ScriptTracker {
  private current: TrackerStatus;
  /** Consecutive results that disagree with `current`. */
  private streak = 0;
  /** The first result is always logged (keepalived logs each script's state at startup). */
  private reported = false;
  private timer: DriverTimerHandle | undefined;
  private lastStartUs = 0;
  private running = false;
  private stopped = true;
  private readonly listeners = new Set<TrackerListener>();

  constructor(
    readonly script: VrrpScript,
    private readonly runner: ProcessRunner<RunTermination>,
    private readonly clock: DriverClock,
    private readonly log: DriverLog,
  ) {
    this.current = script.initFail ? 'failed' : 'good';
  }

  get name(): string {
    return this.script.name;
  }

  get status(): TrackerStatus {
    return this.current;
  }

  /** Reload: a script that was already running keeps its status (set before start()). */
  inherit(status: TrackerStatus): void {
    if (!this.stopped) return;
    this.current = status;
    this.reported = true;
  }

  /** Subscribes to status changes; returns the unsubscribe function. */
  onChange(listener: TrackerListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** First run at once (keepalived runs every script at startup), then every interval. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private schedule(delayUs: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimer(() => this.runOnce(), Math.max(0, delayUs));
  }

  private runOnce(): void {
    this.timer = undefined;
    if (this.stopped || this.running) return;
    this.running = true;
    this.lastStartUs = this.clock.nowUs();
    const { script } = this;
    const timeoutMs = Math.max(MIN_TIMEOUT_MS, Math.round(script.timeoutUs / US_PER_MS));
    // output to /dev/null, as keepalived runs its scripts: a flooding script costs us nothing
    const request = { argv: script.script.command.argv, uid: script.script.user.uid, gid: script.script.user.gid, timeoutMs, discardOutput: true };
    let outcome: Promise<RunTermination>;
    try {
      outcome = this.runner.run(request);
    } catch (e) {
      outcome = Promise.resolve({ kind: 'spawn-failed', code: 'EXCEPTION', message: (e as Error).message });
    }
    outcome.then(
      (o) => this.finish(o),
      (e: unknown) => this.finish({ kind: 'spawn-failed', code: 'EXCEPTION', message: String(e) }),
    );
  }

  private finish(outcome: RunTermination): void {
    this.running = false;
    if (this.stopped) return;
    this.record(outcome);
    const nextUs = this.lastStartUs + this.script.intervalUs - this.clock.nowUs();
    this.schedule(nextUs);
  }

  private record(outcome: RunTermination): void {
    const why = failureText(outcome);
    if (outcome.kind === 'timed-out') this.log.info(`VRRP_Script(${this.name}) timed_out`);
    const good = why === '';
    const agrees = good === (this.current === 'good');
    if (agrees) {
      this.streak = 0;
      if (!this.reported) this.announce(why);
      return;
    }
    this.streak++;
    if (this.streak < (good ? this.script.rise : this.script.fall)) return;
    this.streak = 0;
    this.current = good ? 'good' : 'failed';
    this.announce(why);
    for (const listener of [...this.listeners]) listener(this.current);
  }

  private announce(why: string): void {
    this.reported = true;
    this.log.info(why === '' ? `VRRP_Script(${this.name}) succeeded` : `VRRP_Script(${this.name}) failed (${why})`);
  }
}
