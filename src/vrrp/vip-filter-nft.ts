/**
 * The nftables rules of `no_accept` / `vrrp_strict` (pure: JSON batches for `nft -j`).
 *
 * keepalived 2.2.7 (Debian build, "NFTABLES" in `keepalived -v`) installs, while a no_accept
 * instance is MASTER, tables `ip keepalived` and `ip6 keepalived` (name from `nftables NAME`):
 * set `vips` of the VIPs, chains `in` (hook input) and `out` (hook output) at priority
 * `nftables_priority` (default -1) with `ip daddr @vips drop` / `ip saddr @vips drop`; for IPv6
 * neighbour discovery is accepted first and link-local VIPs are matched with their interface
 * (`ip6 daddr . iif @vips_link_local`). `nftables_counters` adds a counter to every rule.
 * Leaving MASTER empties the sets; stopping deletes the tables.
 *
 * We keep the same chains and sets in ONE table of family inet, named `keepalived_ts_vrrp` unless
 * `nftables NAME` is given, so that it never collides with keepalived's own ip/ip6 tables nor
 * with the load-balancing pool's `inet keepalived_ts`.
 */
import type { GlobalModel } from '../config/model/global.js';
import type { VipSpec } from './ports.js';

export const DEFAULT_VIP_FILTER_TABLE = 'keepalived_ts_vrrp';
/** keepalived's default `nftables_priority`: just before the filter hooks' usual priority 0. */
export const DEFAULT_VIP_FILTER_PRIORITY = -1;

export interface VipFilterOptions {
  readonly table: string;
  readonly priority: number;
  readonly counters: boolean;
}

/** The table's contents: what the sets hold. */
export interface VipFilterElements {
  readonly v4: readonly string[];
  readonly v6: readonly string[];
  /** IPv6 link-local VIPs with their interface. */
  readonly v6LinkLocal: readonly (readonly [address: string, interfaceName: string])[];
}

export const NO_ELEMENTS: VipFilterElements = { v4: [], v6: [], v6LinkLocal: [] };

const FAMILY = 'inet';
const SET_V4 = 'vips';
const SET_V6 = 'vips6';
const SET_V6_LL = 'vips_link_local';
const SET_ND = 'neighbor-discovery';

/** The options from global_defs: `nftables [NAME]`, `nftables_priority N`, `nftables_counters`. */
export function vipFilterOptions(global: Pick<GlobalModel, 'raw'>): VipFilterOptions {
  const name = global.raw.get('nftables')?.[0];
  const prio = Number(global.raw.get('nftables_priority')?.[0]);
  return {
    table: name !== undefined && /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name) ? name : DEFAULT_VIP_FILTER_TABLE,
    priority: Number.isInteger(prio) ? prio : DEFAULT_VIP_FILTER_PRIORITY,
    counters: global.raw.has('nftables_counters'),
  };
}

function isLinkLocal6(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}

/** Sorted, de-duplicated set contents for a list of VIPs (any number of instances). */
export function elementsOf(vips: Iterable<VipSpec>): VipFilterElements {
  const v4 = new Set<string>();
  const v6 = new Set<string>();
  const ll = new Map<string, readonly [string, string]>();
  for (const vip of vips) {
    const address = vip.address.toLowerCase();
    if (!address.includes(':')) v4.add(address);
    else if (isLinkLocal6(address)) ll.set(`${address}%${vip.interfaceName}`, [address, vip.interfaceName]);
    else v6.add(address);
  }
  const sorted = (s: Set<string>): string[] => [...s].sort();
  return { v4: sorted(v4), v6: sorted(v6), v6LinkLocal: [...ll.keys()].sort().map((k) => ll.get(k) as readonly [string, string]) };
}

export function isEmpty(e: VipFilterElements): boolean {
  return e.v4.length + e.v6.length + e.v6LinkLocal.length === 0;
}

type Json = Record<string, unknown>;

function table(o: VipFilterOptions): Json {
  return { table: { family: FAMILY, name: o.table } };
}

function set(o: VipFilterOptions, name: string, type: string | string[], extra: Json = {}): Json {
  return { add: { set: { family: FAMILY, table: o.table, name, type, ...extra } } };
}

function baseChain(o: VipFilterOptions, name: string, hook: 'input' | 'output'): Json {
  return { add: { chain: { family: FAMILY, table: o.table, name, type: 'filter', hook, prio: o.priority, policy: 'accept' } } };
}

