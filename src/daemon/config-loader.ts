/**
 * Loading the configuration for the daemon. The pipeline reads files synchronously, so the live
 * daemon runs it in a worker thread (config-worker.ts): the event loop, and with it the VRRP
 * timers, never waits for the disk. A load that takes longer than `timeoutMs` is abandoned.
 * SIGHUPs are served by ReloadQueue; the pipeline itself is found at run time (loadPipeline) so
 * that the daemon and the CLI depend only on the `LoadConfig` contract of src/config/domain.ts.
 */
import { Worker } from 'node:worker_threads';
import { ConfigErrorClass, severityOf, type Diagnostic } from '../config/diagnostics.js';
import type { LoadConfig } from '../config/domain.js';
import type { Clock } from './runtime.js';
import type { ConfigSnapshot } from './subsystem.js';

export interface LoadRequest {
  readonly configFile: string;
  readonly allConfig: boolean;
  readonly configId?: string;
}

export interface LoadedConfig {
  /** The main config file matched nothing ("Config files missing"). */
  readonly missing: boolean;
  readonly model: ConfigSnapshot;
  readonly diagnostics: readonly Diagnostic[];
  /** keepalived's -t exit code for these diagnostics. */
  readonly exitCode: number;
  readonly files: readonly string[];
  /** keepalived would have stopped reading at once with this status (e.g. 2: missing parameter). */
  readonly abortExitCode?: number;
}

export interface ConfigLoader {
  load(): Promise<LoadedConfig>;
}

export class ConfigLoadError extends Error {
  constructor(
    readonly code: 'CONFIG_LOAD_TIMEOUT' | 'CONFIG_LOAD_FAILED',
    message: string,
  ) {
    super(message);
    this.name = 'ConfigLoadError';
  }
}

/** A config the daemon may run: present, and nothing of the "cannot run" classes reported. */
export function isRunnable(c: LoadedConfig): boolean {
  return !c.missing && c.abortExitCode === undefined && !c.diagnostics.some((d) => severityOf(d.cls) === 'fatal');
}

/** The first "cannot run" diagnostic, for the log line explaining a refusal. */
export function firstFatal(c: LoadedConfig): Diagnostic | undefined {
  return c.diagnostics.find((d) => severityOf(d.cls) === 'fatal' || d.cls === ConfigErrorClass.FileNotFound);
}

export type WorkerReply = { ok: true; result: LoadedConfig } | { ok: false; error: string };

export class WorkerConfigLoader implements ConfigLoader {
  constructor(
    private readonly request: LoadRequest,
    private readonly clock: Clock,
    private readonly timeoutMs = 30_000,
  ) {}

  load(): Promise<LoadedConfig> {
    const worker = new Worker(new URL('./config-worker.js', import.meta.url), { workerData: this.request });
    return new Promise<LoadedConfig>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        this.clock.clearTimer(timer);
        fn();
        void worker.terminate();
      };
      const timer = this.clock.setTimer(() => {
        finish(() => reject(new ConfigLoadError('CONFIG_LOAD_TIMEOUT', `configuration load took longer than ${this.timeoutMs} ms - abandoned`)));
      }, this.timeoutMs);
      worker.once('message', (reply: WorkerReply) => {
        finish(() => (reply.ok ? resolve(reply.result) : reject(new ConfigLoadError('CONFIG_LOAD_FAILED', reply.error))));
      });
      worker.once('error', (e) => finish(() => reject(new ConfigLoadError('CONFIG_LOAD_FAILED', e.message))));
      worker.once('exit', (code) => finish(() => reject(new ConfigLoadError('CONFIG_LOAD_FAILED', `config worker exited with ${code}`))));
    });
  }
}

// ---- the pipeline, found at run time

export class PipelineUnavailableError extends Error {
  readonly code = 'PIPELINE_UNAVAILABLE';
  constructor(cause: unknown) {
    super(`the configuration pipeline (src/config/pipeline.ts) is not available: ${String(cause)}`);
    this.name = 'PipelineUnavailableError';
  }
}

/** Resolved relative to this module, so it works from dist/src/cli and from a worker thread. */
const PIPELINE_SPECIFIER = '../config/pipeline.js';

let cached: LoadConfig | undefined;

export async function loadPipeline(): Promise<LoadConfig> {
  if (cached) return cached;
  let mod: { loadConfig?: unknown };
  try {
    mod = (await import(new URL(PIPELINE_SPECIFIER, import.meta.url).href)) as { loadConfig?: unknown };
  } catch (e) {
    throw new PipelineUnavailableError(e);
  }
  if (typeof mod.loadConfig !== 'function') throw new PipelineUnavailableError('no loadConfig export');
  cached = mod.loadConfig as LoadConfig;
  return cached;
}

/** JSON.stringify replacer for the model: Maps become objects, Sets arrays, bigints strings. */
export function modelReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof RegExp) return value.source;
  return value;
}

/**
 * SIGHUP handling: one reload at a time. A SIGHUP during a reload queues exactly one more
 * (further ones coalesce into it), as keepalived queues a reload that arrives while one runs.
 */
export class ReloadQueue {
  private running = false;
  private pending = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly task: () => Promise<void>) {}

  /** Asks for a reload; returns at once. */
  request(): void {
    if (this.running) {
      this.pending = true;
      return;
    }
    void this.loop();
  }

  get busy(): boolean {
    return this.running;
  }

  /** Resolves when no reload is running or queued. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      do {
        this.pending = false;
        try {
          await this.task();
        } catch {
          // the task reports its own failures; the queue keeps serving
        }
      } while (this.pending);
    } finally {
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
