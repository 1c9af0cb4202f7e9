/**
 * Character-level rules of keepalived 2.2.7's config reader: comments, escaped comment characters,
 * double quotes, and the split of a line at every brace outside quotes.
 *
 * Observed with keepalived 2.2.7 (the arbiter):
 *  - `#` and `!` start a comment anywhere outside double quotes; `\#` and `\!` are literal.
 *  - Only double quotes quote (single quotes are ordinary characters in 2.2.7); the quote
 *    characters are removed and `abcd" efg "h` is one token.
 *  - Backslash escapes other than `\#`/`\!` are not interpreted (`"x\ty"` stays `x\ty`).
 *  - `{` and `}` outside quotes are tokens of their own and the reader splits the line there, so
 *    `a { b } c` reads as the lines `a`, `{`, `b`, `}`, `c`.
 */

/** Removes a trailing comment and un-escapes `\#`/`\!`. Returns the text to keep. */
export function stripComment(raw: string): string {
  if (!hasSpecial(raw)) return raw;
  let out = '';
  let inQuote = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') inQuote = !inQuote;
    else if (c === '\\' && (raw[i + 1] === '#' || raw[i + 1] === '!')) {
      out += raw[i + 1];
      i++;
      continue;
    } else if (!inQuote && (c === '#' || c === '!')) break;
    out += c;
  }
  return out;
}

function hasSpecial(s: string): boolean {
  return s.includes('#') || s.includes('!');
}

/** A line cut at its braces: each piece is either a brace or the text between braces. */
export interface LinePiece {
  readonly tokens: string[];
  /** The text of the piece as written (quotes kept), for ~SEQ/~LST re-expansion. */
  readonly text: string;
}

export interface SplitResult {
  readonly pieces: LinePiece[];
  /** True when a double quote was opened and never closed on this line. */
  readonly unterminatedQuote: boolean;
}

const WHITESPACE = new Set([' ', '\t', '\r', '\n', '\v', '\f']);

/**
 * Tokenizes one (comment-free, expanded) line and splits it at braces outside quotes.
 * Linear in the length of the line.
 */
export function splitLine(line: string): SplitResult {
  const pieces: LinePiece[] = [];
  let tokens: string[] = [];
  let token = '';
  let inToken = false;
  let inQuote = false;
  let pieceStart = 0;
  const endToken = (): void => {
    if (inToken) tokens.push(token);
    token = '';
    inToken = false;
  };
  const endPiece = (end: number): void => {
    endToken();
    if (tokens.length > 0) pieces.push({ tokens, text: line.slice(pieceStart, end).trim() });
    tokens = [];
  };
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (c === '"') {
      inQuote = !inQuote;
      inToken = true;
    } else if (inQuote) {
      token += c;
    } else if (WHITESPACE.has(c)) {
      endToken();
    } else if (c === '{' || c === '}') {
      endPiece(i);
      pieces.push({ tokens: [c], text: c });
      pieceStart = i + 1;
    } else {
      token += c;
      inToken = true;
    }
  }
  endPiece(line.length);
  return { pieces, unterminatedQuote: inQuote };
}

/** True for blank characters as C isspace() sees them. */
export function isBlank(c: string | undefined): boolean {
  return c !== undefined && WHITESPACE.has(c);
}
