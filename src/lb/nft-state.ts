/**
 * What the daemon's nftables table holds, as the plane knows it: every chain with its declaration
 * and its rules (in order), every set with its declaration. A full build produces it
 * (nft-ruleset.ts); an incremental apply derives the next one (nft-diff.ts). Pure data.
 *
 * `objectsFromListing` reads the chains and sets of `nft -j list table inet NAME`: after the nft
 * coprocess died with a batch in flight (committed or not, nobody knows), the plane resyncs its
 * object list from the kernel before a full rebuild, so that the rebuild never tries to delete an
 * object that is already gone (which would be rejected, forever).
 */
import type { NftJson } from './nft-expr.js';

export interface NftRuleState {
  /** JSON text of `expr`: the rule's identity for the diff. */
  readonly key: string;
  readonly expr: readonly NftJson[];
}

export interface NftChainState {
  /** The `{ chain: {...} }` object of its `add` command (base chains carry hook, prio, type). */
  readonly decl: NftJson;
  /**
   * replace: the chain's rules are exactly the desired ones (flushed and refilled on a change);
   * grow: rules whose stale copies are harmless (masquerade by address): the missing ones are
   * appended, stale ones stay until the chain is compacted.
   */
  readonly policy: 'replace' | 'grow';
  readonly rules: readonly NftRuleState[];
}

export interface NftState {
  readonly family: string;
  readonly table: string;
  /** In build order: base chains first. */
  readonly chains: ReadonlyMap<string, NftChainState>;
  readonly sets: ReadonlyMap<string, NftJson>;
}

/** The regular (non-base) chains and the sets of a state: what a full rebuild may have to delete. */
export function objectsOfState(state: NftState): { chains: string[]; sets: string[] } {
  const chains = [...state.chains].filter(([, c]) => !isBaseChain(c.decl)).map(([name]) => name);
  return { chains, sets: [...state.sets.keys()] };
}

function isBaseChain(decl: NftJson): boolean {
  const chain = decl['chain'] as { hook?: unknown } | undefined;
  return chain?.hook !== undefined;
}

/**
 * The regular chains and the sets of table `family table` in the output of `nft -j list ...`;
 * an absent or unreadable listing is an empty table.
 */
export function objectsFromListing(listing: unknown, table: string, family = 'inet'): { chains: string[]; sets: string[] } {
  const out = { chains: [] as string[], sets: [] as string[] };
  const items = (listing as { nftables?: unknown } | undefined)?.nftables;
  if (!Array.isArray(items)) return out;
  for (const item of items as unknown[]) {
    if (item === null || typeof item !== 'object') continue;
    const chain = (item as { chain?: Record<string, unknown> }).chain;
    const set = (item as { set?: Record<string, unknown> }).set;
    const obj = chain ?? set;
    if (obj === undefined || obj['table'] !== table || obj['family'] !== family || typeof obj['name'] !== 'string') continue;
    if (chain !== undefined && chain['hook'] === undefined) out.chains.push(chain['name'] as string);
    if (set !== undefined) out.sets.push(set['name'] as string);
  }
  return out;
}
