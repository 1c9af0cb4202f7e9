/**
 * The daemon's tracked objects (vrrp_script now; track_file and track_process alike) shared by
 * the instances that reference them. Each instance reference (`track_script { NAME weight W
 * [reverse] }`, the weight already defaulted to the script's by the config layer) turns the
 * tracker's status into a contribution (fault / priority delta) that goes straight to the
 * driver, so a change reaches the state machine at once.
 */
import type { TrackFile, TrackProcess, VrrpScript } from '../config/model/vrrp.js';
import type { ProcessRunner, RunTermination } from '../os/process-port.js';
import { binaryContribution, type TrackContribution, type TrackedInterface } from './driver-track.js';
import type { DriverClock, DriverLog } from './ports.js';
import { ScriptTracker } from './tracker-script.js';
import { fileContribution, FileTracker, type TrackFilePort } from './tracker-file.js';
import { ProcessTracker, type ProcessTablePort } from './tracker-process.js';

/** What a tracker reference reports to: InstanceDriver implements it. */
export interface TrackSink {
  readonly name: string;
  setTrack(key: string, contribution: TrackContribution): void;
}

/** A tracker as the set sees it: a name, a good/failed status, change notifications. */
export interface BinaryTracker {
  readonly name: string;
  readonly status: 'good' | 'failed';
  onChange(listener: () => void): () => void;
  inherit(status: 'good' | 'failed'): void;
  start(): void;
  stop(): void;
}

export interface TrackerSetPorts {
  readonly runner: ProcessRunner<RunTermination>;
  readonly clock: DriverClock;
  readonly log: DriverLog;
  /** Needed when track_files are configured. */
  readonly files?: TrackFilePort;
  /** Needed when vrrp_track_processes are configured. */
  readonly processes?: ProcessTablePort;
}

/** The tracked objects defined in the config. */
export interface TrackerDefinitions {
  readonly scripts: readonly VrrpScript[];
  readonly trackFiles?: readonly TrackFile[];
  readonly trackProcesses?: readonly TrackProcess[];
}

/** The tracked objects an instance references, by kind. */
export interface TrackRefs {
  readonly scripts?: readonly TrackedInterface[];
  readonly files?: readonly TrackedInterface[];
  readonly processes?: readonly TrackedInterface[];
}

export function fileTrackKey(name: string): string {
  return `track_file:${name}`;
}

export function processTrackKey(name: string): string {
  return `track_process:${name}`;
}

export function scriptTrackKey(name: string): string {
  return `track_script:${name}`;
}

export class TrackerSet {
  private readonly scripts = new Map<string, BinaryTracker>();
  private readonly detachers = new Map<string, (() => void)[]>();
  private readonly files = new Map<string, FileTracker>();
  private readonly processes = new Map<string, ProcessTracker>();
  private readonly referenced = new Set<string>();
  private started = false;

  constructor(defs: TrackerDefinitions, ports: TrackerSetPorts) {
    for (const s of defs.scripts) this.scripts.set(s.name, new ScriptTracker(s, ports.runner, ports.clock, ports.log));
    const filePort = ports.files;
    if (filePort !== undefined) for (const f of defs.trackFiles ?? []) this.files.set(f.name, new FileTracker(f, filePort, ports.log));
    const table = ports.processes;
    if (table !== undefined) for (const p of defs.trackProcesses ?? []) this.processes.set(p.name, new ProcessTracker(p, table, ports.clock, ports.log));
  }

  /**
   * Writes init_files, reads every tracked file once and scans the processes once: call before
   * the drivers start, so that they start with these values (keepalived reads them at load).
   */
  async prime(): Promise<void> {
    await Promise.all([...[...this.files.values()].map((f) => f.start()), ...[...this.processes.values()].map((p) => p.start())]);
  }

  process(name: string): ProcessTracker | undefined {
    return this.processes.get(name);
  }

  file(name: string): FileTracker | undefined {
    return this.files.get(name);
  }

  /** Reload: scripts of the same name keep the status the previous set had reached. */
  inheritFrom(previous: TrackerSet): void {
    for (const [name, tracker] of this.scripts) {
      const old = previous.scripts.get(name);
      if (old !== undefined) tracker.inherit(old.status);
    }
    for (const [name, tracker] of this.files) {
      const old = previous.files.get(name);
      if (old !== undefined) tracker.inherit(old.value);
    }
    for (const [name, tracker] of this.processes) {
      const old = previous.processes.get(name);
      if (old !== undefined) tracker.inherit(old.status);
    }
  }

  /** A script by name (status, tests). */
  script(name: string): BinaryTracker | undefined {
    return this.scripts.get(name);
  }

  /**
   * Connects an instance's track_script references: their contributions now (before the driver
   * starts, so init_fail starts it in FAULT) and at every change. Unknown names are skipped (the
   * config layer already reported them).
   */
  attach(sink: TrackSink, refs: TrackRefs): Set<string> {
    this.detach(sink.name);
    const keys = new Set<string>();
    const offs: (() => void)[] = [];
    for (const ref of refs.files ?? []) {
      const tracker = this.files.get(ref.name);
      if (tracker === undefined) continue;
      const key = fileTrackKey(ref.name);
      keys.add(key);
      const report = (): void => sink.setTrack(key, fileContribution(ref, tracker.value));
      report();
      offs.push(tracker.onChange(report));
    }
    for (const ref of refs.processes ?? []) {
      const tracker = this.processes.get(ref.name);
      if (tracker === undefined) continue;
      const key = processTrackKey(ref.name);
      keys.add(key);
      const report = (): void => sink.setTrack(key, binaryContribution(ref, tracker.status === 'good'));
      report();
      offs.push(tracker.onChange(report));
    }
    for (const ref of refs.scripts ?? []) {
      const tracker = this.scripts.get(ref.name);
      if (tracker === undefined) continue;
      this.referenced.add(ref.name);
      if (this.started) tracker.start();
      const key = scriptTrackKey(ref.name);
      keys.add(key);
      const report = (): void => sink.setTrack(key, binaryContribution(ref, tracker.status === 'good'));
      report();
      offs.push(tracker.onChange(report));
    }
    this.detachers.set(sink.name, offs);
    return keys;
  }

  detach(instance: string): void {
    for (const off of this.detachers.get(instance) ?? []) off();
    this.detachers.delete(instance);
  }

  /** Starts only the trackers some instance references (keepalived skips unused scripts). */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const name of this.referenced) this.scripts.get(name)?.start();
  }

  stop(): void {
    this.started = false;
    for (const tracker of this.scripts.values()) tracker.stop();
    for (const tracker of this.files.values()) tracker.stop();
    for (const tracker of this.processes.values()) tracker.stop();
    for (const name of [...this.detachers.keys()]) this.detach(name);
  }
}

/** The references of one instance binding. */
export function bindingRefs(b: BindingRefs): TrackRefs {
  return { scripts: b.trackedScripts ?? [], files: b.trackedFiles ?? [], processes: b.trackedProcesses ?? [] };
}

interface BindingRefs {
  readonly trackedScripts?: readonly TrackedInterface[];
  readonly trackedFiles?: readonly TrackedInterface[];
  readonly trackedProcesses?: readonly TrackedInterface[];
}
