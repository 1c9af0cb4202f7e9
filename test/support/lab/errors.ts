/**
 * Errors of the network-namespace lab. Every error has a stable `code` so that a test (or CI log
 * reader) can tell "the lab cannot run here" from "a command inside the lab failed".
 */

export type LabErrorCode =
  | 'LAB_UNAVAILABLE'
  | 'LAB_COMMAND_FAILED'
  | 'LAB_COMMAND_TIMEOUT'
  | 'LAB_SETUP_FAILED'
  | 'LAB_DESTROYED'
  | 'LAB_BAD_ARGUMENT'
  | 'LAB_CAPTURE_FAILED'
  | 'LAB_PROCESS_FAILED';

export class LabError extends Error {
  readonly code: LabErrorCode;

  constructor(code: LabErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LabError';
    this.code = code;
  }
}

/** The lab cannot run on this machine (not root, no `ip netns`, no tshark...). Never a skip. */
export class LabUnavailableError extends LabError {
  constructor(reason: string) {
    super('LAB_UNAVAILABLE', `network-namespace lab unavailable: ${reason}`);
    this.name = 'LabUnavailableError';
  }
}

/** A command exited non-zero (or by a signal). Carries its output for the failure message. */
export class LabCommandError extends LabError {
  readonly command: string;
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;

  constructor(command: string, exitCode: number | null, stdout: string, stderr: string) {
    super('LAB_COMMAND_FAILED', `command failed (exit ${String(exitCode)}): ${command}\n${stderr.trim()}`);
    this.name = 'LabCommandError';
    this.command = command;
    this.exitCode = exitCode;
    this.stdout = stdout;
    this.stderr = stderr;
  }
}

export class LabTimeoutError extends LabError {
  readonly command: string;
  readonly timeoutMs: number;

  constructor(command: string, timeoutMs: number, detail = '') {
    super('LAB_COMMAND_TIMEOUT', `timed out after ${timeoutMs} ms: ${command}${detail ? `\n${detail}` : ''}`);
    this.name = 'LabTimeoutError';
    this.command = command;
    this.timeoutMs = timeoutMs;
  }
}
