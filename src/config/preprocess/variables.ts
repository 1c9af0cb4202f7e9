/**
 * `$NAME=VALUE` parameters and their expansion, as keepalived 2.2.7 does it (observed):
 *  - `$NAME` is replaced when the name (maximal [A-Za-z0-9_]*) is followed by whitespace, ',' or
 *    the end of the line, anywhere in the line (`w$E` and `a$T,x` expand, `$N/24` does not);
 *  - `${NAME}` is replaced anywhere; undefined names stay literal;
 *  - values are expanded lazily and recursively at use time; a multi-line value replays its lines;
 *  - built-ins: ${_PWD} ${_INSTANCE} ${_RANDOM [MIN [MAX]]} ${_HASH} ${_BANG} (`${_ENV X}` is
 *    2.4.0+ and stays literal, like any unknown name).
 * Deliberate improvement: a self-referential definition (`$IF=$IF`) makes keepalived 2.2.7 loop
 * forever; we stop with an ExpansionError instead. Output size is capped too, so `$A=$B $B`
 * chains cannot blow up memory.
 */
import { isBlank } from './tokenize.js';

/** Upper bound on the length of one expanded line (keepalived's buffer is far smaller). */
export const MAX_EXPANDED_CHARS = 256 * 1024;
const MAX_DEPTH = 64;

export class ExpansionError extends Error {
  constructor(
    readonly code: 'PARAM_LOOP' | 'PARAM_TOO_LONG' | 'PARAM_TOO_DEEP',
    message: string,
  ) {
    super(message);
    this.name = 'ExpansionError';
  }
}

export interface BuiltinContext {
  /** Absolute directory of the file being read. */
  pwd(): string;
  configId: string;
  /** Uniform integer in [0, 32767]. */
  random(): number;
}

/** The parameter table. A value holding '\n' is a multi-line definition. */
export class Parameters {
  private readonly defs = new Map<string, string>();

  define(name: string, value: string): void {
    this.defs.set(name, value);
  }

  has(name: string): boolean {
    return this.defs.has(name);
  }

  get(name: string): string | undefined {
    return this.defs.get(name);
  }

  delete(name: string): void {
    this.defs.delete(name);
  }
}

function isNameCode(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

/** End of the maximal [A-Za-z0-9_]* run starting at `from`. */
function readName(text: string, from: number): number {
  let end = from;
  while (end < text.length && isNameCode(text.charCodeAt(end))) end++;
  return end;
}

/**
 * Expands every parameter of `text`. Single-line values are expanded recursively in place; a
 * multi-line value is inserted as it is (its lines are expanded later, when the reader replays
 * them, as keepalived does). Throws ExpansionError on loops or runaway growth.
 */
export function expandParameters(text: string, params: Parameters, builtins: BuiltinContext): string {
  if (!text.includes('$')) return text;
  return expandInner(text, params, builtins, []);
}

function expandInner(text: string, params: Parameters, bi: BuiltinContext, stack: string[]): string {
  if (stack.length > MAX_DEPTH) throw new ExpansionError('PARAM_TOO_DEEP', 'Parameter expansion nested too deeply');
  const parts: string[] = [];
  let size = 0;
  let last = 0;
  let i = text.indexOf('$');
  while (i >= 0) {
    const ref = parseReference(text, i);
    let replacement: string | undefined;
    if (ref) replacement = resolve(ref, params, bi, stack);
    if (ref && replacement !== undefined) {
      parts.push(text.slice(last, i), replacement);
      size += i - last + replacement.length;
      if (size > MAX_EXPANDED_CHARS) throw new ExpansionError('PARAM_TOO_LONG', 'Parameter expansion too long');
      last = ref.end;
      i = text.indexOf('$', ref.end);
    } else {
      i = text.indexOf('$', i + 1);
    }
  }
  if (last === 0) return text;
  parts.push(text.slice(last));
  return parts.join('');
}

interface Reference {
  readonly name: string;
  /** For `${${N}}`: the text between the outer braces, expanded to get the name. */
  readonly inner?: string;
  /** Built-in arguments (`${_RANDOM 1 5}`). */
  readonly args: string[];
  readonly braced: boolean;
  readonly end: number;
}

function parseReference(text: string, at: number): Reference | undefined {
  if (text.charAt(at + 1) === '{' && text.charAt(at + 2) === '$') return nestedReference(text, at);
  if (text.charAt(at + 1) === '{') {
    const nameEnd = readName(text, at + 2);
    if (nameEnd === at + 2) return undefined;
    const name = text.slice(at + 2, nameEnd);
    if (text.charAt(nameEnd) === '}') return { name, args: [], braced: true, end: nameEnd + 1 };
    if (name.startsWith('_') && isBlank(text.charAt(nameEnd))) {
      const close = text.indexOf('}', nameEnd);
      if (close >= 0) {
        const args = text.slice(nameEnd, close).trim().split(/\s+/).filter((s) => s !== '');
        return { name, args, braced: true, end: close + 1 };
      }
    }
    return { name, args: [], braced: true, end: nameEnd };
  }
  const nameEnd = readName(text, at + 1);
  if (nameEnd === at + 1) return undefined;
  if (nameEnd < text.length && !ends(text.charAt(nameEnd))) return undefined;
  return { name: text.slice(at + 1, nameEnd), args: [], braced: false, end: nameEnd };
}

/** What may follow an unbraced `$NAME` (observed: blank, end of line and ','; not '/' or ':'). */
function ends(c: string): boolean {
  return isBlank(c) || c === ',' || c === ')';
}

/** `${${N}}`: the name is itself expanded first (observed: N=X, X=a gives 'a'). */
function nestedReference(text: string, at: number): Reference | undefined {
  let depth = 0;
  for (let i = at + 1; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return { name: '', inner: text.slice(at + 2, i), args: [], braced: true, end: i + 1 };
  }
  return undefined;
}

function resolve(ref: Reference, params: Parameters, bi: BuiltinContext, stack: string[]): string | undefined {
  if (ref.inner !== undefined) {
    // An undefined result stays as `${NAME}` with the inner part expanded (observed: `${Q}`).
    const name = expandInner(ref.inner, params, bi, stack).trim();
    const value = /^[A-Za-z0-9_]+$/.test(name) ? resolve({ name, args: [], braced: true, end: ref.end }, params, bi, stack) : undefined;
    return value ?? `\${${name}}`;
  }
  const value = params.get(ref.name);
  if (value !== undefined) {
    if (stack.includes(ref.name)) {
      throw new ExpansionError('PARAM_LOOP', `Parameter '${ref.name}' refers to itself - expansion loop`);
    }
    if (value.includes('\n')) return value;
    stack.push(ref.name);
    try {
      return expandInner(value, params, bi, stack);
    } finally {
      stack.pop();
    }
  }
  return builtin(ref, bi);
}

function builtin(ref: Reference, bi: BuiltinContext): string | undefined {
  switch (ref.name) {
    case '_PWD':
      return bi.pwd();
    case '_INSTANCE':
      return bi.configId;
    case '_HASH':
      return '#';
    case '_BANG':
      return '!';
    case '_RANDOM':
      return String(randomBetween(ref.args, bi));
    default:
      return undefined;
  }
}

function randomBetween(args: string[], bi: BuiltinContext): number {
  const min = args[0] !== undefined ? Number.parseInt(args[0], 10) || 0 : 0;
  const max = args[1] !== undefined ? Number.parseInt(args[1], 10) || 0 : 32767;
  if (max <= min) return min;
  return min + (bi.random() % (max - min + 1));
}
