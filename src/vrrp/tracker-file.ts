/**
 * One track_file (keepalived-behaviour §1.5): the file holds an integer; an instance referencing
 * it adds value x weight to its priority (`reverse` negates), with weight 0 any non-zero value is
 * a FAULT, and a contribution below -253 is a FAULT too. `init_file [V] [overwrite]` writes V
 * (default 0) at start when the file is missing (always with overwrite). The file is re-read
 * whenever the port reports a change (inotify on Linux); reads are serialized so the last
 * change wins. A missing or unreadable file, or text that is not a number, reads as 0.
 */
import type { TrackFile } from '../config/model/vrrp.js';
import type { TrackContribution, TrackedInterface } from './driver-track.js';
import type { DriverLog } from './ports.js';

/** File access for track_file (asynchronous: never blocks the event loop). */
export interface TrackFilePort {
  /** The file's text, or undefined when it cannot be read. */
  read(path: string): Promise<string | undefined>;
  write(path: string, text: string): Promise<void>;
  /** Calls `onChange` when the file may have changed (created, written, renamed over, removed). */
  watch(path: string, onChange: () => void): () => void;
}

/** A contribution below this is a FAULT (keepalived: the priority could not stay above 0). */
const FAULT_BELOW = -253;

/** keepalived reads the leading integer (strtol): "12abc" is 12, "abc" is 0. */
export function parseTrackFileValue(text: string | undefined): number {
  const m = /^\s*([-+]?[0-9]+)/.exec(text ?? '');
  if (m === null) return 0;
  const v = Number.parseInt(m[1] ?? '0', 10);
  return Number.isSafeInteger(v) ? v : 0;
}

export function fileContribution(ref: TrackedInterface, value: number): TrackContribution {
  if (ref.weight === 0) return { fault: value !== 0, delta: 0 };
  const delta = value * ref.weight * (ref.reverse ? -1 : 1);
  if (delta < FAULT_BELOW) return { fault: true, delta: 0 };
  return { fault: false, delta };
}

export class FileTracker {
  private current = 0;
  private chain: Promise<void> = Promise.resolve();
  private unwatch: (() => void) | undefined;
  private stopped = true;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly file: TrackFile,
    private readonly port: TrackFilePort,
    private readonly log: DriverLog,
  ) {}

  get name(): string {
    return this.file.name;
  }

  get value(): number {
    return this.current;
  }

  /** Reload: keep the value read by the previous tracker until the first read. */
  inherit(value: number): void {
    if (this.stopped) this.current = value;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Writes init_file if needed, reads, then follows changes. Resolves after the first read. */
  start(): Promise<void> {
    if (!this.stopped) return this.chain;
    this.stopped = false;
    this.unwatch = this.port.watch(this.file.path, () => this.refresh());
    this.enqueue(() => this.initFile());
    return this.refresh();
  }

  stop(): void {
    this.stopped = true;
    this.unwatch?.();
    this.unwatch = undefined;
  }

  /** Re-reads the file (after a change notification). */
  refresh(): Promise<void> {
    return this.enqueue(async () => {
      const value = parseTrackFileValue(await this.port.read(this.file.path));
      if (this.stopped || value === this.current) return;
      this.log.info(`Track file ${this.name} (${this.file.path}) value changed from ${this.current} to ${value}`);
      this.current = value;
      for (const listener of [...this.listeners]) listener();
    });
  }

  private async initFile(): Promise<void> {
    const init = this.file.initFile;
    if (init === undefined) return;
    if (!init.overwrite && (await this.port.read(this.file.path)) !== undefined) return;
    try {
      await this.port.write(this.file.path, `${init.value}\n`);
    } catch (e) {
      this.log.error(`Track file ${this.name}: cannot initialise ${this.file.path}: ${(e as Error).message}`);
    }
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(work).catch((e: unknown) => this.log.error(`Track file ${this.name}: ${String(e)}`));
    return this.chain;
  }
}
