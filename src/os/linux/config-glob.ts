/**
 * glob(3) with GLOB_BRACE, as keepalived's `include` uses it: `*`, `?`, `[...]` (with `!`/`^`
 * negation and ranges), csh brace expansion `{a,b}`; wildcards never match a leading '.';
 * a pattern without wildcards matches only an existing path; each brace alternative's matches
 * are sorted and appended in alternative order (GLOB_APPEND). Synchronous: the config pipeline
 * runs in a worker thread when the daemon is live.
 */
import { readdirSync, statSync } from 'node:fs';

/** Expands the first top-level `{a,b,...}` recursively (nested braces allowed). */
export function expandBraces(pattern: string): string[] {
  const open = findBraceOpen(pattern);
  if (open < 0) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  let close = -1;
  for (let i = open; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') { i++; continue; }
    if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) { close = i; break; }
    else if (ch === ',' && depth === 1) commas.push(i);
  }
  if (close < 0) return [pattern];
  if (commas.length === 0 && close === open + 1) return [pattern];
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const bounds = [open, ...commas, close];
  const out: string[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const alt = pattern.slice((bounds[k] ?? 0) + 1, bounds[k + 1]);
    out.push(...expandBraces(head + alt + tail));
  }
  return out;
}

function findBraceOpen(pattern: string): number {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') { i++; continue; }
    if (pattern[i] === '{') return i;
  }
  return -1;
}

function hasWildcard(segment: string): boolean {
  return /(^|[^\\])[*?[]/.test(segment);
}

function escapeRegex(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

/** One path segment's pattern as an anchored regular expression. */
export function segmentRegex(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i] ?? '';
    if (ch === '\\' && i + 1 < segment.length) { re += escapeRegex(segment[++i] ?? ''); continue; }
    if (ch === '*') { re += '[^/]*'; continue; }
    if (ch === '?') { re += '[^/]'; continue; }
    if (ch === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end > 0) {
        let body = segment.slice(i + 1, end);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        re += `[${negate ? '^' : ''}${body.replace(/\\/g, '\\\\')}]`;
        i = end;
        continue;
      }
    }
    re += escapeRegex(ch);
  }
  return new RegExp(`^${re}$`);
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir === '' ? '.' : dir);
  } catch {
    return [];
  }
}

function join(dir: string, name: string): string {
  if (dir === '') return name;
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

function unescape(segment: string): string {
  return segment.replace(/\\(.)/g, '$1');
}

function globOne(pattern: string): string[] {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s, i) => s !== '' || i === 0);
  let current: string[] = [absolute ? '/' : ''];
  for (const segment of absolute ? segments.slice(1) : segments) {
    const next: string[] = [];
    if (!hasWildcard(segment)) {
      for (const dir of current) next.push(join(dir, unescape(segment)));
    } else {
      const re = segmentRegex(segment);
      const dotOk = segment.startsWith('.');
      for (const dir of current) {
        const names = listDir(dir).filter((n) => (dotOk || !n.startsWith('.')) && re.test(n)).sort();
        for (const n of names) next.push(join(dir, n));
      }
    }
    current = next;
  }
  return current.filter((p) => p !== '' && exists(p));
}

/** The paths matching `pattern` (relative patterns are relative to the process cwd). */
export function globSync(pattern: string): string[] {
  const out: string[] = [];
  for (const alt of expandBraces(pattern)) out.push(...globOne(alt));
  return out;
}
