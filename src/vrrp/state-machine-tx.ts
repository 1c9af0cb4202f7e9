/**
 * One step's accumulator (state patches and actions, in order) and the transitions shared by
 * several events: entering BACKUP, becoming MASTER, leaving MASTER, entering FAULT or STOP.
 * Mutable only inside one call of step(); step() itself stays a pure function.
 */
import { parseIp } from '../proto/inet-address.js';
import { isOwner } from './params.js';
import type { VrrpAction, VrrpCounter, VrrpState, VrrpStateName, VrrpTimer } from './state-machine-types.js';
import { masterDownIntervalUs, skewPriority, skewTimeUs, US_PER_CS, US_PER_MS } from './timers.js';

type Writable<T> = { -readonly [K in keyof T]: T[K] };
type WritableTimers = Partial<Record<VrrpTimer, number>>;

export class Transaction {
  readonly actions: VrrpAction[] = [];
  /**
   * The step's own copy of the state, made at its first change and then changed in place (one
   * copy per step, not one per change: this runs for every advert). The input state is never
   * touched, so step() stays pure.
   */
  private own: Writable<VrrpState> | undefined;
  /** The timers object of `own` when this step made it (else copied before the first write). */
  private ownTimers: WritableTimers | undefined;

  constructor(
    public state: VrrpState,
    readonly nowUs: number,
  ) {}

  patch(changes: Partial<VrrpState>): void {
    if (this.own === undefined) {
      this.own = { ...this.state, ...changes };
      this.state = this.own;
    } else {
      Object.assign(this.own, changes);
    }
    if (changes.timers !== undefined && changes.timers !== this.ownTimers) this.ownTimers = undefined;
  }

  private writableTimers(): WritableTimers {
    if (this.ownTimers !== undefined) return this.ownTimers;
    const timers: WritableTimers = { ...this.state.timers };
    this.patch({ timers });
    this.ownTimers = timers;
    return timers;
  }

  arm(timer: VrrpTimer, delayUs: number): void {
    this.actions.push({ kind: 'arm-timer', timer, delayUs });
    this.writableTimers()[timer] = this.nowUs + delayUs;
  }

  cancel(...timers: VrrpTimer[]): void {
    for (const timer of timers) {
      if (this.state.timers[timer] === undefined) continue;
      this.actions.push({ kind: 'cancel-timer', timer });
      this.forget(timer);
    }
  }

  /** Drops a deadline without an action (the timer just fired). */
  forget(timer: VrrpTimer): void {
    // a new object without the key (no `delete`: it would turn the object into a slow dictionary)
    const timers: WritableTimers = {};
    const before = this.state.timers;
    for (const key of Object.keys(before) as VrrpTimer[]) {
      const deadline = before[key];
      if (key !== timer && deadline !== undefined) timers[key] = deadline;
    }
    this.patch({ timers });
    this.ownTimers = timers;
  }

  count(counter: VrrpCounter): void {
    this.actions.push({ kind: 'count', counter });
  }

  log(message: string, level: 'info' | 'warning' = 'info'): void {
    this.actions.push({ kind: 'log', level, message: `(${this.state.params.name}) ${message}` });
  }

  sendAdvert(priority: number): void {
    this.actions.push({ kind: 'send-advert', priority });
    this.count('advert_sent');
    if (priority === 0) this.count('pri_zero_sent');
  }

  garp(count: number, cause: 'master' | 'master-delay' | 'refresh' | 'lower-prio'): void {
    if (count > 0) this.actions.push({ kind: 'send-garp', count, cause });
  }

  /**
   * The choke point: every state change goes through here with keepalived's log message
   * (keepalived logs none for STOP: its shutdown shows "sent 0 priority" and "removing VIPs.").
   */
  transition(to: VrrpStateName, suffix = ''): void {
    const from = this.state.name;
    const priority = this.state.effectivePriority;
    if (to === 'STOP') {
      this.actions.push({ kind: 'transition', from, to, priority });
    } else {
      const message = `(${this.state.params.name}) Entering ${to} STATE${suffix}`;
      this.actions.push({ kind: 'transition', from, to, priority, message });
    }
    this.patch({ name: to });
  }
}

