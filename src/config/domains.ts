/**
 * The registry of configuration domains: which top-level keywords exist, which pass owns each,
 * and which validator builds each part of the model.
 *
 * The domain modules (src/config/domains/<name>/index.ts) are written by other engineers. They are
 * loaded with a guarded dynamic import: when one is missing its validator or fails to load, a
 * placeholder entry lists its top-level keywords as raw 'list' blocks so that the structure pass
 * does not call every top-level block unknown (and `domainLoadErrors` says why).
 */
import type { ConfigNode } from './ast.js';
import type { ConfigDomain, ValidationContext } from './domain.js';
import { list, value, type KeywordTable, type Pass } from './schema.js';

/** What the pipeline needs of a domain (a ConfigDomain, or a placeholder without a validator). */
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

const placeholderGlobal: DomainEntry = {
  name: 'global',
  pass: 'global',
  keywords: {
    global_defs: list,
    net_namespace: value,
    net_namespace_ipvs: value,
    namespace_with_ipsets: value,
    instance: value,
    use_pid_dir: value,
    child_wait_time: value,
    linkbeat_use_polling: value,
  },
};

const placeholderLvs: DomainEntry = {
  name: 'lvs',
  pass: 'checker',
  keywords: { virtual_server: list, virtual_server_group: list, SSL: list },
};

const placeholderVrrp: DomainEntry = {
  name: 'vrrp',
  pass: 'vrrp',
  keywords: {
    vrrp_instance: list,
    vrrp_sync_group: list,
    vrrp_script: list,
    track_file: list,
    vrrp_track_file: list,
    vrrp_track_process: list,
    static_ipaddress: list,
    static_routes: list,
    static_rules: list,
    track_group: list,
    garp_group: list,
    linkbeat_interfaces: list,
    interface_up_down_delays: list,
  },
};

const placeholderBfd: DomainEntry = { name: 'bfd', pass: 'bfd', keywords: { bfd_instance: list } };

/** Adapts a real domain module to a registry entry. */
export function fromDomain(d: DomainWithSkip): DomainEntry {
  const entry: DomainEntry = { name: d.name, pass: d.pass, keywords: d.keywords, validate: (nodes, ctx) => d.validate(nodes, ctx) };
  const skip = d.skipsBlock;
  return skip ? { ...entry, skipsBlock: (kw, args) => skip(kw, args) } : entry;
}

/** Why a real domain module could not be used (empty when all loaded). */
export const domainLoadErrors: string[] = [];

async function load(name: string, fallback: DomainEntry, get: () => Promise<DomainEntry | undefined>): Promise<DomainEntry> {
  try {
    const entry = await get();
    if (entry) return entry;
    domainLoadErrors.push(`${name}: no domain export`);
  } catch (e) {
    domainLoadErrors.push(`${name}: ${String(e)}`);
  }
  return fallback;
}

const loaded: readonly DomainEntry[] = await Promise.all([
  load('global', placeholderGlobal, async () => fromDomain((await import('./domains/global/index.js')).globalDomain)),
  load('lvs', placeholderLvs, async () => fromDomain((await import('./domains/lvs/index.js')).lvsDomain)),
  load('vrrp', placeholderVrrp, async () => fromDomain((await import('./domains/vrrp/index.js')).vrrpDomain)),
  load('bfd', placeholderBfd, async () => {
    const kw = await import('./domains/bfd/keywords.js');
    return { name: 'bfd', pass: 'bfd', keywords: kw.BFD_TOP_LEVEL };
  }),
]);

/** The domains in use: the real modules where they load, placeholders elsewhere. */
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
