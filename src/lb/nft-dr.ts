/**
 * lb_kind DR (direct routing) on nftables, pure: the director forwards the client's packet
 * unchanged (destination still the VIP) at layer 2 to the chosen real server, which holds the VIP
 * on a non-ARPing interface (lo, arp_ignore/arp_announce) and answers the client directly.
 *
 * nftables does this in the netdev family: an ingress chain on the device the real servers are
 * on (one-armed DR: clients arrive on it too) matches VIP/port and `fwd ip to <rs> device <dev>`
 * (nft_fwd_netdev with neighbour resolution, nft >= 0.9.1, measured with nft 1.0.6 on kernel 6.x).
 * The ingress hook runs before conntrack, so the choice must be the same for every packet of a
 * connection: rr/wrr/random become a weighted hash of (source address, source port), sh and
 * persistence a weighted hash of the source address, dh of the destination (each approximation
 * is reported once as a warning). fwmark services cannot be matched at ingress (the mark is set
 * later), and lb_kind TUN (ipip/gue/gre encapsulation) has no nftables statement: both are
 * reported and not installed.
 *
 * Layout: `table netdev <table>_dr`, one base chain `in_<hash of dev>` per device (hook ingress),
 * rebuilt whole in each transaction that changes it (stateless rules: nothing to keep).
 */
import type { DesiredDest, DesiredPool, DesiredService } from './pool-types.js';
import * as X from './nft-expr.js';
import type { NftJson } from './nft-expr.js';
import { nftSchedule, weightBuckets } from './nft-schedule.js';
import { shortHash } from './nft-ruleset.js';

const FAMILY = 'netdev';
/** Before anything else on the device's ingress. */
const INGRESS_PRIORITY = -500;

export function drTableName(table: string): string {
  return `${table}_dr`;
}

/** The real servers' egress devices (directly connected routes), by address. */
export type DeviceOf = ReadonlyMap<string, string>;

export interface DrBuild {
  /** Commands for the transaction: remove the table, then (with DR services) build it again. */
  readonly commands: readonly NftJson[];
  /** Canonical text of what the table will hold ('[]': no table): equal keys need no commands. */
  readonly key: string;
  readonly chains: readonly string[];
  readonly warnings: readonly string[];
  /** Real-server addresses whose device is needed (ask the resolver for these). */
  readonly addresses: readonly string[];
}

/** The real-server addresses of the DR services (for the device resolver). */
export function drAddresses(pool: DesiredPool): string[] {
  const out = new Set<string>();
  for (const svc of pool.services) {
    if (svc.forwarding !== 'DR') continue;
    for (const d of svc.dests) if (d.forwarding === 'DR') out.add(d.address);
  }
  return [...out];
}

/** `add table` then `delete table`: removes the DR table whether or not it exists. */
export function removeDrTableCommands(table: string): NftJson[] {
  const t = { table: { family: FAMILY, name: drTableName(table) } };
  return [{ add: t }, { delete: t }];
}

/**
 * The DR table for `pool`. A change rebuilds it whole in the transaction (add, delete, add: no
 * stale-chain bookkeeping, and the swap is atomic); with no DR service it is only removed.
 */
export function buildDrRuleset(pool: DesiredPool, devices: DeviceOf, table: string): DrBuild {
  const name = drTableName(table);
  const warnings: string[] = [];
  const perDevice = new Map<string, NftJson[][]>();
  for (const svc of pool.services) {
    if (svc.forwarding === 'TUN') {
      warnings.push(`${svc.id}: lb_kind TUN is not supported by the nftables data plane (nftables has no ipip/gue/gre encapsulation statement): service not installed`);
    }
    if (svc.forwarding !== 'DR') continue;
    const r = drServiceRules(svc, devices, warnings);
    if (r !== undefined) perDevice.set(r.device, [...(perDevice.get(r.device) ?? []), ...r.rules]);
  }
  const commands: NftJson[] = removeDrTableCommands(table);
  const chains: string[] = [];
  if (perDevice.size > 0) commands.push({ add: { table: { family: FAMILY, name } } });
  for (const dev of [...perDevice.keys()].sort()) {
    const chain = `in_${shortHash(dev)}`;
    chains.push(chain);
    commands.push({ add: { chain: { family: FAMILY, table: name, name: chain, type: 'filter', hook: 'ingress', dev, prio: INGRESS_PRIORITY, policy: 'accept' } } });
    for (const expr of perDevice.get(dev) ?? []) commands.push({ add: X.rule(FAMILY, name, chain, expr) });
  }
  const key = JSON.stringify([...perDevice.entries()].sort(([a], [b]) => a.localeCompare(b)));
  return { commands, key, chains, warnings, addresses: drAddresses(pool) };
}

