/**
 * Maps an IPVS scheduler (lb_algo) onto what an nftables ruleset can express, and lays the
 * weights out as buckets of a verdict map.
 *
 * nftables has no per-destination connection counters on the packet path, so the
 * connection-counting schedulers (lc, wlc, sed, nq, twos) become a weighted random choice and the
 * locality ones (lblc, lblcr) a destination hash; each such mapping carries a warning that says so.
 * fo (weighted failover) is exact: only the highest-weight destinations take new connections.
 */

export type NftKey =
  /** numgen inc: a strict weighted round robin. */
  | 'inc'
  /** numgen random: a weighted random choice. */
  | 'random'
  /** jhash of the client address (optionally + source port). */
  | 'hash-source'
  /** jhash of the destination address. */
  | 'hash-destination';

export interface NftSchedule {
  readonly key: NftKey;
  /** Hash the source port too (sh-port / mh-port). */
  readonly withSourcePort: boolean;
  /** Use the weights (false: every usable destination counts once). */
  readonly weighted: boolean;
  /** Only the destinations of the highest weight take new connections (fo, ovf). */
  readonly highestOnly: boolean;
  /** Set when the mapping is an approximation. */
  readonly warning?: string;
}

function approx(algo: string, what: string): string {
  return `lb_algo ${algo} cannot be expressed in nftables: approximated by ${what}`;
}

export function nftSchedule(algo: string, flags: readonly string[]): NftSchedule {
  const port = flags.includes('sh-port') || flags.includes('mh-port');
  const base = { withSourcePort: false, weighted: true, highestOnly: false };
  switch (algo) {
    case 'rr': return { ...base, key: 'inc', weighted: false };
    case 'wrr': return { ...base, key: 'inc' };
    case 'sh': return { ...base, key: 'hash-source', withSourcePort: port };
    case 'dh': return { ...base, key: 'hash-destination' };
    case 'mh':
      return { ...base, key: 'hash-source', withSourcePort: port, warning: approx(algo, 'a weighted source hash (jhash; not consistent hashing, more flows move when the pool changes)') };
    case 'fo': return { ...base, key: 'inc', highestOnly: true };
    case 'ovf':
      return { ...base, key: 'inc', highestOnly: true, warning: approx(algo, 'weighted failover (fo): no connection counts, so no overflow to the next server') };
    case 'lc': case 'wlc': case 'sed': case 'nq': case 'twos':
      return { ...base, key: 'random', warning: approx(algo, 'a weighted random choice (no connection counts on the packet path)') };
    case 'lblc': case 'lblcr':
      return { ...base, key: 'hash-destination', warning: approx(algo, 'a weighted destination hash (dh)') };
    default:
      return { ...base, key: 'inc', warning: `lb_algo ${algo} is unknown to the nftables data plane: using wrr` };
  }
}

export interface Bucket<T> {
  readonly first: number;
  readonly last: number;
  readonly item: T;
}

/**
 * Buckets [first, last] over 0..total-1 for the items that may take new connections: weight 0
 * items take none; with `highestOnly`, only the top weight; unweighted counts each once.
 */
export function weightBuckets<T extends { readonly weight: number }>(items: readonly T[], schedule: NftSchedule): { buckets: Bucket<T>[]; total: number } {
  let usable = items.filter((i) => i.weight > 0);
  if (schedule.highestOnly && usable.length > 0) {
    const top = Math.max(...usable.map((i) => i.weight));
    usable = usable.filter((i) => i.weight === top);
  }
  const buckets: Bucket<T>[] = [];
  let next = 0;
  for (const item of usable) {
    const width = schedule.weighted && !schedule.highestOnly ? item.weight : 1;
    buckets.push({ first: next, last: next + width - 1, item });
    next += width;
  }
  return { buckets, total: next };
}
