/**
 * `~SEQ(var, [start, [step,]] end)`, `~SEQx(...)` (hexadecimal values) and
 * `~LST(var, v1, v2, ...)` / `~LST({a,b}, {1,2}, {3,4})`: the rest of the line is repeated with the
 * loop variable(s) bound. Several on one line nest, left = outer (the caller recurses on the rest).
 * Observed in 2.2.7: `~SEQ(i,3)` gives 1, 2, 3; `~SEQ(i,1,2,5)` gives 1, 3, 5; `~SEQx(j,9,1,11)`
 * gives 9, a, b.
 */

/**
 * A rejected sequence. `messages` are keepalived's lines for it, e.g. for `~SEQ(i,1,0,3) a$i`:
 * "Invalid ~SEQ values '...'" then "Invalid ~SEQ specification '...'" (observed).
 */
export class SequenceError extends Error {
  readonly messages: string[];

  constructor(
    readonly code: 'SEQ_VALUES' | 'SEQ_DEFINITION' | 'SEQ_UNCLOSED' | 'LST_SPEC' | 'SEQ_TOO_LONG',
    text: string,
  ) {
    const line = `'${text}'`;
    const first =
      code === 'SEQ_VALUES' ? `Invalid ~SEQ values ${line}`
      : code === 'SEQ_DEFINITION' ? `Invalid ~SEQ definition ${line}`
      : code === 'SEQ_UNCLOSED' ? `~SEQ parameter strings too long ${line}`
      : code === 'LST_SPEC' ? `Invalid ~LST specification ${line}`
      : `Sequence too long (more than ${MAX_SEQUENCE_ITEMS} items) ${line}`;
    super(first);
    this.name = 'SequenceError';
    this.messages = code === 'LST_SPEC' || code === 'SEQ_TOO_LONG' ? [first] : [first, `Invalid ~SEQ specification ${line}`];
  }
}

/** One iteration: the variables to bind (name -> value). */
export type Binding = ReadonlyArray<readonly [string, string]>;

export interface Sequence {
  readonly bindings: Binding[];
  /** The text after the closing ')', to repeat. */
  readonly rest: string;
}

/** Upper bound on iterations of a single ~SEQ (keepalived has none; we refuse runaway loops). */
export const MAX_SEQUENCE_ITEMS = 100_000;

/** `~SEQ(`, `~SEQx(`, `~LST(`, with optional blanks before '(' (`~SEQ ( i , 1 , 2 )` works). */
const SEQUENCE_START = /^~(SEQx?|LST)\s*\(/;

export function isSequenceStart(text: string): boolean {
  return text.charCodeAt(0) === 0x7e && SEQUENCE_START.test(text);
}

/** Parses a line that starts with ~SEQ/~SEQx/~LST. */
export function parseSequence(text: string): Sequence {
  const open = text.indexOf('(');
  const close = findClose(text, open);
  const kind = text.slice(1, open).trim();
  if (close < 0) throw new SequenceError(kind === 'LST' ? 'LST_SPEC' : 'SEQ_UNCLOSED', text);
  const inner = text.slice(open + 1, close);
  const rest = text.slice(close + 1).trim();
  const bindings = kind === 'LST' ? listBindings(inner, text) : seqBindings(inner, kind === 'SEQx', text);
  return { bindings, rest };
}

function findClose(text: string, open: number): number {
  let depth = 0;
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ')' && depth <= 0) return i;
  }
  return -1;
}

function seqBindings(inner: string, hex: boolean, text: string): Binding[] {
  const parts = inner.split(',').map((s) => s.trim());
  const name = parts[0] ?? '';
  if (name === '' || parts.length < 2 || parts.length > 4) throw new SequenceError('SEQ_DEFINITION', text);
  const nums = parts.slice(1).map((p) => parseNumber(p, text));
  // Without a step the sequence counts towards its end (observed: ~SEQ(i,3,1) gives 3, 2, 1).
  const towards = (from: number, to: number): number => (from <= to ? 1 : -1);
  const [start, step, end] =
    nums.length === 1
      ? [1, towards(1, nums[0] ?? 0), nums[0] ?? 0]
      : nums.length === 2
        ? [nums[0] ?? 0, towards(nums[0] ?? 0, nums[1] ?? 0), nums[1] ?? 0]
        : [nums[0] ?? 0, nums[1] ?? 0, nums[2] ?? 0];
  if (step === 0 || (step > 0 && start > end) || (step < 0 && start < end)) throw new SequenceError('SEQ_VALUES', text);
  const out: Binding[] = [];
  for (let v = start; step > 0 ? v <= end : v >= end; v += step) {
    if (out.length >= MAX_SEQUENCE_ITEMS) throw new SequenceError('SEQ_TOO_LONG', text);
    out.push([[name, hex ? v.toString(16) : String(v)]]);
  }
  return out;
}

function parseNumber(s: string, text: string): number {
  if (/^[-+]?0x[0-9a-f]+$/i.test(s)) return Number.parseInt(s, 16);
  if (!/^[-+]?\d+$/.test(s)) throw new SequenceError('SEQ_DEFINITION', text);
  return Number.parseInt(s, 10);
}

function listBindings(inner: string, text: string): Binding[] {
  const items = splitTopLevel(inner);
  const head = items[0] ?? '';
  const names = unbrace(head);
  if (names.length === 0 || names.some((n) => n === '') || items.length < 2) throw new SequenceError('LST_SPEC', text);
  return items.slice(1).map((item) => {
    const values = unbrace(item);
    return names.map((n, i) => [n, values[i] ?? ''] as const);
  });
}

/** Splits on commas that are not inside braces. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out;
}

function unbrace(item: string): string[] {
  if (item.startsWith('{') && item.endsWith('}')) return item.slice(1, -1).split(',').map((s) => s.trim());
  return [item];
}