function drServiceRules(svc: DesiredService, devices: DeviceOf, warnings: string[]): { device: string; rules: NftJson[][] } | undefined {
  if (svc.matches.some((m) => m.kind === 'fwmark')) {
    warnings.push(`${svc.id}: lb_kind DR with a fwmark service is not supported by the nftables data plane (the mark is not set yet at ingress): fwmark entries not installed`);
  }
  const others = svc.dests.filter((d) => d.forwarding !== 'DR');
  if (others.length > 0) warnings.push(`${svc.id}: real servers with another lvs_method in a DR service are not installed by the nftables data plane: ${others.map((d) => d.address).join(', ')}`);
  const usable: DesiredDest[] = [];
  let device: string | undefined;
  for (const d of svc.dests) {
    if (d.forwarding !== 'DR' || d.weight <= 0) continue;
    const dev = devices.get(d.address);
    if (dev === undefined) {
      warnings.push(`${svc.id}: DR real server ${d.address} is not on a directly connected network: not installed`);
      continue;
    }
    if (device !== undefined && dev !== device) {
      warnings.push(`${svc.id}: DR real server ${d.address} is on ${dev}, the others on ${device}: not installed (one device per DR service)`);
      continue;
    }
    if (d.port > 0 && svc.matches.some((m) => m.kind === 'address' && m.port !== d.port)) {
      warnings.push(`${svc.id}: DR cannot change the port: real server ${d.address}:${d.port} is used on the virtual port`);
    }
    device = dev;
    usable.push(d);
  }
  if (device === undefined || usable.length === 0) return undefined;
  const key = drKey(svc, warnings);
  const family = usable[0]?.family ?? 'inet';
  const { buckets, total } = weightBuckets(usable, nftSchedule(svc.scheduler, svc.schedulerFlags));
  if (total === 0) return undefined;
  const target = total === 1 || buckets.length === 1
    ? usable[0]?.address
    : { map: { key: X.jhash(key, total, parseInt(shortHash(svc.id).slice(0, 7), 16)), data: { set: buckets.map((k) => [X.range(k.first, k.last), k.item.address]) } } };
  const fwd: NftJson = { fwd: { dev: device, family: X.ipProto(family), addr: target } };
  const rules: NftJson[][] = [];
  for (const m of svc.matches) {
    if (m.kind !== 'address') continue;
    const match: NftJson[] = [X.match(X.payload(X.ipProto(m.family), 'daddr'), X.range(m.first, m.last))];
    const proto = svc.protocol ?? 'tcp';
    match.push(m.port > 0 ? X.dportMatch(proto, m.port) : X.l4protoMatch(proto));
    rules.push([...match, fwd]);
  }
  return { device, rules };
}

/** What the hash is taken over, per connection (no conntrack at ingress). */
function drKey(svc: DesiredService, warnings: string[]): NftJson {
  const family = svc.matches.find((m) => m.kind === 'address')?.family ?? 'inet';
  const ip = X.ipProto(family);
  const s = nftSchedule(svc.scheduler, svc.schedulerFlags);
  const proto = svc.protocol ?? 'tcp';
  if (s.key === 'hash-destination') return X.payload(ip, 'daddr');
  if (s.key === 'hash-source' || svc.persistenceTimeoutS !== undefined) {
    if (svc.persistenceTimeoutS !== undefined) {
      warnings.push(`${svc.id}: persistence_timeout with lb_kind DR on nftables: a client stays on its real server by source hash while the pool is unchanged (no timeout table at ingress)`);
    }
    return s.key === 'hash-source' && s.withSourcePort ? X.concat(X.payload(ip, 'saddr'), X.payload(proto, 'sport')) : X.payload(ip, 'saddr');
  }
  warnings.push(`${svc.id}: lb_algo ${svc.scheduler} with lb_kind DR on nftables: a weighted hash of (source address, source port) per connection (no conntrack at ingress for round robin)`);
  return X.concat(X.payload(ip, 'saddr'), X.payload(proto, 'sport'));
}
