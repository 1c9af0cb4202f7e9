/**
 * The reader: keepalived's read_line emulated over whole files. Produces the logical lines that
 * the structure pass consumes (each brace on a line of its own), plus the reader's diagnostics
 * positioned between lines so that every pass can replay them where keepalived prints them.
 */
import { posix as path } from 'node:path';
import type { ConfigLine } from '../ast.js';
import { ConfigErrorClass, type Span } from '../diagnostics.js';
import type { ConfigEnvironment } from '../environment.js';
import { INCLUDE_KEYWORDS, resolveInclude, type IncludeKind } from './includes.js';
import { isSequenceStart, parseSequence, SequenceError } from './sequences.js';
import { quoteProblems, splitLine, stripComment } from './tokenize.js';
import { ExpansionError, expandParameters, Parameters, type BuiltinContext } from './variables.js';

/** A diagnostic of the reader, printed just before the structure pass consumes line `at`. */
export interface ReaderEvent {
  readonly at: number;
  readonly cls: ConfigErrorClass;
  readonly message: string;
  readonly span: Span;
  /** 'all': every pass prints it (keepalived re-reads the file per pass); 'first': the global pass only. */
  readonly passes: 'all' | 'first';
}

export interface ReaderOptions {
  readonly configId: string;
  /**
   * Read as keepalived's later passes do. They read the parent's cleaned copy of the file, in
   * which `\#` and `\!` were already unescaped, so those characters now start comments
   * (observed: `zz_\#a` is 'zz_#a' in the first pass and 'zz_' in the others).
   */
  readonly copyMode?: boolean;
  /** -e/--all-config: every include is checked as `includea` (observed: exit 6 on a missing file). */
  readonly allConfig?: boolean;
}

