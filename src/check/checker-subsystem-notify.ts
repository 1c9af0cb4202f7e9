/**
 * notify_up / notify_down of a real server: run asynchronously through the process runner port,
 * never awaited on the checker path (DESIGN principle 9). keepalived does not time notify
 * scripts out; we bound them (NOTIFY_TIMEOUT_MS) so that a stuck script cannot pile up.
 */
import type { CheckScript } from '../config/model/lvs.js';

export interface NotifyRunner {
  run(request: {
    readonly argv: readonly string[];
    readonly timeoutMs: number;
    readonly uid?: number;
    readonly gid?: number;
    readonly maxOutputBytes?: number;
  }): Promise<{ readonly kind: string; readonly exitCode?: number; readonly code?: string; readonly message?: string }>;
}

export const NOTIFY_TIMEOUT_MS = 60_000;
const NOTIFY_OUTPUT_CAP_BYTES = 1024;

export interface NotifyLog {
  warning(message: string): void;
  detail(message: string): void;
}

/** Tracks script runs in flight so that shutdown can wait for them (bounded). */
export class NotifyDispatcher {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly runner: NotifyRunner | undefined,
    private readonly log: NotifyLog,
    private readonly runAs?: { readonly uid: number; readonly gid: number },
  ) {}

  /** Starts the script and returns at once. */
  fire(script: CheckScript | undefined, what: string): void {
    if (script === undefined || script.argv.length === 0) return;
    if (!this.runner) {
      this.log.warning(`${what}: no process runner - ${script.cmd} not run`);
      return;
    }
    this.log.detail(`Executing [${script.cmd}] for ${what}`);
    const runAs = script.runAs ?? this.runAs;
    const run = this.runner
      .run({ argv: script.argv, timeoutMs: NOTIFY_TIMEOUT_MS, maxOutputBytes: NOTIFY_OUTPUT_CAP_BYTES, ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}) })
      .then((outcome) => this.report(script, what, outcome))
      .catch((e: unknown) => this.log.warning(`${what}: ${script.cmd} failed: ${(e as Error).message}`));
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  private report(script: CheckScript, what: string, outcome: Awaited<ReturnType<NotifyRunner['run']>>): void {
    if (outcome.kind === 'exited' && outcome.exitCode === 0) return;
    if (outcome.kind === 'spawn-failed') this.log.warning(`${what}: cannot run ${script.cmd}: ${outcome.code ?? ''} ${outcome.message ?? ''}`);
    else this.log.detail(`${what}: ${script.cmd} ended: ${outcome.kind}${outcome.exitCode !== undefined ? ` ${outcome.exitCode}` : ''}`);
  }

  pending(): number {
    return this.inFlight.size;
  }

  /** Resolves when every script in flight has ended. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}