function rule(o: VipFilterOptions, chain: string, match: Json, verdict: Json): Json {
  const counter = o.counters ? [{ counter: { packets: 0, bytes: 0 } }] : [];
  return { add: { rule: { family: FAMILY, table: o.table, chain, expr: [{ match: { op: '==', ...match } }, ...counter, verdict] } } };
}

const payload = (protocol: string, field: string): Json => ({ payload: { protocol, field } });
const DROP = { drop: null };

function rules(o: VipFilterOptions, chain: 'in' | 'out'): Json[] {
  const addr = chain === 'in' ? 'daddr' : 'saddr';
  const iface = chain === 'in' ? 'iif' : 'oif';
  const local = `${chain}_link_local`;
  return [
    rule(o, chain, { left: payload('ip', addr), right: `@${SET_V4}` }, DROP),
    rule(o, chain, { left: payload('icmpv6', 'type'), right: `@${SET_ND}` }, { accept: null }),
    rule(o, chain, { left: payload('ip6', addr), right: { prefix: { addr: 'fe80::', len: 10 } } }, { goto: { target: local } }),
    rule(o, chain, { left: payload('ip6', addr), right: `@${SET_V6}` }, DROP),
    rule(o, local, { left: { concat: [payload('ip6', addr), { meta: { key: iface } }] }, right: `@${SET_V6_LL}` }, DROP),
  ];
}

function elementCommands(o: VipFilterOptions, verb: 'add' | 'delete', e: VipFilterElements): Json[] {
  const out: Json[] = [];
  const one = (name: string, elem: unknown[]): void => {
    if (elem.length > 0) out.push({ [verb]: { element: { family: FAMILY, table: o.table, name, elem } } });
  };
  one(SET_V4, [...e.v4]);
  one(SET_V6, [...e.v6]);
  one(SET_V6_LL, e.v6LinkLocal.map(([a, i]) => ({ concat: [a, i] })));
  return out;
}

/**
 * The whole table in one transaction: any previous table of that name (ours, left by a killed
 * daemon) is replaced atomically (add + delete + add in the same batch).
 */
export function createBatch(o: VipFilterOptions, e: VipFilterElements): { nftables: Json[] } {
  return {
    nftables: [
      { add: table(o) },
      { delete: table(o) },
      { add: table(o) },
      set(o, SET_V4, 'ipv4_addr'),
      set(o, SET_V6, 'ipv6_addr'),
      set(o, SET_V6_LL, ['ipv6_addr', 'iface_index']),
      set(o, SET_ND, 'icmpv6_type', { flags: ['constant'], elem: ['nd-neighbor-solicit', 'nd-neighbor-advert'] }),
      baseChain(o, 'in', 'input'),
      baseChain(o, 'out', 'output'),
      { add: { chain: { family: FAMILY, table: o.table, name: 'in_link_local' } } },
      { add: { chain: { family: FAMILY, table: o.table, name: 'out_link_local' } } },
      ...rules(o, 'in'),
      ...rules(o, 'out'),
      ...elementCommands(o, 'add', e),
    ],
  };
}

function minus(a: readonly string[], b: readonly string[]): string[] {
  const drop = new Set(b);
  return a.filter((x) => !drop.has(x));
}

function minusPairs(a: VipFilterElements['v6LinkLocal'], b: VipFilterElements['v6LinkLocal']): (readonly [string, string])[] {
  const drop = new Set(b.map(([x, i]) => `${x}%${i}`));
  return a.filter(([x, i]) => !drop.has(`${x}%${i}`));
}

/** From `from` to `to` by element changes only (counters and chains untouched); [] when equal. */
export function deltaBatch(o: VipFilterOptions, from: VipFilterElements, to: VipFilterElements): { nftables: Json[] } {
  const removed = { v4: minus(from.v4, to.v4), v6: minus(from.v6, to.v6), v6LinkLocal: minusPairs(from.v6LinkLocal, to.v6LinkLocal) };
  const added = { v4: minus(to.v4, from.v4), v6: minus(to.v6, from.v6), v6LinkLocal: minusPairs(to.v6LinkLocal, from.v6LinkLocal) };
  return { nftables: [...elementCommands(o, 'delete', removed), ...elementCommands(o, 'add', added)] };
}

/** Deletes the table if it exists (no error when it does not). */
export function deleteBatch(o: VipFilterOptions): { nftables: Json[] } {
  return { nftables: [{ add: table(o) }, { delete: table(o) }] };
}
