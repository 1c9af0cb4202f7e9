/**
 * Loading the configuration for the daemon. The pipeline reads files synchronously, so the live
 * daemon runs it in a worker thread (config-worker.ts): the event loop, and with it the VRRP
 * timers, never waits for the disk. A load that takes longer than `timeoutMs` is abandoned.
 */
import { Worker } from 'node:worker_threads';
import { ConfigErrorClass, severityOf, type Diagnostic } from '../config/diagnostics.js';
import type { Clock } from './clock.js';
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
  return !c.missing && !c.diagnostics.some((d) => severityOf(d.cls) === 'fatal');
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
