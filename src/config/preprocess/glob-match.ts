/**
 * glob(3) matching of one path segment (`*`, `?`, `[...]`, `[!...]`), as a pure function, so that
 * ConfigEnvironment implementations (the Linux one, test fakes, the corpus tool) agree on it.
 * Like glob(3) without GLOB_PERIOD, a leading '.' must be matched explicitly.
 */

export function hasWildcard(segment: string): boolean {
  return /[*?[]/.test(segment);
}

export function segmentToRegExp(segment: string): RegExp {
  let re = '^';
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charAt(i);
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`);
}

export function matchSegment(segment: string, name: string): boolean {
  if (name.startsWith('.') && !segment.startsWith('.')) return false;
  return segmentToRegExp(segment).test(name);
}

/**
 * Expands an absolute pattern over a directory lister. `list(dir)` returns the entry names of a
 * directory (or undefined), `exists(path)` tells whether a literal path exists.
 */
export function globWith(
  pattern: string,
  list: (dir: string) => readonly string[] | undefined,
  exists: (path: string) => boolean,
): string[] {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s) => s !== '');
  let current: string[] = [absolute ? '' : '.'];
  for (const seg of segments) {
    const next: string[] = [];
    for (const base of current) {
      const dir = base === '' ? '/' : base;
      if (!hasWildcard(seg)) {
        next.push(`${base}/${seg}`);
        continue;
      }
      for (const name of [...(list(dir) ?? [])].sort()) if (matchSegment(seg, name)) next.push(`${base}/${name}`);
    }
    current = next;
    if (current.length === 0) return [];
  }
  const out = current.map((p) => (absolute ? p : p.slice(2))).filter(exists);
  return out.sort();
}
