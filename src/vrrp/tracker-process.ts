/**
 * One vrrp_track_process (keepalived-behaviour §1.5): the number of running processes that match
 * (name = /proc/PID/comm, or argv[0] with full_command; `param_match` exact / initial / partial
 * against the configured parameters) must lie within quorum..quorum_max for the tracker to be
 * good. The process table comes from a port, scanned every `scanIntervalUs` (keepalived follows
 * the kernel's proc connector instead; polling is our approximation). A loss of quorum is
 * reported once it lasted `terminate_delay` (else `delay`), a regain once it lasted `fork_delay`
 * (else `delay`); keepalived-ts logs "Quorum lost/gained for tracked process NAME".
 */
import type { TrackProcess } from '../config/model/vrrp.js';
import type { DriverClock, DriverLog, DriverTimerHandle } from './ports.js';
import type { TrackerStatus } from './tracker-script.js';

export interface ProcessEntry {
  /** /proc/PID/comm (at most 15 characters). */
  readonly comm: string;
  /** /proc/PID/cmdline split at NULs (empty for kernel threads). */
  readonly argv: readonly string[];
}

/** Reads the process table asynchronously (Linux: /proc). */
export interface ProcessTablePort {
  scan(): Promise<readonly ProcessEntry[]>;
}

export const DEFAULT_SCAN_INTERVAL_US = 1_000_000;
const COMM_MAX = 15;

function nameMatches(spec: TrackProcess, p: ProcessEntry): boolean {
  if (spec.fullCommand) return p.argv[0] === spec.process;
  return p.comm === spec.process.slice(0, COMM_MAX);
}

function paramsMatch(spec: TrackProcess, p: ProcessEntry): boolean {
  const want = spec.params;
  if (want === undefined) return true;
  const args = p.argv.slice(1);
  if (spec.paramMatch === 'exact') return args.length === want.length && want.every((w, i) => args[i] === w);
  if (spec.paramMatch === 'initial') return want.every((w, i) => args[i] === w);
  return args.join(' ').includes(want.join(' '));
}

export function countMatches(spec: TrackProcess, table: readonly ProcessEntry[]): number {
  return table.filter((p) => nameMatches(spec, p) && paramsMatch(spec, p)).length;
}

export class ProcessTracker {
  private current: TrackerStatus = 'good';
  private pendingSinceUs: number | undefined;
  private timer: DriverTimerHandle | undefined;
  private stopped = true;
  private scanning = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly spec: TrackProcess,
    private readonly table: ProcessTablePort,
    private readonly clock: DriverClock,
    private readonly log: DriverLog,
    private readonly scanIntervalUs = DEFAULT_SCAN_INTERVAL_US,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  get status(): TrackerStatus {
    return this.current;
  }

  inherit(status: TrackerStatus): void {
    if (this.stopped) this.current = status;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** First scan now; resolves when it has been applied (the instances start with its result). */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.scan(true);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private async scan(first = false): Promise<void> {
    this.timer = undefined;
    if (this.stopped || this.scanning) return;
    this.scanning = true;
    try {
      const count = countMatches(this.spec, await this.table.scan());
      this.apply(count >= this.spec.quorum && count <= this.spec.quorumMax ? 'good' : 'failed', first);
    } catch (e) {
      this.log.error(`Track process ${this.name}: cannot read the process table: ${(e as Error).message}`);
    } finally {
      this.scanning = false;
    }
    if (!this.stopped) this.timer = this.clock.setTimer(() => void this.scan(), this.scanIntervalUs);
  }

  private apply(seen: TrackerStatus, first: boolean): void {
    if (seen === this.current) {
      this.pendingSinceUs = undefined;
      return;
    }
    const now = this.clock.nowUs();
    this.pendingSinceUs ??= now;
    const delayUs = seen === 'failed' ? this.spec.terminateDelayUs || this.spec.delayUs : this.spec.forkDelayUs || this.spec.delayUs;
    if (!first && now - this.pendingSinceUs < delayUs) return;
    this.pendingSinceUs = undefined;
    this.current = seen;
    this.log.info(`Quorum ${seen === 'good' ? 'gained' : 'lost'} for tracked process ${this.name}`);
    for (const listener of [...this.listeners]) listener();
  }
}
