/**
 * Event handling in BACKUP and MASTER (RFC 5798/9568 §6.4.2-6.4.3 as keepalived implements them,
 * keepalived-behaviour §5.3).
 */
import type { AdvertSummary, VrrpTimer } from './state-machine-types.js';
import { becomeMaster, compareAddresses, currentMasterDownUs, currentSkewUs, leaveMaster, Transaction } from './state-machine-tx.js';
import { US_PER_CS, US_PER_MS } from './timers.js';

/** BACKUP: (v3) learn the master's interval and reset Master_Down_Timer. */
function acceptMaster(tx: Transaction, advert: AdvertSummary): void {
  const learned = tx.state.params.version === 3 ? advert.advertIntervalCs : tx.state.masterAdverIntervalCs;
  tx.patch({ masterAdverIntervalCs: learned, masterAddress: advert.source, masterPriority: advert.priority });
  tx.arm('master-down', currentMasterDownUs(tx.state));
}

/**
 * Whether a lower-priority master is tolerated: nopreempt, or preempt_delay not yet expired
 * (the first such advert starts the delay).
 */
function toleratesLowerMaster(tx: Transaction): boolean {
  const { params } = tx.state;
  if (!params.preempt) return true;
  if (params.preemptDelayMs <= 0) return false;
  if (tx.state.preemptDelay === 'idle') {
    tx.arm('preempt-delay', params.preemptDelayMs * US_PER_MS);
    tx.patch({ preemptDelay: 'running' });
  }
  return tx.state.preemptDelay === 'running';
}

export function backupOnAdvert(tx: Transaction, advert: AdvertSummary): void {
  const ours = tx.state.effectivePriority;
  if (advert.priority === 0) {
    tx.count('pri_zero_rcvd');
    tx.log('Backup received priority 0 advertisement');
    tx.patch({ masterAddress: advert.source, masterPriority: 0 });
    tx.arm('master-down', currentSkewUs(tx.state));
    return;
  }
  if (advert.priority >= ours) {
    tx.cancel('preempt-delay');
    tx.patch({ preemptDelay: 'idle' });
    acceptMaster(tx, advert);
    return;
  }
  if (toleratesLowerMaster(tx)) {
    acceptMaster(tx, advert);
    return;
  }
  tx.log(`received lower priority (${advert.priority}) advert from ${advert.source} - discarding`);
}

export function backupOnTimer(tx: Transaction, timer: VrrpTimer): void {
  if (timer === 'master-down') {
    tx.log('Receive advertisement timeout');
    becomeMaster(tx);
  } else if (timer === 'preempt-delay') {
    tx.patch({ preemptDelay: 'expired' });
  }
}

function yieldsTo(tx: Transaction, advert: AdvertSummary): boolean {
  const ours = tx.state.effectivePriority;
  if (advert.priority !== ours) return advert.priority > ours;
  return compareAddresses(advert.source, tx.state.params.primaryAddress) > 0;
}

/** MASTER -> BACKUP on a better advert: (v3) learn its interval, arm Master_Down_Timer. */
function yieldMastership(tx: Transaction, advert: AdvertSummary): void {
  tx.log(`Master received advert from ${advert.source} with higher priority ${advert.priority}, ours ${tx.state.effectivePriority}`);
  if (tx.state.params.higherPrioSendAdvert) tx.sendAdvert(tx.state.effectivePriority);
  leaveMaster(tx, 'no');
  acceptMaster(tx, advert);
  tx.transition('BACKUP');
}

/** RFC 9568: assert mastership to a lower-priority master; keepalived adds GARPs and a notify. */
function forceNewElection(tx: Transaction, advert: AdvertSummary): void {
  const { params } = tx.state;
  tx.log(`Received advert from ${advert.source} with lower priority ${advert.priority}, ours ${tx.state.effectivePriority}, forcing new election`);
  if (!params.lowerPrioNoAdvert) tx.sendAdvert(tx.state.effectivePriority);
  tx.garp(params.garp.lowerPrioRepeat, 'lower-prio');
  if (params.garp.lowerPrioRepeat > 0 && params.garp.lowerPrioDelayMs > 0) tx.arm('garp-lower-prio', params.garp.lowerPrioDelayMs * US_PER_MS);
  tx.actions.push({ kind: 'notify-event', event: 'MASTER_RX_LOWER_PRI' });
}

export function masterOnAdvert(tx: Transaction, advert: AdvertSummary): void {
  if (advert.source === tx.state.params.primaryAddress) return; // our own advert looped back
  if (advert.priority === 0) {
    tx.count('pri_zero_rcvd');
    tx.sendAdvert(tx.state.effectivePriority);
    tx.arm('advert', tx.state.params.advertIntervalCs * US_PER_CS);
  } else if (yieldsTo(tx, advert)) {
    yieldMastership(tx, advert);
  } else {
    forceNewElection(tx, advert);
  }
}

export function masterOnTimer(tx: Transaction, timer: VrrpTimer): void {
  const { params } = tx.state;
  if (timer === 'advert') {
    tx.sendAdvert(tx.state.effectivePriority);
    tx.arm('advert', params.advertIntervalCs * US_PER_CS);
  } else if (timer === 'garp-master-delay') {
    tx.garp(params.garp.masterRepeat, 'master-delay');
  } else if (timer === 'garp-refresh') {
    tx.garp(params.garp.masterRefreshRepeat, 'refresh');
    tx.arm('garp-refresh', params.garp.masterRefreshMs * US_PER_MS);
  } else if (timer === 'garp-lower-prio') {
    tx.garp(params.garp.lowerPrioRepeat, 'lower-prio');
  }
}