/** Skew_Time for the current Master_Adver_Interval. */
export function currentSkewUs(state: VrrpState): number {
  const { params } = state;
  return skewTimeUs(params.version, skewPriority(params.priority, state.effectivePriority), state.masterAdverIntervalCs);
}

/** Master_Down_Interval for the current Master_Adver_Interval. */
export function currentMasterDownUs(state: VrrpState): number {
  const { params } = state;
  const prio = skewPriority(params.priority, state.effectivePriority);
  return masterDownIntervalUs(params.version, prio, state.masterAdverIntervalCs, params.downTimerAdverts);
}

/** Unsigned comparison of two addresses of one family in network byte order (RFC 9568). */
export function compareAddresses(a: string, b: string): number {
  const x = parseIp(a);
  const y = parseIp(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const diff = (x[i] ?? 0) - (y[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return x.length - y.length;
}

/** Enter BACKUP (RFC: Master_Adver_Interval := Advertisement_Interval; arm Master_Down_Timer). */
export function enterBackup(tx: Transaction, suffix = ''): void {
  tx.patch({ masterAdverIntervalCs: tx.state.params.advertIntervalCs, preemptDelay: 'idle' });
  tx.arm('master-down', currentMasterDownUs(tx.state));
  tx.transition('BACKUP', suffix);
}

/**
 * Become MASTER: advert first, then VIPs, then GARP/NA bursts, then the timers (§5.6). The
 * transition sits before the VIPs, as keepalived logs "Entering MASTER STATE" before "setting VIPs.".
 */
export function becomeMaster(tx: Transaction): void {
  const { params } = tx.state;
  tx.cancel('master-down', 'preempt-delay');
  tx.patch({ masterAdverIntervalCs: params.advertIntervalCs, preemptDelay: 'idle', masterAddress: params.primaryAddress, masterPriority: tx.state.effectivePriority });
  tx.sendAdvert(tx.state.effectivePriority);
  tx.transition('MASTER');
  tx.actions.push({ kind: 'add-vips' });
  tx.garp(params.garp.masterRepeat, 'master');
  if (params.garp.masterDelayMs > 0 && params.garp.masterRepeat > 0) tx.arm('garp-master-delay', params.garp.masterDelayMs * US_PER_MS);
  if (params.garp.masterRefreshMs > 0) tx.arm('garp-refresh', params.garp.masterRefreshMs * US_PER_MS);
  tx.arm('advert', params.advertIntervalCs * US_PER_CS);
  tx.count('become_master');
}

/**
 * Leave MASTER: stop its timers, optionally resign with priority 0, remove the VIPs. `keep` (stop
 * with -V/--dont-release-vrrp, as keepalived 2.2.7): no advert, VIPs, routes and rules stay.
 */
export function leaveMaster(tx: Transaction, resign: 'no' | 'fault' | 'shutdown' | 'keep'): void {
  tx.cancel('advert', 'garp-master-delay', 'garp-refresh', 'garp-lower-prio');
  if (resign === 'keep') return;
  if (resign !== 'no') tx.sendAdvert(0);
  if (resign === 'shutdown') tx.log('sent 0 priority');
  tx.actions.push({ kind: 'remove-vips' });
  tx.count('release_master');
}

/** Leave whatever we are in (BACKUP, MASTER, INIT) before FAULT or STOP. */
export function leaveCurrent(tx: Transaction, reason: 'fault' | 'shutdown' | 'keep'): void {
  if (tx.state.name === 'MASTER') leaveMaster(tx, reason);
  tx.cancel('master-down', 'preempt-delay', 'startup-delay');
  tx.patch({ preemptDelay: 'idle' });
}

/** Startup (and recovery from FAULT): FAULT if faulted; the owner with state MASTER takes over. */
export function start(tx: Transaction, suffix: string): void {
  const { params } = tx.state;
  if (tx.state.faults.length > 0) {
    tx.transition('FAULT');
    return;
  }
  if (isOwner(params) && params.initialState === 'MASTER') becomeMaster(tx);
  else enterBackup(tx, suffix);
}

/** Startup: keepalived first removes VIPs a previous run may have left ("removing VIPs."). */
export function startFromInit(tx: Transaction): void {
  tx.actions.push({ kind: 'remove-vips' });
  start(tx, ' (init)');
}
