/**
 * The VRRP state machine as a pure function: `step(state, event, nowUs) -> { state, actions }`.
 * States INIT, BACKUP, MASTER, FAULT, STOP. A thin driver executes the actions (send adverts,
 * arm timers, add VIPs, GARP, notifies) and feeds timer expiries and validated adverts back.
 * `nowUs` is the driver's monotonic clock in microseconds; it only anchors timer deadlines.
 */
import { checkParams, type VrrpInstanceParams } from './params.js';
import { backupOnAdvert, backupOnTimer, masterOnAdvert, masterOnTimer } from './state-machine-roles.js';
import { becomeMaster, currentSkewUs, enterBackup, leaveCurrent, leaveMaster, start, startFromInit, Transaction } from './state-machine-tx.js';
import type { StepResult, VrrpEvent, VrrpState, VrrpTimer } from './state-machine-types.js';
import { US_PER_MS } from './timers.js';

export type { StepResult, VrrpAction, VrrpEvent, VrrpState } from './state-machine-types.js';

/** The state before `startup`: INIT, effective priority = configured priority. */
export function initialVrrpState(params: VrrpInstanceParams): VrrpState {
  checkParams(params);
  return {
    params,
    name: 'INIT',
    effectivePriority: params.priority,
    masterAdverIntervalCs: params.advertIntervalCs,
    preemptDelay: 'idle',
    faults: [],
    timers: {},
  };
}

/** Whether received adverts are validated and fed to step() (BACKUP and MASTER only). */
export function isListening(state: VrrpState): boolean {
  return state.name === 'BACKUP' || state.name === 'MASTER';
}

function onStartup(tx: Transaction): void {
  if (tx.state.name !== 'INIT' || tx.state.timers['startup-delay'] !== undefined) return;
  const delayMs = tx.state.params.startupDelayMs;
  if (delayMs > 0) tx.arm('startup-delay', delayMs * US_PER_MS);
  else startFromInit(tx);
}

/** A timer fired: stale (cancelled/re-armed) or early expiries are ignored. */
function onTimer(tx: Transaction, timer: VrrpTimer): void {
  const deadline = tx.state.timers[timer];
  if (deadline === undefined || deadline > tx.nowUs) return;
  tx.forget(timer);
  if (timer === 'startup-delay' && tx.state.name === 'INIT') startFromInit(tx);
  else if (tx.state.name === 'BACKUP') backupOnTimer(tx, timer);
  else if (tx.state.name === 'MASTER') masterOnTimer(tx, timer);
}

function onShutdown(tx: Transaction, release: boolean): void {
  if (tx.state.name === 'STOP') return;
  leaveCurrent(tx, release ? 'shutdown' : 'keep');
  tx.transition('STOP');
}

function onFault(tx: Transaction, fault: string, raised: boolean): void {
  const before = tx.state.faults;
  const faults = raised ? (before.includes(fault) ? before : [...before, fault]) : before.filter((f) => f !== fault);
  tx.patch({ faults });
  if (raised && before.length === 0 && isListening(tx.state)) {
    leaveCurrent(tx, 'fault');
    tx.transition('FAULT');
  } else if (!raised && faults.length === 0 && tx.state.name === 'FAULT') {
    start(tx, '');
  }
}

/** Trackers changed the effective priority: clamp to 1..254 (1..255 for an owner), keep state. */
function onPriority(tx: Transaction, requested: number): void {
  const max = tx.state.params.priority === 255 ? 255 : 254;
  const priority = Math.max(1, Math.min(max, Math.round(requested)));
  if (priority === tx.state.effectivePriority) return;
  tx.log(`Changing effective priority from ${tx.state.effectivePriority} to ${priority}`);
  tx.patch({ effectivePriority: priority });
  // keepalived 2.2.7 (measured): MASTER_PRIORITY as MASTER, BACKUP_PRIORITY in any other state
  // (FAULT, and INIT: trackers already down at startup give a line before the first BACKUP one)
  if (tx.state.params.notifyPriorityChanges === true) {
    tx.actions.push({ kind: 'notify-event', event: tx.state.name === 'MASTER' ? 'MASTER_PRIORITY' : 'BACKUP_PRIORITY' });
  }
}

/** A sync group moves its members together: BACKUP follows a member to MASTER, MASTER follows one back. */
function onSync(tx: Transaction, to: 'MASTER' | 'BACKUP', group: string): void {
  if (to === 'MASTER' && tx.state.name === 'BACKUP') {
    tx.log(`VRRP_Group(${group}) Syncing instances to MASTER state`);
    becomeMaster(tx);
  } else if (to === 'BACKUP' && tx.state.name === 'MASTER') {
    tx.log(`VRRP_Group(${group}) Syncing instances to BACKUP state`);
    leaveMaster(tx, 'no');
    enterBackup(tx);
  }
}

/**
 * keepalived 2.2.7 when a tracked virtual route or rule disappears (measured): "Entering BACKUP
 * STATE", "sent 0 priority", rules/routes/VIPs removed, then Master_Down after Skew_Time as if a
 * priority-0 advert had been received (0.42 s at priority 150); nobody better answering, it takes
 * over again and re-installs everything.
 */
function onResign(tx: Transaction): void {
  if (tx.state.name !== 'MASTER') return;
  tx.cancel('advert', 'garp-master-delay', 'garp-refresh', 'garp-lower-prio');
  tx.sendAdvert(0);
  enterBackup(tx);
  tx.arm('master-down', currentSkewUs(tx.state));
  tx.log('sent 0 priority');
  tx.actions.push({ kind: 'remove-vips' });
  tx.count('release_master');
}

function onAdvert(tx: Transaction, event: Extract<VrrpEvent, { kind: 'advert' }>): void {
  if (!isListening(tx.state)) return;
  tx.count('advert_rcvd');
  if (tx.state.name === 'BACKUP') backupOnAdvert(tx, event.advert);
  else masterOnAdvert(tx, event.advert);
}

/** One event in, the next state and the actions to perform (in order) out. Never throws. */
export function step(state: VrrpState, event: VrrpEvent, nowUs: number): StepResult {
  const tx = new Transaction(state, nowUs);
  switch (event.kind) {
    case 'startup':
      onStartup(tx);
      break;
    case 'advert':
      onAdvert(tx, event);
      break;
    case 'timer':
      onTimer(tx, event.timer);
      break;
    case 'shutdown':
      onShutdown(tx, event.release !== false);
      break;
    case 'fault':
      onFault(tx, event.fault, event.raised);
      break;
    case 'priority':
      onPriority(tx, event.priority);
      break;
    case 'sync':
      onSync(tx, event.to, event.group);
      break;
    case 'resign':
      onResign(tx);
      break;
  }
  return { state: tx.state, actions: tx.actions };
}
