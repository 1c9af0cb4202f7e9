/** Test doubles for the daemon's ports. */
import type { Clock, TimerHandle } from '../../../src/daemon/runtime.js';
import type { ConfigLoader, LoadedConfig } from '../../../src/daemon/config-loader.js';
import type { DumpWriter } from '../../../src/daemon/subsystem.js';
import type { PidfileHost } from '../../../src/daemon/pidfile.js';
import type { ConfigSnapshot, DumpKind, Subsystem } from '../../../src/daemon/subsystem.js';
import { ConfigErrorClass, type Diagnostic } from '../../../src/config/diagnostics.js';

export class ManualClock implements Clock {
  private nowValue = 1_700_000_000_000;
  private mono = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  nowMs(): number { return this.nowValue; }
  monotonicMs(): number { return this.mono; }
  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { at: this.mono + delayMs, fn });
    return { id };
  }
  clearTimer(h: TimerHandle): void { this.timers.delete(h.id); }
  get pendingTimers(): number { return this.timers.size; }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const until = this.mono + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.mono = due[1].at;
      due[1].fn();
    }
    this.mono = until;
    this.nowValue += ms;
  }
}

/** A process table and filesystem in memory. */
export class FakePidfileHost implements PidfileHost {
  readonly files = new Map<string, string>();
  readonly alive = new Set<number>();
  /** Called after a failed exclusive create, to simulate a racing process. */
  onConflict: (() => void) | undefined;

  createExclusive(path: string, text: string): boolean {
    if (this.files.has(path)) {
      this.onConflict?.();
      return false;
    }
    this.files.set(path, text);
    return true;
  }
  read(path: string): string | undefined { return this.files.get(path); }
  remove(path: string): void {
    if (!this.files.delete(path)) throw new Error('ENOENT');
  }
  isAlive(pid: number): boolean { return this.alive.has(pid); }
}

export function config(model: ConfigSnapshot, diagnostics: Diagnostic[] = [], missing = false): LoadedConfig {
  return { missing, model, diagnostics, exitCode: diagnostics.length > 0 ? 5 : 0, files: missing ? [] : ['k.conf'] };
}

export const FATAL_DIAG: Diagnostic = { cls: ConfigErrorClass.BadInterface, message: 'WARNING - interface eth9 for vrrp_instance VI_1 doesn\'t exist', span: { file: 'k.conf', line: 3 } };

/** Returns queued configs in order; a `gate` promise can hold a load open. */
export class QueueLoader implements ConfigLoader {
  readonly queue: (LoadedConfig | Error)[] = [];
  loads = 0;
  gate: Promise<void> | undefined;

  async load(): Promise<LoadedConfig> {
    this.loads++;
    if (this.gate) await this.gate;
    const next = this.queue.shift();
    if (!next) throw new Error('no config queued');
    if (next instanceof Error) throw next;
    return next;
  }
}

export class MemoryDumpWriter implements DumpWriter {
  readonly files = new Map<string, string>();
  async write(path: string, text: string): Promise<void> { this.files.set(path, text); }
}

/** A subsystem that records what the daemon asked of it. */
export class RecordingSubsystem implements Subsystem {
  readonly events: string[] = [];
  models: ConfigSnapshot[] = [];
  shutdownBehaviour: 'resolve' | 'hang' | 'reject' = 'resolve';

  constructor(readonly name: string) {}

  async start(model: ConfigSnapshot): Promise<void> { this.events.push('start'); this.models.push(model); }
  async reload(model: ConfigSnapshot): Promise<void> { this.events.push('reload'); this.models.push(model); }
  shutdown(deadlineMs: number): Promise<void> {
    this.events.push(`shutdown(${deadlineMs})`);
    if (this.shutdownBehaviour === 'hang') return new Promise(() => undefined);
    if (this.shutdownBehaviour === 'reject') return Promise.reject(new Error('boom'));
    return Promise.resolve();
  }
  dump(kind: DumpKind): string { return `${this.name} ${kind}: all good\n`; }
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
}
