/**
 * Keyword tables: which keywords keepalived 2.2.7 knows at each level, and which open a block.
 * The structure pass needs this to reproduce keepalived's block handling (including its quirks:
 * an unknown keyword followed by '{' does not open a block). Domain modules (global, vrrp,
 * checker/lvs, bfd) each contribute their top-level keywords.
 */

/** keepalived parses the file in passes; each top-level keyword belongs to one. */
export type Pass = 'global' | 'checker' | 'vrrp' | 'bfd';

export type KeywordSpec =
  /** A keyword whose parameters are on its own line. */
  | { readonly kind: 'value' }
  /** A keyword followed by '{', sub-keywords from `keywords`, then '}'. */
  | { readonly kind: 'block'; readonly keywords: KeywordTable }
  /** A keyword followed by '{', raw lines (not keywords) up to the matching '}'. */
  | { readonly kind: 'list' };

export type KeywordTable = Readonly<Record<string, KeywordSpec>>;

export const value: KeywordSpec = { kind: 'value' };
export const list: KeywordSpec = { kind: 'list' };
export function block(keywords: KeywordTable): KeywordSpec {
  return { kind: 'block', keywords };
}

/** Every keyword in `names` as a plain value keyword. */
export function values(...names: string[]): Record<string, KeywordSpec> {
  const t: Record<string, KeywordSpec> = {};
  for (const n of names) t[n] = value;
  return t;
}
