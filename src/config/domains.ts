/**
 * The registry of configuration domains: which top-level keywords exist, which pass owns each,
 * and which validator builds each part of the model. One domain per keepalived pass: global
 * (global_defs and process settings), lvs (checker pass), vrrp, bfd.
 */
import type { ConfigNode } from './ast.js';
import type { ConfigDomain, ValidationContext } from './domain.js';
import { bfdDomain } from './domains/bfd/index.js';
import { globalDomain } from './domains/global/index.js';
import { lvsDomain } from './domains/lvs/index.js';
import { vrrpDomain } from './domains/vrrp/index.js';
import type { KeywordTable, Pass } from './schema.js';

/** What the pipeline needs of a domain. */
export interface DomainEntry {
  readonly name: string;
  readonly pass: Pass;
  readonly keywords: KeywordTable;
  readonly validate?: (nodes: readonly ConfigNode[], ctx: ValidationContext) => unknown;
  /**
   * Optional: whether keepalived's handler for this top-level block rejects it at once and skips
   * its body without parsing it (e.g. `virtual_server` with an invalid address: "... - skipping").
   * The node is still given to `validate` (with no children) so that it can report why.
   */
  readonly skipsBlock?: (keyword: string, args: readonly string[]) => boolean;
}

/** A domain module may export `skipsBlock` beside the ConfigDomain fields (see DomainEntry). */
type DomainWithSkip = ConfigDomain & { readonly skipsBlock?: DomainEntry['skipsBlock'] };

/** keepalived's pass order. */
export const PASS_ORDER: readonly Pass[] = ['global', 'checker', 'vrrp', 'bfd'];

/** Adapts a domain module to a registry entry. */
export function fromDomain(d: DomainWithSkip): DomainEntry {
  const entry: DomainEntry = { name: d.name, pass: d.pass, keywords: d.keywords, validate: (nodes, ctx) => d.validate(nodes, ctx) };
  const skip = d.skipsBlock;
  return skip ? { ...entry, skipsBlock: (kw, args) => skip(kw, args) } : entry;
}

const loaded: readonly DomainEntry[] = [globalDomain, lvsDomain, vrrpDomain, bfdDomain].map((d) => fromDomain(d));

/** The domains of keepalived.conf. */
export function defaultDomains(): readonly DomainEntry[] {
  return loaded;
}

/** Lookup tables derived from a list of domains. */
export interface DomainRegistry {
  readonly domains: readonly DomainEntry[];
  /** Every top-level keyword of every domain. */
  readonly topLevel: KeywordTable;
  /** The passes in which a top-level keyword is active. */
  readonly passesOf: ReadonlyMap<string, ReadonlySet<Pass>>;
}

export function buildRegistry(domains: readonly DomainEntry[]): DomainRegistry {
  const topLevel: Record<string, KeywordTable[string]> = {};
  const passesOf = new Map<string, Set<Pass>>();
  for (const d of domains) {
    for (const [kw, spec] of Object.entries(d.keywords)) {
      if (!Object.hasOwn(topLevel, kw)) topLevel[kw] = spec;
      let set = passesOf.get(kw);
      if (!set) passesOf.set(kw, (set = new Set()));
      set.add(d.pass);
    }
  }
  return { domains, topLevel, passesOf };
}
