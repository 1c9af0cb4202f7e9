/**
 * getopt_long(3) semantics, as keepalived uses them (GNU, with argument permutation):
 *  - bundled short flags (`-ln`), a short option's required argument glued (`-ffile`) or in the
 *    next word (`-f file`); an optional argument only glued (`-tFILE`, `--config-test=FILE`);
 *  - long options with `--name=value` or `--name value` (required arguments only), unambiguous
 *    prefixes of a long name (`--use` for `--use-file`);
 *  - `--` ends the options; words that are not options are collected as operands.
 * Pure: returns the parsed options or a typed error; printing is the caller's business.
 */

export type ArgKind = 'none' | 'required' | 'optional';

export interface OptionSpec {
  /** Stable identifier the caller switches on. */
  readonly id: string;
  readonly short?: string;
  readonly long?: string;
  readonly arg: ArgKind;
}

export interface ParsedOption {
  readonly id: string;
  /** How the user wrote it (`-f`, `--use-file`), for messages. */
  readonly written: string;
  readonly value?: string;
}

export interface GetoptResult {
  readonly options: ParsedOption[];
  readonly operands: string[];
}

export type GetoptErrorKind = 'unknown' | 'missing-argument' | 'unexpected-argument' | 'ambiguous';

export class GetoptError extends Error {
  readonly code = 'GETOPT';
  constructor(
    readonly kind: GetoptErrorKind,
    /** The option as written (`-q`, `--bogus`). */
    readonly option: string,
  ) {
    super(`${kind} option ${option}`);
    this.name = 'GetoptError';
  }
}

function findLong(specs: readonly OptionSpec[], name: string, written: string): OptionSpec {
  const exact = specs.find((s) => s.long === name);
  if (exact) return exact;
  const prefixed = specs.filter((s) => s.long !== undefined && s.long.startsWith(name));
  if (prefixed.length === 1 && prefixed[0]) return prefixed[0];
  if (prefixed.length > 1) throw new GetoptError('ambiguous', written);
  throw new GetoptError('unknown', written);
}

interface Cursor {
  readonly argv: readonly string[];
  index: number;
}

function parseLong(specs: readonly OptionSpec[], word: string, cur: Cursor, out: ParsedOption[]): void {
  const body = word.slice(2);
  const eq = body.indexOf('=');
  const name = eq >= 0 ? body.slice(0, eq) : body;
  const spec = findLong(specs, name, `--${name}`);
  const written = `--${spec.long ?? name}`;
  if (eq >= 0) {
    if (spec.arg === 'none') throw new GetoptError('unexpected-argument', written);
    out.push({ id: spec.id, written, value: body.slice(eq + 1) });
    return;
  }
  if (spec.arg === 'required') {
    const next = cur.argv[cur.index + 1];
    if (next === undefined) throw new GetoptError('missing-argument', written);
    cur.index++;
    out.push({ id: spec.id, written, value: next });
    return;
  }
  out.push({ id: spec.id, written });
}

function parseShortBundle(specs: readonly OptionSpec[], word: string, cur: Cursor, out: ParsedOption[]): void {
  for (let i = 1; i < word.length; i++) {
    const ch = word[i] ?? '';
    const written = `-${ch}`;
    const spec = specs.find((s) => s.short === ch);
    if (!spec) throw new GetoptError('unknown', written);
    const rest = word.slice(i + 1);
    if (spec.arg === 'none') {
      out.push({ id: spec.id, written });
      continue;
    }
    if (rest.length > 0) {
      out.push({ id: spec.id, written, value: rest });
      return;
    }
    if (spec.arg === 'optional') {
      out.push({ id: spec.id, written });
      return;
    }
    const next = cur.argv[cur.index + 1];
    if (next === undefined) throw new GetoptError('missing-argument', written);
    cur.index++;
    out.push({ id: spec.id, written, value: next });
    return;
  }
}

/** Parses `argv` (without the program name) against `specs`. Throws GetoptError. */
export function getoptLong(argv: readonly string[], specs: readonly OptionSpec[]): GetoptResult {
  const options: ParsedOption[] = [];
  const operands: string[] = [];
  const cur: Cursor = { argv, index: 0 };
  for (; cur.index < argv.length; cur.index++) {
    const word = argv[cur.index] ?? '';
    if (word === '--') {
      operands.push(...argv.slice(cur.index + 1));
      break;
    }
    if (word.startsWith('--')) parseLong(specs, word, cur, options);
    else if (word.startsWith('-') && word.length > 1) parseShortBundle(specs, word, cur, options);
    else operands.push(word);
  }
  return { options, operands };
}
