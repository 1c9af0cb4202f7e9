/**
 * `include` and its checked variants. Observed with keepalived 2.2.7 (-t):
 *  - the pattern is relative to the directory of the including file; files are named in messages
 *    as the glob produced them from the pattern as written (`sub/x.conf`, `./sub/x.conf`);
 *  - csh brace alternatives are globbed one by one, in order;
 *  - nothing found for a pattern without wildcards: `Config files missing 'PATTERN'.` (any
 *    variant; `includem`/`includea` then stop keepalived after its first pass with exit status 6);
 *  - some brace alternatives found, some not: `Some config files missing: "PATTERN".` (fatal
 *    the same way for `includeb`/`includea`);
 *  - a wildcard that matches nothing is silent, except `No config files matched 'PATTERN'.` and the
 *    fatal stop for `includew`/`includea`.
 * These messages do not count for the exit status, and only the first pass prints them.
 */
import { posix as path } from 'node:path';
import type { ConfigEnvironment } from '../environment.js';

export type IncludeKind = 'include' | 'includer' | 'includem' | 'includew' | 'includeb' | 'includea';

export const INCLUDE_KEYWORDS: ReadonlySet<string> = new Set([
  'include', 'includer', 'includem', 'includew', 'includeb', 'includea',
]);

export interface IncludedFile {
  /** As printed in messages. */
  readonly display: string;
  /** As read through the environment. */
  readonly resolved: string;
}

export interface IncludeOutcome {
  readonly files: IncludedFile[];
  /** Messages keepalived prints for this include; none of them counts for the exit code. */
  readonly messages: string[];
  /** The check failed in a way that makes keepalived stop after the global pass. */
  readonly fatal: boolean;
}

/** Expands csh-style `{a,b}` alternatives (nested allowed), left to right. */
export function braceExpand(pattern: string, limit = 1024): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  let close = -1;
  for (let i = open; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      close = i;
      break;
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  if (close < 0) return [pattern];
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const cuts = [open, ...commas, close];
  const out: string[] = [];
  for (let k = 0; k + 1 < cuts.length && out.length < limit; k++) {
    const alt = pattern.slice((cuts[k] ?? 0) + 1, cuts[k + 1]);
    for (const e of braceExpand(head + alt + tail, limit)) if (out.length < limit) out.push(e);
  }
  return out;
}

const WILDCARD = /[*?[]/;

export function resolveInclude(
  kind: IncludeKind,
  pattern: string,
  includerDir: string,
  env: ConfigEnvironment,
): IncludeOutcome {
  const alternatives = braceExpand(pattern);
  const hasBraces = alternatives.length > 1 || alternatives[0] !== pattern;
  const files: IncludedFile[] = [];
  const messages: string[] = [];
  let missingAlt = false;
  let missingWild = false;
  for (const alt of alternatives) {
    const matches = globOne(alt, includerDir, env);
    if (matches.length === 0) {
      if (WILDCARD.test(alt)) missingWild = true;
      else missingAlt = true;
    }
    files.push(...matches);
  }
  const check = (flag: 'r' | 'm' | 'w' | 'b'): boolean => kind === 'includea' || kind === `include${flag}`;
  let fatal = false;
  if (files.length === 0 && (missingAlt || !hasBraces) && !(missingWild && !missingAlt)) {
    messages.push(`Config files missing '${pattern}'.`);
    fatal = check('m');
  } else if (missingAlt && hasBraces) {
    messages.push(`Some config files missing: "${pattern}".`);
    fatal = check('b');
  }
  if (missingWild && check('w')) {
    messages.push(`No config files matched '${pattern}'.`);
    fatal = true;
  }
  return { files, messages, fatal };
}

function globOne(alt: string, includerDir: string, env: ConfigEnvironment): IncludedFile[] {
  const absolute = alt.startsWith('/');
  const resolvedPattern = absolute ? alt : path.join(includerDir, alt);
  const keepDot = alt.startsWith('./') ? './' : '';
  const out: IncludedFile[] = [];
  const found = WILDCARD.test(alt) ? env.glob(resolvedPattern) : env.stat(resolvedPattern) ? [resolvedPattern] : [];
  for (const resolved of found) {
    const info = env.stat(resolved);
    if (info && !info.isFile) continue;
    const display = absolute ? resolved : keepDot + path.relative(includerDir, resolved);
    out.push({ display, resolved });
  }
  return out;
}
