/**
 * Types of the pure VRRP state machine: `step(state, event, nowUs) -> { state, actions }`.
 * RFC vocabulary (Master_Adver_Interval, Master_Down_Timer, Adver_Timer, Skew_Time) and
 * keepalived's states and log messages. Durations are microseconds (`delayUs`), keepalived's
 * resolution; the driver converts them for its clock.
 */
import type { VrrpInstanceParams } from './params.js';

export type VrrpStateName = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP';

/** Timers the driver keeps, one of each per instance; arming one replaces its previous deadline. */
export type VrrpTimer =
  | 'startup-delay' // vrrp_startup_delay
  | 'master-down' // Master_Down_Timer (BACKUP)
  | 'advert' // Adver_Timer (MASTER)
  | 'preempt-delay' // preempt_delay (BACKUP, a lower-priority master is tolerated meanwhile)
  | 'garp-master-delay' // second GARP burst after becoming MASTER
  | 'garp-refresh' // periodic GARP refresh while MASTER
  | 'garp-lower-prio'; // second GARP burst after a lower-priority advert

/** The advert as the state machine needs it (already validated by validate.ts). */
export interface AdvertSummary {
  readonly priority: number;
  readonly source: string;
  /** v3: the sender's Max Adver Int; v2: its Adver Int x 100 (equal to ours after validation). */
  readonly advertIntervalCs: number;
}

export type VrrpEvent =
  | { readonly kind: 'startup' }
  | { readonly kind: 'advert'; readonly advert: AdvertSummary }
  | { readonly kind: 'timer'; readonly timer: VrrpTimer }
  /** Stop; `release: false` (-V/--dont-release-vrrp): no priority-0 advert, VIPs/routes/rules left in place. */
  | { readonly kind: 'shutdown'; readonly release?: boolean }
  | { readonly kind: 'fault'; readonly fault: string; readonly raised: boolean }
  /** Effective priority computed by the trackers (base + weights). */
  | { readonly kind: 'priority'; readonly priority: number }
  /** vrrp_sync_group: another member became MASTER (follow it from BACKUP) or left MASTER for BACKUP. */
  | { readonly kind: 'sync'; readonly to: 'MASTER' | 'BACKUP'; readonly group: string }
  /** A tracked virtual route or rule was deleted by someone else: a MASTER steps down and re-elects. */
  | { readonly kind: 'resign' };

/** keepalived statistics counters the state machine increments. */
export type VrrpCounter = 'advert_sent' | 'advert_rcvd' | 'become_master' | 'release_master' | 'pri_zero_sent' | 'pri_zero_rcvd';

/** Events keepalived reports to notify_* scripts / the FIFO besides state changes. */
/** `*_PRIORITY`: the effective priority changed (notify_priority_changes; FIFO only, no script). */
export type VrrpNotifyEvent = 'MASTER_RX_LOWER_PRI' | 'MASTER_PRIORITY' | 'BACKUP_PRIORITY';

export type VrrpAction =
  | { readonly kind: 'send-advert'; readonly priority: number }
  | { readonly kind: 'arm-timer'; readonly timer: VrrpTimer; readonly delayUs: number }
  | { readonly kind: 'cancel-timer'; readonly timer: VrrpTimer }
  | { readonly kind: 'add-vips' }
  | { readonly kind: 'remove-vips' }
  /** A burst of `count` gratuitous ARPs (IPv4) or unsolicited NAs (IPv6) per VIP. */
  | { readonly kind: 'send-garp'; readonly count: number; readonly cause: 'master' | 'master-delay' | 'refresh' | 'lower-prio' }
  /** The one choke point of state changes: log `message` (if any), count, run notifies, tell observers. */
  | { readonly kind: 'transition'; readonly from: VrrpStateName; readonly to: VrrpStateName; readonly priority: number; readonly message?: string }
  | { readonly kind: 'notify-event'; readonly event: VrrpNotifyEvent }
  | { readonly kind: 'log'; readonly level: 'info' | 'warning'; readonly message: string }
  | { readonly kind: 'count'; readonly counter: VrrpCounter };

/** Pending deadlines (absolute, µs on the driver's monotonic clock), for stale-expiry detection. */
export type TimerDeadlines = Readonly<Partial<Record<VrrpTimer, number>>>;

export interface VrrpState {
  readonly params: VrrpInstanceParams;
  readonly name: VrrpStateName;
  readonly effectivePriority: number;
  /** v3: learned from the master's adverts in BACKUP; our own interval in MASTER. */
  readonly masterAdverIntervalCs: number;
  readonly masterAddress?: string;
  readonly masterPriority?: number;
  /** preempt_delay: 'running' tolerates a lower-priority master, 'expired' no longer does. */
  readonly preemptDelay: 'idle' | 'running' | 'expired';
  readonly faults: readonly string[];
  readonly timers: TimerDeadlines;
}

export interface StepResult {
  readonly state: VrrpState;
  readonly actions: readonly VrrpAction[];
}
