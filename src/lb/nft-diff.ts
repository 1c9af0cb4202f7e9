/**
 * The incremental nftables apply: from the state the table holds to the state a new build wants,
 * the smallest batch this layout allows, pure. One batch is still one transaction (all or none).
 *
 *   - new sets and chains are added; a chain whose rules changed is flushed and refilled
 *     (`replace`), or only gets the rules it lacks appended when its old rules are a prefix of the
 *     new ones, or when it is a `grow` chain (masquerade by address; see nft-state.ts);
 *   - then chains that are gone are flushed and deleted (after every rule referring to them was
 *     flushed above), then sets that are gone are deleted;
 *   - the table is never dropped and a chain that did not change is never touched, so a DOWN of
 *     one server among 100 rewrites the service's scheduler chain and deletes one server chain.
 *
 * Returns undefined when the change cannot be expressed incrementally (another table, a base
 * chain or set declared differently): the plane then does a full rebuild. No change: an empty batch.
 */
import type { NftJson } from './nft-expr.js';
import type { NftChainState, NftRuleState, NftState } from './nft-state.js';

/** A grow chain is compacted (flushed, refilled) once its stale rules outnumber this or its live ones. */
export const GROW_SLACK = 16;

export interface NftDiff {
  readonly batch: { readonly nftables: readonly NftJson[] };
  /** The table's state once the batch is applied (may keep stale `grow` rules). */
  readonly applied: NftState;
}

export function diffRuleset(prev: NftState, next: NftState): NftDiff | undefined {
  if (prev.table !== next.table || prev.family !== next.family) return undefined;
  const ref = { family: next.family, table: next.table };
  const adds: NftJson[] = [];
  const rules: NftJson[] = [];
  const chains = new Map<string, NftChainState>();
  for (const [name, decl] of next.sets) {
    const old = prev.sets.get(name);
    if (old === undefined) adds.push({ add: decl });
    else if (JSON.stringify(old) !== JSON.stringify(decl)) return undefined;
  }
  for (const [name, want] of next.chains) {
    const old = prev.chains.get(name);
    if (old !== undefined && JSON.stringify(old.decl) !== JSON.stringify(want.decl)) return undefined;
    if (old === undefined) adds.push({ add: want.decl });
    const step = chainStep(old?.rules ?? [], want);
    if (step.flush) rules.push({ flush: { chain: { ...ref, name } } });
    for (const r of step.add) rules.push({ add: { rule: { ...ref, chain: name, expr: r.expr } } });
    chains.set(name, { ...want, rules: step.result });
  }
  const goneChains = [...prev.chains.keys()].filter((c) => !next.chains.has(c));
  const goneSets = [...prev.sets.keys()].filter((s) => !next.sets.has(s));
  const deletes: NftJson[] = [
    ...goneChains.map((name) => ({ flush: { chain: { ...ref, name } } })),
    ...goneChains.map((name) => ({ delete: { chain: { ...ref, name } } })),
    ...goneSets.map((name) => ({ delete: { set: { ...ref, name } } })),
  ];
  const applied: NftState = { ...next, chains };
  const body = [...adds, ...rules, ...deletes];
  if (body.length === 0) return { batch: { nftables: [] }, applied };
  return { batch: { nftables: [{ add: { table: { ...ref, name: next.table } } }, ...body] }, applied };
}

interface ChainStep {
  readonly flush: boolean;
  readonly add: readonly NftRuleState[];
  /** The chain's rules after the step. */
  readonly result: readonly NftRuleState[];
}

function chainStep(old: readonly NftRuleState[], want: NftChainState): ChainStep {
  const same = old.length === want.rules.length && old.every((r, i) => r.key === want.rules[i]?.key);
  if (same) return { flush: false, add: [], result: old };
  if (want.policy === 'grow') {
    const have = new Set(old.map((r) => r.key));
    const wanted = new Set(want.rules.map((r) => r.key));
    const stale = old.filter((r) => !wanted.has(r.key)).length;
    if (stale <= Math.max(GROW_SLACK, want.rules.length)) {
      const missing = want.rules.filter((r) => !have.has(r.key));
      return { flush: false, add: missing, result: [...old, ...missing] };
    }
  } else if (old.length < want.rules.length && old.every((r, i) => r.key === want.rules[i]?.key)) {
    const tail = want.rules.slice(old.length);
    return { flush: false, add: tail, result: want.rules };
  }
  return { flush: old.length > 0, add: want.rules, result: want.rules };
}
