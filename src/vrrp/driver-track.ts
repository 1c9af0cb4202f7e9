/**
 * track_interface for the driver: a tracked interface with weight 0 puts the instance in FAULT
 * while it is down; a weighted one moves the effective priority (keepalived: a positive weight is
 * added while the interface is up, a negative one while it is down; `reverse` swaps up and down).
 * Pure functions of the link states; the driver feeds the results to the state machine.
 */
import type { LinkState } from './ports.js';

export interface TrackedInterface {
  readonly name: string;
  readonly weight: number;
  readonly reverse: boolean;
}

export type LinkStateOf = (interfaceName: string) => LinkState | undefined;

/** The fault key of a tracked interface (one per interface, beside the instance's own 'interface'). */
export function trackFaultKey(name: string): string {
  return `track_interface:${name}`;
}

function isUp(ref: TrackedInterface, stateOf: LinkStateOf): boolean {
  const up = stateOf(ref.name) === 'up';
  return ref.reverse ? !up : up;
}

/** Unweighted tracked interfaces that are down: each one is a fault. */
export function trackFaults(refs: readonly TrackedInterface[], stateOf: LinkStateOf): Set<string> {
  return new Set(refs.filter((r) => r.weight === 0 && !isUp(r, stateOf)).map((r) => trackFaultKey(r.name)));
}

/** Base priority plus the weights that apply now (the state machine clamps the result). */
export function trackedPriority(basePriority: number, refs: readonly TrackedInterface[], stateOf: LinkStateOf): number {
  let priority = basePriority;
  for (const r of refs) {
    if (r.weight > 0 && isUp(r, stateOf)) priority += r.weight;
    if (r.weight < 0 && !isUp(r, stateOf)) priority += r.weight;
  }
  return priority;
}

/**
 * What one tracked object (vrrp_script, track_file, track_process) contributes to an instance:
 * a fault (weight 0 and failed) and/or a priority delta. Computed by src/vrrp/trackers.ts.
 */
export interface TrackContribution {
  readonly fault: boolean;
  readonly delta: number;
}

export const NO_CONTRIBUTION: TrackContribution = { fault: false, delta: 0 };

/**
 * A good/failed tracker seen through an instance's reference: weight 0 -> fault while failed;
 * a positive weight is added while good, a negative one while failed; `reverse` swaps good/failed.
 */
export function binaryContribution(ref: TrackedInterface, good: boolean): TrackContribution {
  const up = ref.reverse ? !good : good;
  if (ref.weight === 0) return { fault: !up, delta: 0 };
  if (ref.weight > 0) return { fault: false, delta: up ? ref.weight : 0 };
  return { fault: false, delta: up ? 0 : ref.weight };
}

/** keepalived: an address owner (base 255) keeps 255 whatever its trackers say. */
export function effectivePriority(basePriority: number, deltas: Iterable<number>): number {
  if (basePriority === 255) return 255;
  let priority = basePriority;
  for (const d of deltas) priority += d;
  return priority;
}
