/**
 * NftSession: one long-lived `nft -j -i` coprocess per data plane, so that a DOWN event costs a
 * pipe write and one kernel transaction instead of a process start (slow in a big heap).
 *
 * Protocol: nft in interactive mode reads one line at a time and runs it as one buffer, i.e. one
 * JSON batch = one atomic transaction (all or nothing, as `nft -f`). After each batch we send
 * `list tables`, whose reply is one JSON line starting with `{"nftables"`: that line is the
 * end-of-reply marker. stderr is merged into stdout (`exec ... 2>&1`) so that the batch's error
 * text arrives, in order, before the marker. A reply with an `Error` line is a rejected batch.
 *
 * Never an empty line (it ends nft's interactive loop). A batch not answered within its timeout,
 * or a coprocess that exits, fails every pending batch with `undefined` ("session unusable") and
 * the caller falls back to a one-shot run; the session restarts on the next batch, and is given up
 * after MAX_RESTARTS consecutive failures. The child and its pipes are unref'd (they never hold
 * the daemon up); `close()` ends it (SIGKILL to its process group).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { NftRunResult } from '../../lb/planes/nft-plane.js';
import { killGroup } from './process-runner.js';

const MARKER_COMMAND = 'list tables';
const MARKER_PREFIX = '{"nftables"';
const MAX_RESTARTS = 3;
/**
 * nft's line editor (libedit) reads a non-tty stdin one byte per read(2): about 1.2 us per byte
 * here, so a 45 KB batch (100 real servers) costs 55 ms through the session against 28 ms one-shot.
 * Above this size the caller runs one-shot (measured in bench:pool; ~25 real servers).
 */
export const MAX_SESSION_BATCH_BYTES = 12_000;

/** The batch was written to the coprocess, which then died or timed out: applied or not, unknown. */
export const LOST = 'lost' as const;

interface Pending {
  readonly resolve: (r: NftRunResult | typeof LOST) => void;
  readonly lines: string[];
  readonly timer: ReturnType<typeof setTimeout>;
}

export class NftSession {
  private child: ChildProcess | undefined;
  private partial = '';
  private readonly pending: Pending[] = [];
  private failures = 0;
  private closed = false;

  /** `argv`: the nft command (with any prefix), without `-j -i`. */
  constructor(private readonly argv: readonly string[], private readonly timeoutMs: number) {}

  /** False once given up (or closed): the caller runs one-shot. */
  get usable(): boolean {
    return !this.closed && this.failures < MAX_RESTARTS;
  }

  /**
   * Runs one batch (JSON text without newlines); undefined when the session could not take it
   * (nothing sent), LOST when it took it and could not answer.
   */
  run(batchJson: string): Promise<NftRunResult | typeof LOST | undefined> {
    if (!this.usable || batchJson.length > MAX_SESSION_BATCH_BYTES || batchJson.includes('\n') || batchJson.trim() === '') {
      return Promise.resolve(undefined);
    }
    const child = this.child ?? this.startChild();
    if (child?.stdin == null) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.fail('timed out'), this.timeoutMs);
      this.pending.push({ resolve, lines: [], timer });
      child.stdin?.write(`${batchJson}\n${MARKER_COMMAND}\n`);
    });
  }

  close(): void {
    this.closed = true;
    this.fail('closed');
  }

  private startChild(): ChildProcess | undefined {
    const [program, ...args] = this.argv;
    if (program === undefined) return undefined;
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-c', 'exec "$@" 2>&1', 'sh', program, ...args, '-j', '-i'], {
        stdio: ['pipe', 'pipe', 'ignore'],
        detached: true,
      });
    } catch {
      this.failures++;
      return undefined;
    }
    this.child = child;
    child.on('error', () => this.fail('spawn failed', child));
    child.on('exit', () => this.fail('exited', child));
    child.stdin?.on('error', () => undefined);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => this.onData(chunk));
    child.unref();
    for (const s of [child.stdin, child.stdout]) (s as unknown as { unref?: () => void } | null)?.unref?.();
    return child;
  }

  private onData(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.onLine(line);
  }

  private onLine(line: string): void {
    const head = this.pending[0];
    if (head === undefined) return;
    if (!line.startsWith(MARKER_PREFIX)) {
      if (line.trim() !== '') head.lines.push(line.trim());
      return;
    }
    this.pending.shift();
    clearTimeout(head.timer);
    this.failures = 0;
    head.resolve(replyResult(head.lines));
  }

  /** Ends the coprocess (if it is `which`, or any) and fails what is pending. */
  private fail(_why: string, which?: ChildProcess): void {
    const child = this.child;
    if (which !== undefined && which !== child) return;
    if (child !== undefined) {
      this.child = undefined;
      if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
      child.stdin?.destroy();
      child.stdout?.destroy();
      if (!this.closed) this.failures++;
    }
    this.partial = '';
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.resolve(LOST);
    }
  }
}

function replyResult(lines: readonly string[]): NftRunResult {
  const failed = lines.some((l) => /\bError\b/.test(l));
  return failed ? { ok: false, error: lines.slice(0, 4).join(' | ') } : { ok: true };
}