/** Bounds that keep hostile input from hanging us (keepalived has none). */
export const MAX_LINES = 2_000_000;
export const MAX_INCLUDE_DEPTH = 16;
export const MAX_FILE_READS = 2_000;
/** Upper bound on the characters of all logical lines together (64 MiB). */
export const MAX_CHARS = 64 * 1024 * 1024;
/** Upper bound on lines replayed or generated plus files read: keeps include and macro bombs finite. */
export const MAX_STEPS = 3_000_000;
/** How deep replayed multi-line values and sequences may nest before we call it a loop. */
export const MAX_REPLAY_DEPTH = 32;
const DOLLAR = 0x24;
/** fgets() with keepalived's 1024-byte buffer reads at most 1023 bytes at a time. */
const CHUNK_CHARS = 1023;
const DEFINITION = /^\$([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

interface OpenFile {
  readonly display: string;
  readonly dir: string;
}

export class Reader {
  readonly lines: ConfigLine[] = [];
  readonly events: ReaderEvent[] = [];
  readonly files: string[] = [];
  /** Exit status when keepalived would stop after its first pass (failed include check). */
  stopAfterFirstPass: number | undefined;
  /** Whether later passes read differently (escaped comment characters, over-long lines). */
  sawEscapedComment = false;
  private readonly copyMode: boolean;
  private readonly allConfig: boolean;
  private readonly params = new Parameters();
  private readonly stack: OpenFile[] = [];
  private readonly builtins: BuiltinContext;
  private steps = 0;
  private chars = 0;
  private fileReads = 0;
  private exhausted = false;

  constructor(
    private readonly env: ConfigEnvironment,
    options: ReaderOptions,
  ) {
    this.copyMode = options.copyMode ?? false;
    this.allConfig = options.allConfig ?? false;
    this.builtins = {
      pwd: () => this.stack[this.stack.length - 1]?.dir ?? env.cwd(),
      configId: options.configId,
      random: () => env.random(),
    };
  }

  get configId(): string {
    return this.builtins.configId;
  }

  /** Reads one file (the -f file or an included one). Returns false when it cannot be read. */
  readFile(display: string, resolved: string): boolean {
    if (!this.step({ file: display, line: 0 })) return true;
    if (++this.fileReads > MAX_FILE_READS) {
      if (this.fileReads === MAX_FILE_READS + 1) {
        this.event(ConfigErrorClass.GeneralError, `More than ${MAX_FILE_READS} files included - include loop? Rest ignored`, { file: display, line: 0 }, 'first');
      }
      return true;
    }
    const text = this.env.readFile(resolved);
    if (text === undefined) return false;
    if (this.stack.length >= MAX_INCLUDE_DEPTH) return false;
    this.files.push(display);
    const abs = resolved.startsWith('/') ? resolved : path.join(this.env.cwd(), resolved);
    this.stack.push({ display, dir: path.dirname(abs) });
    try {
      this.readText(text, display);
    } finally {
      this.stack.pop();
    }
    return true;
  }

  private readText(text: string, file: string): void {
    const { raw, lineNos } = this.chunk(text.split('\n'));
    for (let i = 0; i < raw.length; i++) {
      if (this.lines.length >= MAX_LINES) return;
      const span: Span = { file, line: lineNos[i] ?? 0 };
      let line = this.strip(raw[i] ?? '').trim();
      if (line === '') continue;
      const kept = this.applyCondition(line);
      if (kept === undefined) continue;
      line = kept;
      const def = line.charCodeAt(0) === DOLLAR ? DEFINITION.exec(line) : null;
      if (def) {
        i = this.define(def[1] ?? '', (def[2] ?? '').trim(), raw, i);
        continue;
      }
      this.processText(line, span, 0);
    }
  }

  private strip(raw: string): string {
    if (raw.includes('\\#') || raw.includes('\\!')) {
      this.sawEscapedComment = true;
      if (this.copyMode) return stripComment(stripComment(raw));
    }
    return stripComment(raw);
  }

  /**
   * keepalived reads with fgets() into a 1024-byte buffer: a longer line is read as several lines
   * of 1023 bytes (the newline counts). A chunk read before the newline is reported with the
   * previous line number (line 0 prints without a location). Later passes read the cleaned copy,
   * where every chunk became a line of its own, so the following lines move down (all observed).
   */
  private chunk(lines: string[]): { raw: string[]; lineNos: number[] } {
    const lineNos = lines.map((_, i) => i + 1);
    if (!lines.some((l) => l.length >= CHUNK_CHARS)) return { raw: lines, lineNos };
    this.sawEscapedComment = true; // later passes read differently: see copyMode
    const raw: string[] = [];
    const nos: number[] = [];
    let shift = 0;
    lines.forEach((line, i) => {
      const n = i + 1;
      const withNewline = `${line}\n`;
      const count = Math.ceil(withNewline.length / CHUNK_CHARS);
      for (let k = 0; k < count; k++) {
        const piece = withNewline.slice(k * CHUNK_CHARS, (k + 1) * CHUNK_CHARS).replace(/\n$/, '');
        raw.push(piece);
        const last = k === count - 1;
        // In the copy a chunk is a line of its own, cut again only if it still fills the buffer.
        const refilled = piece.trim().length >= CHUNK_CHARS;
        nos.push(this.copyMode ? n + shift + k - (refilled ? 1 : 0) : last ? n : n - 1);
      }
      shift += count - 1;
    });
    return { raw, lineNos: nos };
  }

  /** `@id rest` / `@^id rest`: the rest when the line applies to our config id. */
  private applyCondition(line: string): string | undefined {
    if (!line.startsWith('@')) return line;
    const negate = line.charAt(1) === '^';
    const start = negate ? 2 : 1;
    let end = start;
    while (end < line.length && !/\s/.test(line.charAt(end))) end++;
    const id = line.slice(start, end);
    const matches = id === this.builtins.configId;
    if (matches === negate) return undefined;
    const rest = line.slice(end).trim();
    return rest === '' ? undefined : rest;
  }

  /** Records `$NAME=value`, reading continuation lines of a multi-line value. Returns the last raw index used. */
  private define(name: string, value: string, raw: string[], index: number): number {
    if (!value.endsWith('\\') && !(raw[index] ?? '').trimEnd().endsWith('\\')) {
      this.params.define(name, value);
      return index;
    }
    const parts: string[] = [];
    const head = (value.endsWith('\\') ? value.slice(0, -1) : value).trim();
    if (head !== '') parts.push(head);
    let i = index;
    while (i + 1 < raw.length) {
      i++;
      // A trailing '\' continues the definition before a comment (`x \ # note`) or inside one
      // (`x # note \`, `# x \`): all observed with keepalived 2.2.7.
      const rawLine = (raw[i] ?? '').trimEnd();
      const stripped = this.strip(rawLine).trim();
      const more = rawLine.endsWith('\\') || stripped.endsWith('\\');
      const body = (stripped.endsWith('\\') ? stripped.slice(0, -1) : stripped).trim();
      if (body !== '') parts.push(body);
      if (!more) break;
    }
    // The trailing '\n' keeps a one-line value of this form multi-line: it is replayed as lines.
    this.params.define(name, `${parts.join('\n')}\n`);
    return i;
  }

  /** Counts one unit of work; false (after one error) once the budget is spent. */
  private step(span: Span, chars = 0): boolean {
    this.chars += chars;
    if (++this.steps <= MAX_STEPS && this.chars <= MAX_CHARS) return true;
    if (!this.exhausted) {
      this.exhausted = true;
      this.event(ConfigErrorClass.GeneralError, `Configuration too large (more than ${MAX_STEPS} lines, files or repetitions, or ${MAX_CHARS >> 20} MiB) - rest ignored`, span, 'first');
    }
    return false;
  }

  private processText(text: string, span: Span, depth: number): void {
    if (!this.step(span, text.length)) return;
    if (depth > MAX_REPLAY_DEPTH) {
      this.event(ConfigErrorClass.GeneralError, `Parameter expansion loop in '${text.slice(0, 200)}' - line ignored`, span, 'first');
      return;
    }
    if (isSequenceStart(text)) {
      this.sequence(text, span, depth, false);
      return;
    }
    let expanded: string;
    try {
      expanded = expandParameters(text, this.params, this.builtins);
    } catch (e) {
      if (!(e instanceof ExpansionError)) throw e;
      this.event(ConfigErrorClass.GeneralError, `${e.message} in '${text.slice(0, 200)}' - line ignored`, span, 'first');
      return;
    }
    if (expanded === text) {
      this.emitLine(text, span, depth);
      return;
    }
    const multi = expanded.includes('\n');
    for (const piece of expanded.split('\n')) {
      if (this.lines.length >= MAX_LINES) return;
      const clean = stripComment(piece).trim();
      if (clean === '') continue;
      const kept = this.applyCondition(clean);
      if (kept === undefined) continue;
      if (!multi) {
        this.emitLine(kept, span, depth);
        continue;
      }
      // Lines of a multi-line value are read again, as keepalived replays them.
      const def = DEFINITION.exec(kept);
      if (def) this.params.define(def[1] ?? '', (def[2] ?? '').trim());
      else this.processText(kept, span, depth + 1);
    }
  }

  private emitLine(line: string, span: Span, depth: number): void {
    const word = line.charCodeAt(0) === 0x69 /* i */ ? /^\S+/.exec(line)?.[0] : undefined;
    // Recognised before the brace split: `include sub/{a,b}.conf` keeps its braces; quotes are
    // kept too, as keepalived does. A bare `include` is an unknown keyword.
    const pattern = word !== undefined && INCLUDE_KEYWORDS.has(word) ? line.slice(word.length).trim().split(/\s+/)[0] : '';
    if (pattern) {
      this.include(word as IncludeKind, pattern, span);
      return;
    }
    const split = splitLine(line);
    const quotes = quoteProblems(line);
    if (quotes.unterminated) this.event(ConfigErrorClass.UnmatchedQuote, `Unterminated quote '${line}'`, span, 'all');
    if (quotes.unmatched) this.event(ConfigErrorClass.UnmatchedQuote, `Unmatched quote: '${line}'`, span, 'all');
    for (const piece of split.pieces) {
      if (isSequenceStart(piece.text)) {
        // The sequence repeats the rest of the whole line, later braces included.
        this.sequence(line.slice(piece.start), span, depth, piece.start > 0);
        return;
      }
      if (piece.tokens[0]?.startsWith('@') && this.applyCondition(piece.text) === undefined) continue;
      // A span object per logical line: the pipeline finds a node's exact position by identity.
      this.lines.push({ tokens: piece.tokens, span: { file: span.file, line: span.line }, text: piece.text });
    }
  }

  /**
   * A ~SEQ/~LST line. At the start of a line each repetition is expanded with its own binding; after
   * a brace keepalived 2.2.7 replays the repetitions only after the loop, so every one of them sees
   * the last binding (observed: `x { ~SEQ(i,1,2) w$i }` gives w2 twice).
   */
  private sequence(text: string, span: Span, depth: number, lazy: boolean): void {
    if (depth > 8) {
      this.event(ConfigErrorClass.GeneralError, `Sequences nested too deeply in '${text}'`, span, 'first');
      return;
    }
    try {
      const seq = parseSequence(this.expandHead(text));
      for (const binding of seq.bindings) {
        if (this.lines.length >= MAX_LINES) return;
        for (const [name, value] of binding) this.params.define(name, value);
        if (seq.rest !== '' && !lazy) this.processText(seq.rest, span, depth + 1);
      }
      if (lazy && seq.rest !== '') for (let k = 0; k < seq.bindings.length; k++) this.processText(seq.rest, span, depth + 1);
      for (const [name] of seq.bindings[0] ?? []) this.params.delete(name);
    } catch (e) {
      if (e instanceof SequenceError) {
        for (const m of e.messages) this.event(ConfigErrorClass.GeneralError, m, span, 'all');
      } else if (e instanceof ExpansionError) {
        this.event(ConfigErrorClass.GeneralError, e.message, span, 'first');
      } else throw e;
    }
  }

  /** Expands the parameters in the `~SEQ(...)` head only (the rest is expanded per repetition). */
  private expandHead(text: string): string {
    const close = text.indexOf(')');
    if (close < 0) return text;
    return expandParameters(text.slice(0, close + 1), this.params, this.builtins) + text.slice(close + 1);
  }

  private include(kind: IncludeKind, pattern: string, span: Span): void {
    const dir = this.stack[this.stack.length - 1]?.dir ?? this.env.cwd();
    const outcome = resolveInclude(this.allConfig ? 'includea' : kind, pattern, dir, this.env);
    for (const m of outcome.messages) this.event(ConfigErrorClass.Note, m, span, 'first');
    if (outcome.fatal) {
      this.stopAfterFirstPass = 6;
      return;
    }
    for (const f of outcome.files) this.readFile(f.display, f.resolved);
  }

  private event(cls: ConfigErrorClass, message: string, span: Span, passes: 'all' | 'first'): void {
    this.events.push({ at: this.lines.length, cls, message, span, passes });
  }
}
