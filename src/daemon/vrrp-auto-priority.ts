/**
 * global_defs max_auto_priority / min_auto_priority_delay: the VRRP process raises its own
 * scheduling priority when its timers run late. Pure: the decision and keepalived's log text; the
 * lateness comes from the timer clock, the kernel call through a port.
 *
 * keepalived 2.2.7 as measured in the lab (its VRRP child stopped with SIGSTOP for a known time,
 * or starved by a busy loop on its CPU; /proc, chrt -p, its log):
 *   - on a wake-up whose earliest timer expired more than min_auto_priority_delay ago it logs
 *     "A thread timer expired S.UUUUUU seconds ago" — also without max_auto_priority;
 *   - min_auto_priority_delay defaults to 1 s (lateness 0.96 s: nothing; 1.0025 s: logged and
 *     raised);
 *   - with max_auto_priority N (1..99; no value: 99; 0 and -1: never raise) each such wake-up
 *     raises the priority one step and logs "Set realtime priority P": SCHED_OTHER -> SCHED_RR 1
 *     (SCHED_RESET_ON_FORK), then +1, never above N; at N only the lateness line is logged;
 *   - with vrrp_rt_priority R the steps start from R (R + 1, ...); R >= N: never raised;
 *   - RLIMIT_RTTIME is set when it goes real-time as for vrrp_rt_priority (vrrp_rlimit_rttime:
 *     soft half, hard the limit; keepalived's default 10000 us, ours DEFAULT_RLIMIT_RTTIME_US);
 *   - at reload it reads the new settings and the process returns to its configured scheduling
 *     (SCHED_OTHER, or vrrp_rt_priority), from which late wake-ups step again;
 *   - at startup, right after "Configuration file ...", it logs AUTO_PRIORITY_NOTICE unless
 *     max_auto_priority is set to a non-zero value (-1 included), whatever the rest of the config
 *     (even with nothing to run, or -C); not at reload.
 */
import { DEFAULT_RLIMIT_RTTIME_US } from './vrrp-scheduling.js';

export const DEFAULT_MIN_AUTO_PRIORITY_DELAY_US = 1_000_000;
/** The highest SCHED_RR priority: max_auto_priority without a value. */
export const MAX_REALTIME_PRIORITY = 99;
export const AUTO_PRIORITY_NOTICE = 'NOTICE: setting config option max_auto_priority should result in better keepalived performance';

export interface AutoPrioritySettings {
  /** The highest priority to raise to; 0: never raise (unset, 0, -1 or invalid). */
  readonly maxPriority: number;
  /** Lateness (µs) beyond which a wake-up is logged and raises the priority. */
  readonly minDelayUs: number;
  /** RLIMIT_RTTIME hard limit (µs, soft half) set when the process first goes real-time. */
  readonly rlimitRttimeUs: number;
  /** The real-time priority the process starts with (vrrp_rt_priority), 0: SCHED_OTHER. */
  readonly startPriority: number;
}

type Raw = ReadonlyMap<string, readonly string[]> | undefined;

function integerIn(text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined || !/^[+-]?\d+$/.test(text)) return undefined;
  const v = Number.parseInt(text, 10);
  return Number.isSafeInteger(v) && v >= min && v <= max ? v : undefined;
}

/** max_auto_priority as keepalived reads it: no value 99; undefined when absent or invalid. */
function maxAutoPriority(raw: Raw): number | undefined {
  const args = raw?.get('max_auto_priority');
  if (args === undefined) return undefined;
  if (args[0] === undefined) return MAX_REALTIME_PRIORITY;
  return integerIn(args[0], -1, MAX_REALTIME_PRIORITY);
}

