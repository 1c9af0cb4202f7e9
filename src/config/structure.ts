/**
 * The structure pass: keepalived's keyword-table parser (process_stream) emulated over the
 * preprocessed lines, for one pass at a time. Behaviour (verified with keepalived 2.2.7 -t):
 *  - a block keyword expects '{' on the next logical line (the reader puts every brace on a line
 *    of its own, so "same line" and "next line" are the same case); otherwise
 *    "Missing '{' at beginning of configuration block" and the line is parsed inside the block;
 *  - a stray '{' gives "Unexpected '{' - ignoring";
 *  - '}' closes the current block; at top level it is "Unknown keyword '}'";
 *  - an unknown keyword is reported and skipped alone: when it is followed by '{', that '{' is
 *    unexpected, its contents are parsed in the enclosing block and its '}' closes the enclosing
 *    block;
 *  - top-level keywords of another pass are "inactive": their block is skipped by counting braces,
 *    without any message about its contents.
 */
import type { ConfigLine, ConfigNode } from './ast.js';
import { ConfigErrorClass } from './diagnostics.js';
import type { ReaderEvent } from './preprocess/index.js';
import type { KeywordTable } from './schema.js';
import { LineCursor, type PositionedDiagnostic } from './structure-cursor.js';

export type { PositionedDiagnostic } from './structure-cursor.js';

export interface StructureInput {
  readonly lines: readonly ConfigLine[];
  readonly events: readonly ReaderEvent[];
  /** The -f path as given: its lines print as `(Line N)` in the first pass. */
  readonly mainFile: string;
}

export interface PassSpec {
  /** Every top-level keyword of every pass. */
  readonly topLevel: KeywordTable;
  /** Whether a top-level keyword is parsed (true) or skipped (false) in this pass. */
  isActive(keyword: string): boolean;
  readonly firstPass: boolean;
  /** Whether an active top-level block is rejected by its handler and skipped unparsed. */
  skipsBlock?(keyword: string, args: readonly string[]): boolean;
}

export interface PassStructure {
  /** The active top-level nodes, in file order. */
  readonly nodes: ConfigNode[];
  /** Structural and reader diagnostics of this pass, in keepalived's order. */
  readonly diagnostics: PositionedDiagnostic[];
  /** Index of each node's keyword line (for ordering domain diagnostics). */
  readonly positions: Map<ConfigNode, number>;
}

interface MutableNode {
  keyword: string;
  args: readonly string[];
  argsText?: string;
  span: ConfigLine['span'];
  children?: ConfigNode[];
  lines?: ConfigLine[];
  endSpan?: ConfigLine['span'];
}

export function structurePass(input: StructureInput, spec: PassSpec): PassStructure {
  const cursor = new LineCursor({ ...input, firstPass: spec.firstPass });
  const walker = new Walker(cursor, spec);
  const nodes: ConfigNode[] = [];
  walker.topLevel(nodes);
  cursor.finish();
  return { nodes, diagnostics: cursor.diagnostics, positions: walker.positions };
}

class Walker {
  readonly positions = new Map<ConfigNode, number>();

  constructor(
    private readonly cursor: LineCursor,
    private readonly spec: PassSpec,
  ) {}

  topLevel(out: ConfigNode[]): void {
    let skipping = false;
    for (let line = this.cursor.next(); line; line = this.cursor.next()) {
      if (skipping) {
        skipping = false;
        if (line.tokens[0] === '{') {
          this.skipBlock();
          continue;
        }
      }
      if (line.tokens[0] === '{') {
        this.cursor.report(ConfigErrorClass.UnexpectedBlockOpen, "Unexpected '{' - ignoring", line.span);
        continue;
      }
      const keyword = line.tokens[0] ?? '';
      const kw = Object.hasOwn(this.spec.topLevel, keyword) ? this.spec.topLevel[keyword] : undefined;
      if (!kw) {
        this.cursor.report(ConfigErrorClass.UnknownKeyword, `Unknown keyword '${keyword}'`, line.span);
      } else if (!this.spec.isActive(keyword)) {
        skipping = true;
      } else if (kw.kind !== 'value' && this.spec.skipsBlock?.(keyword, line.tokens.slice(1))) {
        out.push(this.node(line, { kind: 'block', keywords: {} }, false));
        skipping = true;
      } else {
        out.push(this.node(line, kw));
      }
    }
  }

  /** Skips an inactive block whose '{' was just read. */
  private skipBlock(): void {
    let depth = 1;
    for (let line = this.cursor.next(); line; line = this.cursor.next()) {
      const t = line.tokens[0];
      if (t === '{') depth++;
      else if (t === '}' && --depth === 0) return;
    }
  }

  private node(line: ConfigLine, kw: KeywordTable[string], parseBody = true): ConfigNode {
    const node: MutableNode = { keyword: line.tokens[0] ?? '', args: line.tokens.slice(1), span: line.span };
    const keyword = node.keyword;
    if (line.text !== undefined && keyword !== '' && line.text.startsWith(keyword)) node.argsText = line.text.slice(keyword.length).trim();
    this.positions.set(node, this.cursor.position);
    let end: ConfigLine | undefined;
    if (!parseBody) {
      node.children = [];
    } else if (kw?.kind === 'block') {
      node.children = [];
      end = this.block(kw.keywords, node.children);
    } else if (kw?.kind === 'list') {
      node.lines = [];
      end = this.list(node.lines);
    }
    if (end) node.endSpan = end.span;
    return node;
  }

  /** The body of a block keyword, from the line after the keyword to its '}' (returned; undefined at EOF). */
  private block(table: KeywordTable, out: ConfigNode[]): ConfigLine | undefined {
    let needOpen = true;
    for (let line = this.cursor.next(); line; line = this.cursor.next()) {
      const first = line.tokens[0] ?? '';
      if (needOpen) {
        needOpen = false;
        if (first === '{') continue;
        this.cursor.report(ConfigErrorClass.MissingBlockOpen, "Missing '{' at beginning of configuration block", line.span);
      } else if (first === '{') {
        this.cursor.report(ConfigErrorClass.UnexpectedBlockOpen, "Unexpected '{' - ignoring", line.span);
        continue;
      }
      if (first === '}') return line;
      const kw = Object.hasOwn(table, first) ? table[first] : undefined;
      if (!kw) {
        this.cursor.report(ConfigErrorClass.UnknownKeyword, `Unknown keyword '${first}'`, line.span);
        continue;
      }
      out.push(this.node(line, kw));
    }
    return undefined;
  }

  /**
   * A list block: every line up to the first '}' (returned; the opening '{' is not kept). A later
   * '{' line does not nest: keepalived reads it as an entry (observed: "VRRP parsed invalid IP {").
   */
  private list(out: ConfigLine[]): ConfigLine | undefined {
    let first = true;
    for (let line = this.cursor.next(); line; line = this.cursor.next()) {
      const t = line.tokens[0];
      if (first && t === '{') {
        first = false;
        continue;
      }
      first = false;
      if (t === '}') return line;
      out.push(line);
    }
    return undefined;
  }
}
