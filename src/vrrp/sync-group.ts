/**
 * vrrp_sync_group (keepalived-behaviour §1.5, §5.8): the members of a group move together.
 * - A member that enters FAULT puts every other member in FAULT (a fault keyed by the group);
 *   they come back to BACKUP when no member has a fault of its own any more.
 * - A member that becomes MASTER takes the BACKUP members with it; a MASTER that falls back to
 *   BACKUP takes the other MASTERs back to BACKUP.
 * - The group has a state of its own (FAULT if a member is, else MASTER if a member is, else
 *   BACKUP); its changes go to group observers (group notify scripts, FIFO "GROUP" lines).
 *   Its first state is announced before the first member's own line, as keepalived 2.2.7 writes
 *   `GROUP "G" BACKUP 0` before the members' `INSTANCE ... BACKUP` at startup; later group
 *   lines follow the members' lines.
 * Weighted trackers of members are already dropped by the config layer unless
 * sync_group_tracking_weight. The coordinator only dispatches events: the members' own state
 * machines perform the transitions, through their one choke point.
 */
import type { DriverEvent, TransitionObserver } from './driver.js';
import type { VrrpEvent, VrrpState, VrrpStateName } from './state-machine-types.js';

/** What the coordinator needs of a member: InstanceDriver implements it. */
export interface SyncMember {
  readonly name: string;
  readonly state: VrrpState;
  dispatch(event: VrrpEvent): void;
  onTransition(observer: TransitionObserver, order?: 'first' | 'last'): () => void;
}

export interface GroupTransition {
  readonly kind: 'group-transition';
  readonly group: string;
  readonly from: VrrpStateName;
  readonly to: VrrpStateName;
}

export type GroupObserver = (event: GroupTransition) => void;

export function syncFaultKey(group: string): string {
  return `sync_group:${group}`;
}

export class SyncGroupCoordinator {
  private readonly members: SyncMember[] = [];
  private readonly offs: (() => void)[] = [];
  private readonly observers = new Set<GroupObserver>();
  private groupState: VrrpStateName = 'INIT';
  private propagating = false;

  constructor(readonly name: string) {}

  get state(): VrrpStateName {
    return this.groupState;
  }

  onGroupTransition(observer: GroupObserver): () => void {
    this.observers.add(observer);
    return () => void this.observers.delete(observer);
  }

  /** Adds a member (before it starts, so that a faulty member holds the others from the start). */
  add(member: SyncMember): void {
    this.members.push(member);
    this.offs.push(member.onTransition((event) => this.memberLeavesInit(member, event), 'first'));
    this.offs.push(member.onTransition((event) => this.memberEvent(member, event)));
  }

  detach(): void {
    for (const off of this.offs.splice(0)) off();
    this.members.length = 0;
  }

  /** Before anyone else sees a member's first state: the group, still in INIT, takes its own. */
  private memberLeavesInit(member: SyncMember, event: DriverEvent): void {
    if (event.kind !== 'transition' || event.from !== 'INIT' || event.to === 'INIT' || this.groupState !== 'INIT') return;
    this.updateGroupState({ member, state: event.to });
  }

  private memberEvent(member: SyncMember, event: DriverEvent): void {
    if (event.kind !== 'transition' || event.from === event.to) return;
    if (this.propagating) return;
    this.propagating = true;
    try {
      this.follow(member, event.from, event.to);
      this.syncFaults();
    } finally {
      this.propagating = false;
    }
    this.updateGroupState();
  }

  /** MASTER takes the BACKUPs along; a MASTER -> BACKUP takes the other MASTERs back. */
  private follow(member: SyncMember, from: VrrpStateName, to: VrrpStateName): void {
    const others = this.members.filter((m) => m !== member);
    if (to === 'MASTER') {
      for (const m of others) if (m.state.name === 'BACKUP') m.dispatch({ kind: 'sync', to: 'MASTER', group: this.name });
    } else if (to === 'BACKUP' && from === 'MASTER') {
      for (const m of others) if (m.state.name === 'MASTER') m.dispatch({ kind: 'sync', to: 'BACKUP', group: this.name });
    }
  }

  /** Each member carries the group fault while another member has a fault of its own. */
  private syncFaults(): void {
    const key = syncFaultKey(this.name);
    const ownFault = (m: SyncMember): boolean => m.state.faults.some((f) => f !== key);
    for (let pass = 0; pass < this.members.length; pass++) {
      let changed = false;
      for (const m of this.members) {
        const want = this.members.some((o) => o !== m && ownFault(o));
        const has = m.state.faults.includes(key);
        if (want === has) continue;
        m.dispatch({ kind: 'fault', fault: key, raised: want });
        changed = true;
      }
      if (!changed) return;
    }
  }

  private updateGroupState(pending?: { readonly member: SyncMember; readonly state: VrrpStateName }): void {
    const names = this.members.map((m) => (m === pending?.member ? pending.state : m.state.name));
    const next: VrrpStateName = names.includes('FAULT') ? 'FAULT' : names.includes('MASTER') ? 'MASTER' : names.every((n) => n === 'STOP') ? 'STOP' : names.includes('BACKUP') ? 'BACKUP' : this.groupState;
    if (next === this.groupState) return;
    const event: GroupTransition = { kind: 'group-transition', group: this.name, from: this.groupState, to: next };
    this.groupState = next;
    for (const observer of [...this.observers]) observer(event);
  }
}
