/**
 * Applies the VRRP process's scheduling (src/daemon/vrrp-scheduling.ts) to this process.
 *
 * keepalived's VRRP child is one thread; a Node process has several (the event loop, V8's GC and
 * compiler helpers, libuv's pool), and sched_setscheduler / setpriority / sched_setaffinity act
 * on one thread on Linux. So each is applied to every thread of the process. The real-time policy
 * on the event-loop thread alone was tried first and fails (bench:stress, daemon pinned to one
 * CPU): the event loop now and then waits, spinning, for a GC helper thread left at SCHED_OTHER,
 * which the real-time thread itself keeps off the CPU — a priority inversion that lasted until
 * the kernel's real-time throttling let the helper run (advert gaps of ~60 ms, the 50 ms the
 * throttling leaves to normal tasks each second), or until RLIMIT_RTTIME killed the daemon.
 * SCHED_RESET_ON_FORK: scripts (and threads started later) run SCHED_OTHER at nice 0, as
 * keepalived's scripts do.
 * vrrp_no_swap (keepalived: mlockall) is not applied: V8 hands heap pages back with madvise,
 * which the kernel refuses on locked memory, and V8 aborts the process ("Check failed: 0 == ret")
 * — tried in the lab with MCL_CURRENT, MCL_CURRENT|MCL_ONFAULT and MCL_CURRENT|MCL_FUTURE|
 * MCL_ONFAULT. A warning says so.
 * RLIMIT_RTTIME (with the real-time policy): soft = limit / 2 (SIGXCPU), hard = limit (SIGKILL),
 * as keepalived sets it; SIGXCPU is caught and reported instead of ending the daemon.
 * max_auto_priority (src/daemon/vrrp-auto-priority.ts) raises the priority later, on late timers,
 * through setProcessRealtime: the same calls, to the threads that exist at that time.
 */
import { readdirSync } from 'node:fs';
import type { VrrpScheduling } from '../../daemon/vrrp-scheduling.js';
import type { NativeAddon } from './native.js';

export const SCHED_OTHER = 0;
export const SCHED_RR = 2;

export type SchedulingNative = Pick<NativeAddon, 'schedSetScheduler' | 'setPriority' | 'schedSetAffinity' | 'setRlimitRttime'>;

export interface SchedulingLog {
  info(message: string): void;
  warning(message: string): void;
}

/** The thread ids of this process (/proc/self/task). */
export function processThreadIds(): number[] {
  return readdirSync('/proc/self/task').filter((n) => /^\d+$/.test(n)).map(Number);
}

function errorText(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : e instanceof Error ? e.message : String(e);
}

/**
 * Applies what is requested; each step that fails is logged and skipped (the daemon runs on at
 * the default scheduling). Returns the steps that took effect.
 */
export function applyVrrpScheduling(s: VrrpScheduling, native: SchedulingNative, log: SchedulingLog, threads: () => number[] = processThreadIds): string[] {
  const done: string[] = [];
  const step = (what: string, fn: () => void): void => {
    try {
      fn();
      done.push(what);
    } catch (e) {
      log.warning(`Unable to set ${what}: ${errorText(e)}`);
    }
  };
  if (s.cpus !== undefined) {
    const cpus = s.cpus;
    step(`cpu affinity ${cpus.join(',')}`, () => {
      for (const tid of threads()) native.schedSetAffinity(tid, cpus);
    });
  }
  if (s.lockMemory) log.warning('vrrp_no_swap is not supported by keepalived-ts (V8 cannot run with locked memory) - ignored');
  if (s.realtimePriority !== undefined) {
    const limit = s.rlimitRttimeUs;
    // the limit first, so that the real-time policy never runs without it
    if (limit !== undefined) step(`rlimit_rttime ${limit}`, () => native.setRlimitRttime(Math.floor(limit / 2), limit));
    const priority = s.realtimePriority;
    step(`realtime priority ${priority}`, () => {
      for (const tid of threads()) native.schedSetScheduler(tid, SCHED_RR, priority, true);
    });
  } else if (s.nice !== undefined) {
    const nice = s.nice;
    step(`process priority ${nice}`, () => {
      for (const tid of threads()) {
        native.schedSetScheduler(tid, SCHED_OTHER, 0, true);
        native.setPriority(tid, nice);
      }
    });
  }
  if (done.length > 0) log.info(`VRRP process scheduling: ${done.join(', ')}`);
  return done;
}

/**
 * max_auto_priority's step: SCHED_RR|SCHED_RESET_ON_FORK at `priority` on every thread, with
 * RLIMIT_RTTIME (soft half, hard the limit) set first when the process goes real-time (it never
 * runs real-time without the limit). A thread that ended meanwhile (ESRCH) is skipped; any other
 * refusal throws (the caller stops raising).
 */
export function setProcessRealtime(priority: number, firstRealtime: boolean, rlimitRttimeUs: number, native: SchedulingNative, threads: () => number[] = processThreadIds): void {
  if (firstRealtime) native.setRlimitRttime(Math.floor(rlimitRttimeUs / 2), rlimitRttimeUs);
  for (const tid of threads()) {
    try {
      native.schedSetScheduler(tid, SCHED_RR, priority, true);
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'ESRCH') throw e;
    }
  }
}

/** Back to SCHED_OTHER (priority 0) or SCHED_RR at `priority` on every thread (max_auto_priority at reload). */
export function restoreProcessScheduling(priority: number, native: SchedulingNative, threads: () => number[] = processThreadIds): void {
  for (const tid of threads()) {
    try {
      native.schedSetScheduler(tid, priority > 0 ? SCHED_RR : SCHED_OTHER, Math.max(0, priority), true);
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'ESRCH') throw e;
    }
  }
}
