/**
 * The nftables ruleset builder: desired pool -> one `nft -j -f -` transaction, pure.
 *
 * Layout, all inside the table the daemon owns (`inet keepalived_ts` by default):
 *   chain prerouting  (nat, dstnat)   VIP/port or fwmark match -> goto vs_<h>
 *   chain postrouting (nat, srcnat)   optional masquerade of the flows we DNATed
 *   chain vs_<h>      one per service: persistence lookups, then the scheduler's vmap
 *   chain rs_<h>      one per destination: refresh persistence, dnat to the real server
 *   set   ps_<h>      one per destination of a persistent service: clients (timeout)
 *
 * A transaction never drops the table: it adds what is missing, flushes and refills the chains,
 * and deletes only the chains and sets the previous build had and this one does not. conntrack
 * keeps established flows on their real server whatever the rules become. Object names are
 * hashes of stable identities, so a weight change keeps every persistence set.
 */
import { createHash } from 'node:crypto';
import type { DesiredDest, DesiredPool, DesiredService, ServiceMatch } from './pool-types.js';
import * as X from './nft-expr.js';
import type { NftJson } from './nft-expr.js';
import { nftSchedule, weightBuckets, type NftSchedule } from './nft-schedule.js';
import type { NftChainState, NftState } from './nft-state.js';

export const DEFAULT_NFT_TABLE = 'keepalived_ts';
const FAMILY = 'inet';

export interface NftBuildOptions {
  readonly table?: string;
  /** SNAT (masquerade) the balanced flows, when real servers do not route back via us. */
  readonly masquerade?: boolean;
}

/** The named objects a build owns (remembered to delete stale ones next time). */
export interface NftObjects {
  readonly chains: readonly string[];
  readonly sets: readonly string[];
}

export interface NftBuild {
  /** The `{ nftables: [...] }` document. */
  readonly batch: { readonly nftables: readonly NftJson[] };
  readonly objects: NftObjects;
  readonly warnings: readonly string[];
  /** What the table holds once this build is applied (the base of the next incremental diff). */
  readonly state: NftState;
}

export const NO_OBJECTS: NftObjects = { chains: [], sets: [] };

export function shortHash(...parts: readonly (string | number)[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 12);
}

class Batch {
  readonly cmds: NftJson[] = [];
  readonly chains: string[] = [];
  readonly sets: string[] = [];
  readonly rules: NftJson[] = [];
  readonly warnings: string[] = [];
  readonly model = new Map<string, { decl: NftJson; policy: NftChainState['policy']; rules: { key: string; expr: readonly NftJson[] }[] }>();
  readonly setDecls = new Map<string, NftJson>();
  constructor(readonly table: string) {}
  chain(name: string): void {
    this.chains.push(name);
    this.model.set(name, { decl: { chain: { family: FAMILY, table: this.table, name } }, policy: 'replace', rules: [] });
    this.cmds.push({ add: { chain: { family: FAMILY, table: this.table, name } } });
    this.cmds.push({ flush: { chain: { family: FAMILY, table: this.table, name } } });
  }
  set(name: string, type: string, timeoutS: number): void {
    this.sets.push(name);
    const decl = { set: { family: FAMILY, table: this.table, name, type, flags: ['timeout'], timeout: timeoutS } };
    this.setDecls.set(name, decl);
    this.cmds.push({ add: decl });
  }
  rule(chain: string, expr: readonly NftJson[]): void {
    this.rules.push({ add: X.rule(FAMILY, this.table, chain, expr) });
    this.model.get(chain)?.rules.push({ key: JSON.stringify(expr), expr });
  }
  state(): NftState {
    return { family: FAMILY, table: this.table, chains: new Map(this.model), sets: new Map(this.setDecls) };
  }
}

export function tableCommand(table: string): NftJson {
  return { table: { family: FAMILY, name: table } };
}

/** `add table` then `delete table`: removes a table whether or not it exists. */
export function removeTableBatch(table: string = DEFAULT_NFT_TABLE): { nftables: NftJson[] } {
  return { nftables: [{ add: tableCommand(table) }, { delete: tableCommand(table) }] };
}

export function buildRuleset(pool: DesiredPool, previous: NftObjects, options: NftBuildOptions = {}): NftBuild {
  const b = new Batch(options.table ?? DEFAULT_NFT_TABLE);
  b.cmds.push({ add: tableCommand(b.table) });
  baseChain(b, 'prerouting', 'prerouting', -100, 'replace');
  // Masquerade rules only match flows DNATed to their address: a stale one is harmless, so an
  // incremental apply appends the missing ones instead of rewriting the chain (nft-diff.ts).
  baseChain(b, 'postrouting', 'postrouting', 100, 'grow');
  for (const svc of pool.services) addService(b, svc, options.masquerade === true);
  const stale = {
    chains: previous.chains.filter((c) => !b.chains.includes(c)),
    sets: previous.sets.filter((s) => !b.sets.includes(s)),
  };
  const deletes: NftJson[] = [
    ...stale.chains.map((name) => ({ flush: { chain: { family: FAMILY, table: b.table, name } } })),
    ...stale.chains.map((name) => ({ delete: { chain: { family: FAMILY, table: b.table, name } } })),
    ...stale.sets.map((name) => ({ delete: { set: { family: FAMILY, table: b.table, name } } })),
  ];
  return {
    batch: { nftables: [...b.cmds, ...b.rules, ...deletes] },
    objects: { chains: b.chains, sets: b.sets },
    warnings: b.warnings,
    state: b.state(),
  };
}

