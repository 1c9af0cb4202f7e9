/**
 * Asynchronous command runner of the lab: spawns a program (never through a shell), captures its
 * output, enforces a timeout (SIGKILL by PID) and reports failures as typed errors.
 * A synchronous variant exists only for the process-exit cleanup hook, where nothing async runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { LabCommandError, LabTimeoutError } from './errors.js';

export interface RunOptions {
  /** Kill the command (SIGKILL) and reject after this long. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Bytes written to the command's stdin, then stdin is closed. */
  readonly input?: string;
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface RunResult {
  readonly command: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export function describeCommand(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

/** Runs a command and resolves with its result whatever the exit code; rejects only on timeout or spawn failure. */
export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const command = describeCommand(cmd, args);
  const startedMs = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ? { ...process.env, ...options.env } : process.env,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) safeKill(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) {
        reject(new LabTimeoutError(command, timeoutMs, stderr.trim()));
        return;
      }
      resolve({ command, exitCode, signal, stdout, stderr, durationMs: performance.now() - startedMs });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a command and rejects with LabCommandError unless it exits 0. */
export async function runOk(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await run(cmd, args, options);
  if (result.exitCode !== 0) {
    throw new LabCommandError(result.command, result.exitCode, result.stdout, result.stderr);
  }
  return result;
}

/** Synchronous, best effort, for exit hooks only. Returns stdout ('' on any failure). */
export function runSyncQuiet(cmd: string, args: readonly string[], timeoutMs = 5_000): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  return r.status === 0 ? r.stdout : '';
}

/** process.kill that ignores "no such process". Returns whether the signal was delivered. */
export function safeKill(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

export function isAlive(pid: number): boolean {
  return safeKill(pid, 0);
}
