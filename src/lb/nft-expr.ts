/**
 * Small constructors for libnftables JSON (the schema of `nft -j`): expressions, matches and
 * statements the pool ruleset needs. Plain objects; nothing here knows about the pool.
 */
import type { AddressFamily, LvsProtocol } from '../config/model/lvs.js';

export type NftJson = { readonly [key: string]: unknown };

/** `ip` or `ip6`: the payload protocol and NAT family of an address family. */
export function ipProto(family: AddressFamily): 'ip' | 'ip6' {
  return family === 'inet' ? 'ip' : 'ip6';
}

export function addrType(family: AddressFamily): 'ipv4_addr' | 'ipv6_addr' {
  return family === 'inet' ? 'ipv4_addr' : 'ipv6_addr';
}

export function payload(protocol: string, field: string): NftJson {
  return { payload: { protocol, field } };
}

export function meta(key: string): NftJson {
  return { meta: { key } };
}

export function match(left: unknown, right: unknown, op = '=='): NftJson {
  return { match: { op, left, right } };
}

export function range(first: unknown, last: unknown): NftJson | unknown {
  return first === last ? first : { range: [first, last] };
}

/** The `th dport`-style match of a protocol's destination port. */
export function dportMatch(protocol: LvsProtocol, port: number): NftJson {
  return match(payload(protocol, 'dport'), port);
}

export function l4protoMatch(protocol: LvsProtocol): NftJson {
  return match(meta('l4proto'), protocol);
}

export function nfprotoMatch(family: AddressFamily): NftJson {
  return match(meta('nfproto'), family === 'inet' ? 'ipv4' : 'ipv6');
}

export function gotoChain(target: string): NftJson {
  return { goto: { target } };
}

export function dnat(family: AddressFamily, addr: unknown, port: number): NftJson {
  return { dnat: { family: ipProto(family), addr, ...(port > 0 ? { port } : {}) } };
}

export function numgen(mode: 'inc' | 'random', mod: number): NftJson {
  return { numgen: { mode, mod, offset: 0 } };
}

export function jhash(expr: unknown, mod: number, seed: number): NftJson {
  return { jhash: { expr, mod, seed, offset: 0 } };
}

export function concat(...exprs: unknown[]): NftJson {
  return { concat: exprs };
}

/** `key vmap { k1 : goto c1, ... }` with an anonymous map. */
export function vmap(key: unknown, entries: readonly (readonly [unknown, NftJson])[]): NftJson {
  return { vmap: { key, data: { set: entries.map(([k, v]) => [k, v]) } } };
}

/** `update @map { key timeout Ns : data }` (refreshes the element's timeout). */
export function mapUpdate(mapName: string, key: unknown, data: unknown, timeoutS: number): NftJson {
  return { map: { op: 'update', elem: { elem: { val: key, timeout: timeoutS } }, data, map: `@${mapName}` } };
}

export function ctStatusDnat(): NftJson {
  return match({ ct: { key: 'status' } }, 'dnat', 'in');
}

export const MASQUERADE: NftJson = { masquerade: null };

export function rule(family: string, table: string, chain: string, expr: readonly NftJson[]): NftJson {
  return { rule: { family, table, chain, expr } };
}