function baseChain(b: Batch, name: string, hook: string, prio: number, policy: NftChainState['policy']): void {
  const decl = { chain: { family: FAMILY, table: b.table, name, type: 'nat', hook, prio, policy: 'accept' } };
  b.model.set(name, { decl, policy, rules: [] });
  b.cmds.push({ add: decl });
  b.cmds.push({ flush: { chain: { family: FAMILY, table: b.table, name } } });
}

function addService(b: Batch, svc: DesiredService, masquerade: boolean): void {
  if (svc.forwarding !== 'NAT') return; // DR: the netdev table of nft-dr.ts; TUN: reported there
  const schedule = nftSchedule(svc.scheduler, svc.schedulerFlags);
  if (schedule.warning !== undefined) b.warnings.push(`${svc.id}: ${schedule.warning}`);
  const dests = svc.dests.filter((d) => d.forwarding === 'NAT');
  const { buckets, total } = weightBuckets(dests, schedule);
  if (total === 0) return; // no usable server: the VIP is left to the local stack (RST)
  const vsChain = `vs_${shortHash(svc.id)}`;
  b.chain(vsChain);
  for (const d of dests) addDest(b, svc, d, vsChain, masquerade);
  b.rule(vsChain, [scheduleRule(svc, schedule, total, buckets.map((k) => [X.range(k.first, k.last), X.gotoChain(rsChainName(svc, k.item))] as const))]);
  for (const m of svc.matches) b.rule('prerouting', [...serviceMatch(svc, m), X.gotoChain(vsChain)]);
}

function rsChainName(svc: DesiredService, d: DesiredDest): string {
  return `rs_${shortHash(svc.id, d.id, d.address, d.port)}`;
}

function persistSetName(svc: DesiredService, d: DesiredDest, timeoutS: number): string {
  return `ps_${shortHash(svc.id, d.id, d.address, d.port, timeoutS)}`;
}

function l4Guard(svc: DesiredService): NftJson {
  return svc.protocol !== undefined ? X.l4protoMatch(svc.protocol) : X.match(X.meta('l4proto'), { set: ['tcp', 'udp', 'sctp'] });
}

function addDest(b: Batch, svc: DesiredService, d: DesiredDest, vsChain: string, masquerade: boolean): void {
  const chain = rsChainName(svc, d);
  b.chain(chain);
  const port = d.port > 0 ? d.port : svc.matches[0]?.kind === 'address' ? svc.matches[0].port : 0;
  const expr: NftJson[] = [];
  if (port > 0) expr.push(l4Guard(svc));
  const saddr = X.payload(X.ipProto(d.family), 'saddr');
  if (svc.persistenceTimeoutS !== undefined) {
    const set = persistSetName(svc, d, svc.persistenceTimeoutS);
    b.set(set, X.addrType(d.family), svc.persistenceTimeoutS);
    expr.push({ set: { op: 'update', elem: saddr, set: `@${set}` } });
    // Clients already bound to this server go straight to it (not when it is inhibited).
    if (d.weight > 0) b.rule(vsChain, [X.match(saddr, `@${set}`), X.gotoChain(chain)]);
  }
  expr.push(X.dnat(d.family, d.address, port));
  b.rule(chain, expr);
  if (masquerade) {
    const daddr = X.match(X.payload(X.ipProto(d.family), 'daddr'), d.address);
    b.rule('postrouting', [X.ctStatusDnat(), daddr, X.MASQUERADE]);
  }
}

function scheduleRule(svc: DesiredService, s: NftSchedule, total: number, entries: readonly (readonly [unknown, NftJson])[]): NftJson {
  return X.vmap(scheduleKey(svc, s, total), entries);
}

function scheduleKey(svc: DesiredService, s: NftSchedule, total: number): NftJson {
  const family = svc.dests[0]?.family ?? 'inet';
  const ip = X.ipProto(family);
  const seed = parseInt(shortHash(svc.id).slice(0, 7), 16);
  switch (s.key) {
    case 'inc': case 'random': return X.numgen(s.key, total);
    case 'hash-destination': return X.jhash(X.payload(ip, 'daddr'), total, seed);
    case 'hash-source': {
      const src = X.payload(ip, 'saddr');
      const withPort = s.withSourcePort && svc.protocol !== undefined;
      return X.jhash(withPort ? X.concat(src, X.payload(svc.protocol ?? 'tcp', 'sport')) : src, total, seed);
    }
  }
}

function serviceMatch(svc: DesiredService, m: ServiceMatch): NftJson[] {
  if (m.kind === 'fwmark') {
    return [X.match(X.meta('mark'), m.fwmark), ...(m.family !== undefined ? [X.nfprotoMatch(m.family)] : [])];
  }
  const out: NftJson[] = [X.match(X.payload(X.ipProto(m.family), 'daddr'), X.range(m.first, m.last))];
  if (svc.protocol !== undefined) out.push(m.port > 0 ? X.dportMatch(svc.protocol, m.port) : X.l4protoMatch(svc.protocol));
  return out;
}
