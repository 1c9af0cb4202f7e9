/**
 * The line cursor of one structure pass: hands out the preprocessed lines in order, replays the
 * reader's diagnostics that sit before each line, and keeps keepalived's textual brace count
 * ("Extra '}' found" when a '}' has no '{' to close; "There are N missing '}'s or extra '{'s" at
 * the end). That count is purely textual: it ignores how the parser used the braces.
 */
import type { ConfigLine } from './ast.js';
import { ConfigErrorClass, type Diagnostic, type Span } from './diagnostics.js';
import type { ReaderEvent } from './preprocess/index.js';

/** A diagnostic and the index of the line it was reported at (for ordering with domain messages). */
export interface PositionedDiagnostic {
  readonly at: number;
  readonly diagnostic: Diagnostic;
}

export interface CursorOptions {
  readonly lines: readonly ConfigLine[];
  readonly events: readonly ReaderEvent[];
  readonly mainFile: string;
  /** keepalived's first (global) pass prints main-file locations as `(Line N)`. */
  readonly firstPass: boolean;
}

export class LineCursor {
  readonly diagnostics: PositionedDiagnostic[] = [];
  private index = 0;
  private eventIndex = 0;
  private braceDepth = 0;

  constructor(private readonly opts: CursorOptions) {}

  /** Index of the line last returned by next(). */
  get position(): number {
    return this.index - 1;
  }

  next(): ConfigLine | undefined {
    this.replayEvents(this.index);
    const line = this.opts.lines[this.index];
    if (!line) return undefined;
    this.index++;
    const first = line.tokens[0];
    if (first === '{') this.braceDepth++;
    else if (first === '}') {
      if (this.braceDepth === 0) this.report(ConfigErrorClass.UnexpectedBlockEnd, "Extra '}' found", line.span);
      else this.braceDepth--;
    }
    return line;
  }

  /** Reports at the position of the line last read. */
  report(cls: ConfigErrorClass, message: string, span: Span): void {
    this.diagnostics.push({ at: this.position, diagnostic: { cls, message, span, prefix: this.prefixFor(span) } });
  }

  /** After the last line: the remaining reader messages and the unbalanced-brace summary. */
  finish(): void {
    while (this.next()) {
      /* drain (only when the walk stopped early) */
    }
    this.replayEvents(this.opts.lines.length);
    if (this.braceDepth > 0) {
      const last = this.opts.lines[this.opts.lines.length - 1];
      const span = last?.span ?? { file: this.opts.mainFile, line: 0 };
      this.diagnostics.push({
        at: this.opts.lines.length,
        diagnostic: {
          cls: ConfigErrorClass.MissingBlockEnd,
          message: `There are ${this.braceDepth} missing '}'s or extra '{'s`,
          span,
          prefix: 'none',
        },
      });
    }
  }

  /** Line 0 (a chunk of an over-long first line) prints without a location, as in keepalived. */
  prefixFor(span: Span): 'line' | 'file' | 'none' {
    if (span.line === 0) return 'none';
    return this.opts.firstPass && span.file === this.opts.mainFile ? 'line' : 'file';
  }

  private replayEvents(upTo: number): void {
    const events = this.opts.events;
    while (this.eventIndex < events.length) {
      const e = events[this.eventIndex];
      if (!e || e.at > upTo) break;
      this.eventIndex++;
      if (e.passes === 'first' && !this.opts.firstPass) continue;
      this.diagnostics.push({ at: e.at, diagnostic: { cls: e.cls, message: e.message, span: e.span, prefix: this.prefixFor(e.span) } });
    }
  }
}
