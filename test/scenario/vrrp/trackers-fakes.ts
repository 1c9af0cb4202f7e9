/**
 * A fake ProcessRunner for tracker scenarios: each program (argv[0]) has a scripted behaviour,
 * an exit code, a termination, or 'hang' (the promise never settles: a script that never exits).
 * Every run is recorded with the clock time, so a test asserts "chk ran 5 times as uid 65534".
 */
import type { ProcessRunner, RunRequest, RunTermination } from '../../../src/os/process-port.js';
import type { TrackFilePort } from '../../../src/vrrp/tracker-file.js';
import type { ProcessEntry, ProcessTablePort } from '../../../src/vrrp/tracker-process.js';
import type { ManualClock } from './driver-fakes.js';

export type FakeBehaviour = number | RunTermination | 'hang';

export interface FakeRun {
  readonly request: RunRequest;
  readonly atUs: number;
}

export class FakeProcessRunner implements ProcessRunner<RunTermination> {
  readonly runs: FakeRun[] = [];
  private readonly behaviours = new Map<string, FakeBehaviour>();

  constructor(private readonly clock: ManualClock) {}

  /** What `program` does from now on (default: exits 0). */
  set(program: string, behaviour: FakeBehaviour): void {
    this.behaviours.set(program, behaviour);
  }

  runsOf(program: string): FakeRun[] {
    return this.runs.filter((r) => r.request.argv[0] === program);
  }

  run(request: RunRequest): Promise<RunTermination> {
    this.runs.push({ request, atUs: this.clock.nowUs() });
    const b = this.behaviours.get(request.argv[0] ?? '') ?? 0;
    if (b === 'hang') return new Promise<RunTermination>(() => undefined);
    return Promise.resolve(typeof b === 'number' ? { kind: 'exited', exitCode: b } : b);
  }
}

/** Files by path; `put` changes one and tells its watchers, as inotify would. */
export class FakeTrackFiles implements TrackFilePort {
  readonly files = new Map<string, string>();
  private readonly watchers = new Map<string, Set<() => void>>();

  async read(path: string): Promise<string | undefined> {
    return this.files.get(path);
  }

  async write(path: string, text: string): Promise<void> {
    this.put(path, text);
  }

  watch(path: string, onChange: () => void): () => void {
    const set = this.watchers.get(path) ?? new Set<() => void>();
    set.add(onChange);
    this.watchers.set(path, set);
    return () => void set.delete(onChange);
  }

  put(path: string, text: string | undefined): void {
    if (text === undefined) this.files.delete(path);
    else this.files.set(path, text);
    for (const w of [...(this.watchers.get(path) ?? [])]) w();
  }
}

/** The process table of a fake host: tests start and kill processes by name. */
export class FakeProcessTable implements ProcessTablePort {
  entries: ProcessEntry[] = [];

  async scan(): Promise<readonly ProcessEntry[]> {
    return [...this.entries];
  }

  spawn(argv: readonly string[]): void {
    this.entries.push({ comm: (argv[0] ?? '').split('/').pop()?.slice(0, 15) ?? '', argv });
  }

  kill(comm: string): void {
    const i = this.entries.findIndex((e) => e.comm === comm);
    if (i >= 0) this.entries.splice(i, 1);
  }
}
