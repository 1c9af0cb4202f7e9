/**
 * Scheduling of the VRRP process from global_defs, as keepalived 2.2.7 applies it to its VRRP
 * child (observed in the lab with /proc and chrt):
 *   vrrp_rt_priority N    SCHED_RR|SCHED_RESET_ON_FORK at priority N (clamped to 1..99), and then
 *                         RLIMIT_RTTIME soft = limit / 2, hard = limit, with the limit from
 *                         vrrp_rlimit_rttime (alias vrrp_rlimit_rtime; keepalived's default is
 *                         10000 us, ours 100000 us: see DEFAULT_RLIMIT_RTTIME_US);
 *   vrrp_priority N       nice N (-20..19), only without vrrp_rt_priority;
 *   vrrp_no_swap          mlockall;
 *   vrrp_cpu_affinity L   sched_setaffinity to the CPUs listed.
 * Nothing of this is applied by default (keepalived: SCHED_OTHER, nice 0, no lock, all CPUs).
 * Scripts the process starts run SCHED_OTHER at nice 0 (SCHED_RESET_ON_FORK), as keepalived's do.
 * Values were already validated by the config pipeline (which reported bad ones); here an invalid
 * value is simply not applied.
 */

export interface VrrpScheduling {
  readonly realtimePriority?: number;
  /** RLIMIT_RTTIME hard limit in microseconds (soft: half), with realtimePriority only. */
  readonly rlimitRttimeUs?: number;
  readonly nice?: number;
  readonly lockMemory: boolean;
  readonly cpus?: readonly number[];
}

/**
 * keepalived's default RLIMIT_RTTIME (10 ms of CPU without sleeping, soft 5 ms) kills a Node
 * daemon: its threads now and then run more than 10 ms at a stretch (garbage collection,
 * compilation). Measured with bench:stress (advert_int 0.01, pair pinned with busy loops): both
 * daemons SIGKILLed within a minute at 10000 us; at 100000 us, 60 s without SIGXCPU. 100 ms
 * keeps the limit's purpose (a runaway real-time loop is stopped; SIGXCPU at 50 ms is reported
 * first) without killing a healthy daemon.
 */
export const DEFAULT_RLIMIT_RTTIME_US = 100_000;

function integer(text: string | undefined): number | undefined {
  if (text === undefined || !/^[+-]?\d+$/.test(text)) return undefined;
  const v = Number.parseInt(text, 10);
  return Number.isSafeInteger(v) ? v : undefined;
}

/** The VRRP process's scheduling from global_defs' raw keywords (GlobalModel.raw). */
export function vrrpSchedulingFrom(raw: ReadonlyMap<string, readonly string[]> | undefined): VrrpScheduling {
  const arg = (k: string): string | undefined => raw?.get(k)?.[0];
  const rt = integer(arg('vrrp_rt_priority'));
  const realtimePriority = rt === undefined ? undefined : Math.min(99, Math.max(1, rt));
  const nice = integer(arg('vrrp_priority'));
  const limit = integer(arg('vrrp_rlimit_rttime') ?? arg('vrrp_rlimit_rtime'));
  const cpuArgs = raw?.get('vrrp_cpu_affinity') ?? [];
  const cpus = cpuArgs.map((a) => integer(a));
  const validCpus = cpus.length > 0 && cpus.every((c): c is number => c !== undefined && c >= 0 && c <= 4095);
  return {
    ...(realtimePriority !== undefined ? { realtimePriority, rlimitRttimeUs: limit !== undefined && limit > 0 ? limit : DEFAULT_RLIMIT_RTTIME_US } : {}),
    ...(realtimePriority === undefined && nice !== undefined && nice >= -20 && nice <= 19 && nice !== 0 ? { nice } : {}),
    lockMemory: raw?.has('vrrp_no_swap') ?? false,
    ...(validCpus ? { cpus: [...new Set(cpus as number[])].sort((a, b) => a - b) } : {}),
  };
}

/** Whether anything is to be applied. */
export function schedulingRequested(s: VrrpScheduling): boolean {
  return s.realtimePriority !== undefined || s.nice !== undefined || s.lockMemory || s.cpus !== undefined;
}
