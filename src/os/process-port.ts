/**
 * The process runner port: how domain code (MISC_CHECK, notify scripts, the nft data plane) asks
 * for a child process to be run, and what it gets back. Types only, no kernel code: the Linux
 * adapter is src/os/linux/process-runner.ts (LinuxProcessRunner); tests use stateful fakes.
 */

export interface RunRequest {
  /** argv[0] is the program (a path, or a name looked up along PATH). */
  readonly argv: readonly string[];
  /** SIGTERM to the process group after this long. */
  readonly timeoutMs: number;
  /** SIGKILL to the group this long after the SIGTERM (default 2000 ms, as keepalived). */
  readonly killGraceMs?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly env?: Readonly<Record<string, string>>;
  /** Per stream (default 64 KiB). */
  readonly maxOutputBytes?: number;
  /**
   * stdout and stderr go to /dev/null, as keepalived runs its scripts: a script that writes
   * without end costs the daemon nothing (no pipe to drain). The outcome's output is then ''.
   */
  readonly discardOutput?: boolean;
  readonly signal?: AbortSignal;
  /** Written to the child's stdin, which is then closed (default: no stdin, /dev/null). */
  readonly stdin?: string | Uint8Array;
}

/** How the child ended. */
export type RunTermination =
  | { readonly kind: 'exited'; readonly exitCode: number }
  | { readonly kind: 'signaled'; readonly signal: string }
  | { readonly kind: 'timed-out'; readonly signal: string }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'spawn-failed'; readonly code: string; readonly message: string };

/** How the child ended, with what it wrote (each stream capped at maxOutputBytes). */
export type RunOutcome = RunTermination & {
  readonly stdout: string;
  readonly stderr: string;
  /** True when some output was discarded at the cap. */
  readonly outputTruncated: boolean;
  readonly pid?: number;
};

/**
 * Runs one child process asynchronously (never blocks the event loop). `Outcome` lets a consumer
 * that only reads the termination (MISC_CHECK) accept a narrower fake.
 */
export interface ProcessRunner<Outcome extends RunTermination = RunOutcome> {
  run(request: RunRequest): Promise<Outcome>;
}
