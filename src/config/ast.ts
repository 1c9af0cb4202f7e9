/**
 * The configuration AST: what the structure pass (keepalived's process_stream, emulated) makes of the
 * preprocessed lines. Every node knows the file and line it came from.
 */
import type { Span } from './diagnostics.js';

/** One logical line after preprocessing (include, @conditionals, $variables, ~SEQ/~LST, comments). */
export interface ConfigLine {
  /** Tokens after quote removal and escape processing. Braces outside quotes are tokens of their own. */
  readonly tokens: readonly string[];
  readonly span: Span;
  /** The line as written (after comment removal and expansion, quotes and escapes kept). */
  readonly text?: string;
}

export interface ConfigNode {
  /** The keyword, exactly as written (keywords are case-sensitive). */
  readonly keyword: string;
  /** The tokens after the keyword on its line, braces excluded. */
  readonly args: readonly string[];
  /**
   * The text after the keyword as written (quotes and backslashes kept), when known: script
   * commands are split from it with keepalived's own quoting rules (src/config/scripts.ts).
   */
  readonly argsText?: string;
  readonly span: Span;
  /** For 'block' keywords: the sub-keywords recognised inside the braces, in order. */
  readonly children?: readonly ConfigNode[];
  /** For 'list' keywords: every line inside the braces, uninterpreted (e.g. virtual_ipaddress entries). */
  readonly lines?: readonly ConfigLine[];
  /**
   * For 'block' and 'list' keywords: where the '}' that closed it was read (absent when the input
   * ended first). keepalived reports its block close-handler messages at this line.
   */
  readonly endSpan?: Span;
}

export interface ConfigAst {
  /** Top-level nodes in file order (includes already spliced in). */
  readonly nodes: readonly ConfigNode[];
  /** Every file that was read, as named (the -f path first). */
  readonly files: readonly string[];
}

/** The first child with this keyword, if any. */
export function child(node: ConfigNode, keyword: string): ConfigNode | undefined {
  return node.children?.find((c) => c.keyword === keyword);
}

/** Every child with this keyword. */
export function childrenOf(node: ConfigNode, keyword: string): ConfigNode[] {
  return (node.children ?? []).filter((c) => c.keyword === keyword);
}
