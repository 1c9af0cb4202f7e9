/**
 * LinuxProcessRunner (implements the ProcessRunner port of src/os/process-port.ts): the one place that starts child processes (MISC_CHECK scripts, and any
 * other script the daemon runs). Never blocks the event loop:
 *
 * - asynchronous spawn, the child leads its own process group (setsid), so a timeout or an abort
 *   kills the script AND everything it started: SIGTERM to the group, SIGKILL to the group after
 *   `killGraceMs` (and always once the leader is gone, so no grandchild survives a kill);
 * - stdout/stderr are always drained (a script writing forever never blocks on a full pipe) and
 *   kept only up to `maxOutputBytes` each; the rest is discarded; with `discardOutput` they go to
 *   /dev/null as keepalived's scripts' do (nothing to read: a flood costs the daemon nothing);
 * - the leader is reaped by libuv (no zombie); we resolve as soon as it has exited and its pipes
 *   are closed, or `PIPE_LINGER_MS` after its exit when a leftover grandchild holds them open;
 * - optional stdin bytes (e.g. an `nft -f -` batch), written then closed;
 * - optional uid/gid (libuv also drops supplementary groups).
 *
 * Timers come from an injected `RunnerTimers` (structurally the daemon's Clock).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { ProcessRunner, RunOutcome, RunRequest, RunTermination } from '../process-port.js';

export interface RunnerTimers {
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

export type { ProcessRunner, RunOutcome, RunRequest, RunTermination } from '../process-port.js';

export const DEFAULT_KILL_GRACE_MS = 2_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;
/** After the leader exits, how long we still read its pipes before closing our ends. */
const PIPE_LINGER_MS = 50;

export const systemTimers: RunnerTimers = {
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

class OutputSink {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  truncated = false;

  constructor(private readonly capBytes: number) {}

  attach(stream: Readable | null): void {
    if (!stream) return;
    stream.on('data', (chunk: Buffer) => this.take(chunk));
    stream.on('error', () => undefined);
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  private take(chunk: Buffer): void {
    const room = this.capBytes - this.kept;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    if (part.length < chunk.length) this.truncated = true;
    this.chunks.push(Buffer.from(part)); // copy: do not pin libuv's larger buffer
    this.kept += part.length;
  }
}

export class LinuxProcessRunner implements ProcessRunner {
  constructor(private readonly timers: RunnerTimers = systemTimers) {}

  run(request: RunRequest): Promise<RunOutcome> {
    return new Promise((resolve) => new RunningProcess(request, this.timers, resolve).start());
  }
}

/** Signals a whole process group; false when it is already gone. */
export function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

class RunningProcess {
  private child: ChildProcess | undefined;
  private readonly stdout: OutputSink;
  private readonly stderr: OutputSink;
  private termTimer: unknown;
  private killTimer: unknown;
  private termSent: string | undefined;
  private aborted = false;
  private settled = false;
  private termination: RunTermination | undefined;
  private lingerTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly onAbort = (): void => this.abort();

  constructor(
    private readonly request: RunRequest,
    private readonly timers: RunnerTimers,
    private readonly resolve: (outcome: RunOutcome) => void,
  ) {
    const cap = request.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    this.stdout = new OutputSink(cap);
    this.stderr = new OutputSink(cap);
  }

  start(): void {
    const [program, ...args] = this.request.argv;
    if (program === undefined || program === '') return this.fail('EINVAL', 'empty command');
    if (this.request.signal?.aborted) return this.finish({ kind: 'aborted' });
    try {
      this.child = spawn(program, args, this.spawnOptions());
    } catch (error) {
      return this.fail(errorCode(error), (error as Error).message);
    }
    const child = this.child;
    child.on('error', (error) => this.fail(errorCode(error), error.message));
    if (child.pid === undefined) return; // 'error' follows (ENOENT, EACCES, EPERM)
    this.stdout.attach(child.stdout);
    this.stderr.attach(child.stderr);
    this.feedStdin(child);
    child.on('exit', (code, signal) => this.onExit(code, signal));
    // 'close' = exited and every pipe closed: nothing more to read, no need to linger
    child.on('close', () => this.onClose());
    this.request.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.termTimer = this.timers.setTimer(() => this.timeout(), Math.max(0, this.request.timeoutMs));
  }

  private feedStdin(child: ChildProcess): void {
    const input = this.request.stdin;
    if (input === undefined || child.stdin === null) return;
    child.stdin.on('error', () => undefined); // EPIPE when the child does not read: its exit tells
    child.stdin.end(input);
  }

  private spawnOptions(): Parameters<typeof spawn>[2] {
    return {
      stdio: [this.request.stdin !== undefined ? 'pipe' : 'ignore', ...(this.request.discardOutput === true ? ['ignore', 'ignore'] as const : ['pipe', 'pipe'] as const)],
      detached: true, // setsid(): the child leads a new process group
      env: this.request.env ? { ...this.request.env } : process.env,
      ...(this.request.uid !== undefined ? { uid: this.request.uid } : {}),
      ...(this.request.gid !== undefined ? { gid: this.request.gid } : {}),
    };
  }

  private timeout(): void {
    this.termTimer = undefined;
    this.signalGroup('SIGTERM');
  }

  private abort(): void {
    this.aborted = true;
    this.signalGroup('SIGKILL');
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined || this.settled) return;
    this.termSent ??= signal;
    killGroup(pid, signal);
    if (signal === 'SIGTERM' && this.killTimer === undefined) {
      const graceMs = this.request.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
      this.killTimer = this.timers.setTimer(() => {
        this.killTimer = undefined;
        this.termSent = 'SIGKILL';
        killGroup(pid, 'SIGKILL');
      }, graceMs);
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const pid = this.child?.pid;
    // Once we have asked for termination, nothing of the group may outlive the leader.
    if (this.termSent !== undefined && pid !== undefined) killGroup(pid, 'SIGKILL');
    this.termination = this.classify(code, signal);
    // Let the pipes deliver what is already buffered, then close our ends (a grandchild that
    // still holds them must not keep us waiting); 'close' usually comes first.
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined;
      this.child?.stdout?.destroy();
      this.child?.stderr?.destroy();
      if (this.termination !== undefined) this.finish(this.termination);
    }, PIPE_LINGER_MS);
  }

  private onClose(): void {
    if (this.termination === undefined) return; // 'exit' always precedes 'close'
    if (this.lingerTimer !== undefined) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    this.finish(this.termination);
  }

  private classify(code: number | null, signal: NodeJS.Signals | null): RunTermination {
    if (this.aborted) return { kind: 'aborted' };
    if (this.termSent !== undefined) return { kind: 'timed-out', signal: signal ?? this.termSent };
    if (signal !== null) return { kind: 'signaled', signal };
    return { kind: 'exited', exitCode: code ?? 0 };
  }

  private fail(code: string, message: string): void {
    this.finish({ kind: 'spawn-failed', code, message });
  }

  private finish(termination: RunTermination): void {
    if (this.settled) return;
    this.settled = true;
    if (this.termTimer !== undefined) this.timers.clearTimer(this.termTimer);
    if (this.killTimer !== undefined) this.timers.clearTimer(this.killTimer);
    this.request.signal?.removeEventListener('abort', this.onAbort);
    const pid = this.child?.pid;
    this.resolve({
      ...termination,
      stdout: this.stdout.text(),
      stderr: this.stderr.text(),
      outputTruncated: this.stdout.truncated || this.stderr.truncated,
      ...(pid !== undefined ? { pid } : {}),
    });
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EIO';
}
