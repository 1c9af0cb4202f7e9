/**
 * MISC_CHECK: runs misc_path (already split into argv by the config with keepalived's quoting
 * rules) as the configured user, and reads the exit status as keepalived 2.2.7 does:
 *
 *   exit 0                      up (with misc_dynamic: the real server's configured weight)
 *   exit 1                      down
 *   exit 2..255, misc_dynamic   up, real server weight = status - 2
 *   exit 2..255, no dynamic     down
 *   killed by a signal          down
 *   still running at misc_timeout: SIGTERM to its process group, SIGKILL after a grace; down
 *
 * The process is started through the ProcessRunner port (src/os/process-port.ts; the Linux
 * adapter is src/os/linux/process-runner.ts).
 */
import type { MiscChecker } from '../../config/model/lvs.js';
import type { ProcessRunner, RunTermination } from '../../os/process-port.js';
import type { Probe, ProbeResult } from '../probe.js';

/** MISC_CHECK reads only how the script ended, so a runner that reports no output fits. */
export type MiscProcessRunner = ProcessRunner<RunTermination>;

export type MiscRunOutcome = RunTermination;

export interface MiscCheckPorts {
  readonly runner: MiscProcessRunner;
  /** uid/gid resolved from the checker's `user` (or script_user / keepalived_script). */
  readonly runAs?: { readonly uid: number; readonly gid: number };
  /** The real server's configured weight: the weight misc_dynamic restores on exit 0. */
  readonly realServerWeight?: number;
  readonly killGraceMs?: number;
}

/** A misc script's output is never used; keep only a little for diagnostics. */
const MISC_OUTPUT_CAP_BYTES = 4096;

export function createMiscCheckProbe(config: MiscChecker, ports: MiscCheckPorts): Probe {
  const argv = config.script.argv;
  const name = argv[0] ?? config.script.cmd;
  return async (signal) => {
    const outcome = await ports.runner.run({
      argv,
      timeoutMs: config.timeoutMs,
      maxOutputBytes: MISC_OUTPUT_CAP_BYTES,
      signal,
      ...(ports.killGraceMs !== undefined ? { killGraceMs: ports.killGraceMs } : {}),
      ...(ports.runAs ? { uid: ports.runAs.uid, gid: ports.runAs.gid } : {}),
    });
    return interpretMiscOutcome(outcome, config.dynamic, name, ports.realServerWeight);
  };
}

/** Pure: the checker result for one script run. */
export function interpretMiscOutcome(
  outcome: MiscRunOutcome,
  dynamic: boolean,
  name: string,
  realServerWeight?: number,
): ProbeResult {
  switch (outcome.kind) {
    case 'exited':
      return interpretExitStatus(outcome.exitCode, dynamic, name, realServerWeight);
    case 'timed-out':
      return { ok: false, failure: 'script-timeout', reason: `Misc check by [${name}] timed out.` };
    case 'signaled':
      return { ok: false, failure: 'script-failed', reason: `Misc check by [${name}] failed (due to signal ${outcome.signal}).` };
    case 'aborted':
      return { ok: false, failure: 'internal', reason: `Misc check by [${name}] aborted` };
    case 'spawn-failed':
      return { ok: false, failure: 'internal', reason: `Misc check by [${name}] could not start: ${outcome.code} ${outcome.message}` };
  }
}

export function interpretExitStatus(status: number, dynamic: boolean, name: string, realServerWeight?: number): ProbeResult {
  if (status === 0) {
    if (dynamic && realServerWeight !== undefined) return { ok: true, weight: realServerWeight, detail: 'exit 0' };
    return { ok: true, detail: 'exit 0' };
  }
  if (dynamic && status >= 2 && status <= 255) return { ok: true, weight: status - 2, detail: `exit ${status}` };
  return { ok: false, failure: 'script-failed', reason: `Misc check by [${name}] failed (exited with status ${status}).` };
}
