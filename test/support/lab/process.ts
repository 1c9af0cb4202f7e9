/**
 * A long-running process inside a lab namespace (`ip netns exec NS cmd ...`; ip execs the command,
 * so the PID we hold is the command's own). Output is kept line by line; helpers wait for a line
 * or for a JSON-lines message (the protocol of the agents in test/support/agents). Each process
 * leads its own process group, so that stopping it also ends the children it started (a shell's
 * `sleep`); the lab stops every process it spawned, by PID/PGID: SIGTERM, then SIGKILL.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { LabError, LabTimeoutError } from './errors.js';
import { safeKill } from './run.js';

export interface ExitStatus {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

const CLOSE_WAIT_MS = 200;

type LineWaiter = {
  match: (line: string) => boolean;
  stream: OutputStream;
  resolve: (line: string) => void;
  fail: () => void;
};

/** Which output a wait looks at. */
export type OutputStream = 'stdout' | 'stderr' | 'both';

export class LabProcess {
  readonly pid: number;
  readonly command: string;
  readonly stdoutLines: string[] = [];
  readonly stderrLines: string[] = [];
  /** Raw stderr text, including an unterminated last line (progress counters). */
  stderrText = '';
  readonly exited: Promise<ExitStatus>;
  private exitStatus: ExitStatus | undefined;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiters = new Set<LineWaiter>();

  constructor(namespace: string, cmd: string, args: readonly string[], env?: Readonly<Record<string, string>>) {
    this.command = [cmd, ...args].join(' ');
    this.child = spawn('ip', ['netns', 'exec', namespace, cmd, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: env ? { ...process.env, ...env } : process.env,
      detached: true,
    });
    if (this.child.pid === undefined) throw new LabError('LAB_PROCESS_FAILED', `could not spawn: ${this.command}`);
    this.pid = this.child.pid;
    this.exited = new Promise((resolve) => {
      // 'close' waits for the output pipes, which a leftover grandchild may hold: cap that wait.
      this.child.on('exit', () => {
        setTimeout(() => this.child.stdout.destroy(), CLOSE_WAIT_MS).unref();
        setTimeout(() => this.child.stderr.destroy(), CLOSE_WAIT_MS).unref();
      });
      this.child.on('close', (exitCode, signal) => {
        this.exitStatus = { exitCode, signal };
        resolve(this.exitStatus);
        this.flushWaiters();
      });
    });
    this.child.stdin.on('error', () => undefined);
    splitLines(this.child.stdout, (line) => this.onLine(line, this.stdoutLines));
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderrText += chunk.toString('utf8');
    });
    splitLines(this.child.stderr, (line) => this.onLine(line, this.stderrLines));
  }

  get running(): boolean {
    return this.exitStatus === undefined;
  }

  /** Writes one line to the process's stdin. */
  writeLine(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Sends one JSON-lines message (agents read commands this way). */
  send(message: unknown): void {
    this.writeLine(JSON.stringify(message));
  }

  /** Resolves with the first line (already seen or future) of `stream` that matches. */
  waitForLine(match: RegExp | ((line: string) => boolean), timeoutMs = 5_000, stream: OutputStream = 'both'): Promise<string> {
    const test = typeof match === 'function' ? match : (l: string) => match.test(l);
    const seen = this.linesOf(stream).find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter: LineWaiter = {
        match: test,
        stream,
        resolve: (l) => finish(() => resolve(l)),
        fail: () => finish(() => reject(this.timeoutError(timeoutMs))),
      };
      const timer = setTimeout(() => finish(() => reject(this.timeoutError(timeoutMs))), timeoutMs);
      const finish = (then: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        then();
      };
      this.waiters.add(waiter);
      if (!this.running) this.flushWaiters();
    });
  }

  /** Resolves with the first stdout JSON object satisfying `match` (agents' JSON-lines protocol). */
  async waitForJson<T = Record<string, unknown>>(match: (m: Record<string, unknown>) => boolean, timeoutMs = 5_000): Promise<T> {
    const line = await this.waitForLine((l) => {
      const parsed = tryParseObject(l);
      return parsed !== undefined && match(parsed);
    }, timeoutMs, 'stdout');
    return JSON.parse(line) as T;
  }

  /** All JSON objects printed on stdout so far. */
  jsonMessages(): Record<string, unknown>[] {
    return this.stdoutLines.map(tryParseObject).filter((m): m is Record<string, unknown> => m !== undefined);
  }

  /** Sends a signal to the process (by PID). */
  signal(signal: NodeJS.Signals): boolean {
    return safeKill(this.pid, signal);
  }

  /** SIGTERM to its process group, wait up to graceMs, then SIGKILL. Idempotent. */
  async stop(graceMs = 1_000): Promise<ExitStatus> {
    if (!this.running) return this.exited;
    this.signalGroup('SIGTERM');
    const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
    const status = await this.exited;
    clearTimeout(timer);
    this.signalGroup('SIGKILL');
    return status;
  }

  /** For the synchronous exit hook. */
  killSync(): void {
    this.signalGroup('SIGKILL');
  }

  private signalGroup(signal: NodeJS.Signals): void {
    // The group id is our child's PID (detached: it leads its group). Fall back to the PID alone.
    if (!safeKill(-this.pid, signal)) safeKill(this.pid, signal);
  }

  private linesOf(stream: OutputStream): string[] {
    if (stream === 'stdout') return this.stdoutLines;
    if (stream === 'stderr') return this.stderrLines;
    return [...this.stdoutLines, ...this.stderrLines];
  }

  private onLine(line: string, into: string[]): void {
    into.push(line);
    const stream = into === this.stdoutLines ? 'stdout' : 'stderr';
    for (const waiter of [...this.waiters]) {
      if ((waiter.stream === 'both' || waiter.stream === stream) && waiter.match(line)) waiter.resolve(line);
    }
  }

  private flushWaiters(): void {
    // A process that exited prints nothing more: fail its waiters now, with its output.
    if (this.running) return;
    for (const waiter of [...this.waiters]) {
      const hit = this.linesOf(waiter.stream).find(waiter.match);
      if (hit !== undefined) waiter.resolve(hit);
      else waiter.fail();
    }
  }

  private timeoutError(timeoutMs: number): LabTimeoutError {
    const state = this.running ? 'still running' : `exited ${JSON.stringify(this.exitStatus)}`;
    const tail = [...this.stdoutLines.slice(-10), ...this.stderrLines.slice(-10)].join('\n');
    return new LabTimeoutError(`wait for output of ${this.command} (${state})`, timeoutMs, tail);
  }
}

function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    // \r ends a line too: progress counters ("\rdone: N") become lines.
    const parts = pending.split(/\r\n|\n|\r/);
    pending = parts.pop() ?? '';
    for (const line of parts) if (line.length > 0) onLine(line);
  });
  stream.on('end', () => {
    if (pending.length > 0) onLine(pending);
    pending = '';
  });
}

function tryParseObject(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