/** The settings from global_defs' raw keywords (values were validated and reported by the config pipeline). */
export function autoPriorityFrom(raw: Raw): AutoPrioritySettings {
  const max = maxAutoPriority(raw) ?? 0;
  const delay = integerIn(raw?.get('min_auto_priority_delay')?.[0], 1, 10_000_000);
  const limit = integerIn((raw?.get('vrrp_rlimit_rttime') ?? raw?.get('vrrp_rlimit_rtime'))?.[0], 1, Number.MAX_SAFE_INTEGER);
  const rt = integerIn(raw?.get('vrrp_rt_priority')?.[0], Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  return {
    maxPriority: Math.max(0, max),
    minDelayUs: delay ?? DEFAULT_MIN_AUTO_PRIORITY_DELAY_US,
    rlimitRttimeUs: limit ?? DEFAULT_RLIMIT_RTTIME_US,
    startPriority: rt === undefined ? 0 : Math.min(MAX_REALTIME_PRIORITY, Math.max(1, rt)),
  };
}

/** keepalived's startup NOTICE, when max_auto_priority is not set to a non-zero value. */
export function autoPriorityNotice(raw: Raw): string | undefined {
  const max = maxAutoPriority(raw);
  return max === undefined || max === 0 ? AUTO_PRIORITY_NOTICE : undefined;
}

/** "A thread timer expired 0.003116 seconds ago" (lateness in µs, truncated as keepalived prints it). */
export function lateTimerMessage(latenessUs: number): string {
  const us = Math.max(0, Math.floor(latenessUs));
  return `A thread timer expired ${Math.floor(us / 1_000_000)}.${String(us % 1_000_000).padStart(6, '0')} seconds ago`;
}

/** The priority after one late wake-up at `current` (0: SCHED_OTHER); undefined: no change. */
export function nextAutoPriority(current: number, maxPriority: number): number | undefined {
  if (current >= maxPriority) return undefined;
  return current <= 0 ? 1 : current + 1;
}

/** The kernel side: set SCHED_RR at `priority` on the process (with RLIMIT_RTTIME the first time). */
export interface AutoPriorityPort {
  /** Throws when the kernel refuses (the message is logged, raising stops). */
  setRealtime(priority: number, firstRealtime: boolean, rlimitRttimeUs: number): void;
  /** Back to the configured scheduling at reload: SCHED_OTHER (0) or SCHED_RR at vrrp_rt_priority. */
  restore(priority: number): void;
}

export interface AutoPriorityLog {
  info(message: string): void;
  warning(message: string): void;
}

/**
 * The state: the current real-time priority. `lateWakeup` is called by the clock for every
 * wake-up later than minDelayUs (see `thresholdUs`).
 */
export class AutoPriority {
  private current: number;
  private refused = false;

  constructor(private settings: AutoPrioritySettings, private readonly port: AutoPriorityPort, private readonly log: AutoPriorityLog) {
    this.current = settings.startPriority;
  }

  /**
   * Reload: the new settings; a priority raised by late wake-ups goes back to the configured one
   * (keepalived 2.2.7: SCHED_OTHER right after the reload, then stepped again).
   */
  reload(settings: AutoPrioritySettings): void {
    const raised = this.current !== this.settings.startPriority;
    this.settings = settings;
    this.refused = false;
    if (!raised) return;
    try {
      this.port.restore(settings.startPriority);
    } catch (e) {
      this.log.warning(`Unable to restore the process scheduling: ${errorText(e)}`);
      return;
    }
    this.current = settings.startPriority;
  }

  /** The clock reports wake-ups later than this. */
  get thresholdUs(): number {
    return this.settings.minDelayUs;
  }

  /** The current real-time priority (0: SCHED_OTHER). */
  get priority(): number {
    return this.current;
  }

  lateWakeup(latenessUs: number): void {
    if (latenessUs <= this.settings.minDelayUs) return;
    this.log.info(lateTimerMessage(latenessUs));
    if (this.refused) return;
    const next = nextAutoPriority(this.current, this.settings.maxPriority);
    if (next === undefined) return;
    try {
      this.port.setRealtime(next, this.current === 0, this.settings.rlimitRttimeUs);
    } catch (e) {
      this.refused = true;
      this.log.warning(`Unable to set realtime priority ${next}: ${errorText(e)} - max_auto_priority no longer applied`);
      return;
    }
    this.current = next;
    this.log.info(`Set realtime priority ${next}`);
  }
}

function errorText(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : e instanceof Error ? e.message : String(e);
}
