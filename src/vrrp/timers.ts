/**
 * RFC timer formulas in microseconds (keepalived computes in microseconds; integer centiseconds
 * would truncate the skew as FRR does). vrrp-rfc-and-peers.md §1.4, keepalived-behaviour §5.2.
 */
import type { VrrpVersion } from './packet-types.js';

export const US_PER_CS = 10_000;
export const US_PER_MS = 1_000;
export const US_PER_S = 1_000_000;

/**
 * Skew_Time. v2: (256 - priority) / 256 s, independent of the interval. v3: ((256 - priority) x
 * Master_Adver_Interval) / 256 cs. A configured owner uses 255 even when trackers lowered its
 * effective priority (keepalived).
 */
export function skewTimeUs(version: VrrpVersion, skewPriority: number, masterAdverIntervalCs: number): number {
  const weight = 256 - skewPriority;
  if (version === 2) return Math.floor((weight * US_PER_S) / 256);
  return Math.floor((weight * masterAdverIntervalCs * US_PER_CS) / 256);
}

/** Master_Down_Interval = down_timer_adverts (3) x Master_Adver_Interval + Skew_Time. */
export function masterDownIntervalUs(
  version: VrrpVersion,
  skewPriority: number,
  masterAdverIntervalCs: number,
  downTimerAdverts = 3,
): number {
  return downTimerAdverts * masterAdverIntervalCs * US_PER_CS + skewTimeUs(version, skewPriority, masterAdverIntervalCs);
}

/** The priority the skew is computed from: 255 for a configured owner, else the effective one. */
export function skewPriority(basePriority: number, effectivePriority: number): number {
  return basePriority === 255 ? 255 : effectivePriority;
}
