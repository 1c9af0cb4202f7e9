/**
 * Character-level rules of keepalived 2.2.7's config reader: comments, escaped comment characters,
 * double quotes, and the split of a line at every brace outside quotes.
 *
 * Observed with keepalived 2.2.7 (the arbiter):
 *  - `#` and `!` start a comment anywhere outside double quotes; `\#` and `\!` are literal; a
 *    trailing `\` is kept even when it is inside the comment.
 *  - Only double quotes quote (single quotes are ordinary characters in 2.2.7). A quoted string
 *    is a token of its own, quotes removed: `yy"a b"` is 'yy' and 'a b' (2.2.7 differs from later
 *    versions, where `abcd" efg "h` is one token).
 *  - Backslash escapes other than `\#`/`\!` and `\"` inside quotes are not interpreted
 *    (`"x\ty"` stays `x\ty`).
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
    if (inQuote && c === '\\' && raw[i + 1] === '"') {
      out += '\\"';
      i++;
      continue;
    }
    if (c === '"') inQuote = !inQuote;
    else if (c === '\\' && (raw[i + 1] === '#' || raw[i + 1] === '!')) {
      out += raw[i + 1];
      i++;
      continue;
    } else if (!inQuote && (c === '#' || c === '!')) {
      // A trailing '\' survives its comment (observed: `# a b \` reads as the token '\').
      return raw.trimEnd().endsWith('\\') ? `${out} \\` : out;
    }
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
  /** Offset of the piece in the line. */
  readonly start: number;
}

export interface SplitResult {
  readonly pieces: LinePiece[];
  /** True when a double quote was opened and never closed on this line. */
  readonly unterminatedQuote: boolean;
}

/** `~SEQ(`, `~SEQx(`, `~LST(`: their parentheses may hold braces that must not split the line. */
const SEQUENCE_AT = /^~(SEQx?|LST)\s*\(/;

/**
 * Tokenizes one (comment-free, expanded) line and splits it at braces outside quotes.
 * Linear in the length of the line; unquoted tokens are sliced, not built char by char.
 */
export function splitLine(line: string): SplitResult {
  const pieces: LinePiece[] = [];
  let tokens: string[] = [];
  let pieceStart = 0;
  let inQuote = false;
  let tokenStart = -1;
  let built: string | undefined; // the text of a quoted token
  const endToken = (end: number): void => {
    if (tokenStart < 0) return;
    tokens.push(built ?? line.slice(tokenStart, end));
    tokenStart = -1;
    built = undefined;
  };
  const endPiece = (end: number): void => {
    endToken(end);
    if (tokens.length > 0) pieces.push({ tokens, text: line.slice(pieceStart, end).trim(), start: pieceStart });
    tokens = [];
  };
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code === QUOTE) {
      // A quote ends the token before it; the quoted text is a token of its own (2.2.7).
      endToken(i);
      if (!inQuote) {
        tokenStart = i;
        built = '';
      }
      inQuote = !inQuote;
      continue;
    }
    if (inQuote) {
      // Inside quotes `\"` is a quote character, not the end of the string.
      if (code === BACKSLASH && line.charCodeAt(i + 1) === QUOTE) i++;
      built += line.charAt(i);
      continue;
    }
    if (isBlankCode(code)) {
      endToken(i);
    } else if (code === OPEN || code === CLOSE) {
      endPiece(i);
      pieces.push({ tokens: [line.charAt(i)], text: line.charAt(i), start: i });
      pieceStart = i + 1;
    } else {
      if (tokenStart < 0) tokenStart = i;
      if (code === TILDE && tokenStart === i && SEQUENCE_AT.test(line.slice(i, i + 24))) {
        const close = line.indexOf(')', i);
        const stop = close < 0 ? line.length : close + 1;
        if (built !== undefined) built += line.slice(i, stop);
        i = stop - 1;
      } else if (built !== undefined) built += line.charAt(i);
    }
  }
  if (inQuote) tokenStart = -1; // an unterminated quoted token is dropped (observed: `"abc` reads as nothing)
  endPiece(line.length);
  return { pieces, unterminatedQuote: inQuote };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const TILDE = 0x7e;

function isBlankCode(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * keepalived's two quote checks on a line (observed): "Unterminated quote" when a double quote is
 * still open at the end, `\"` counting as an escaped quote anywhere; "Unmatched quote" when the
 * line holds an odd number of double quote characters, escaped or not.
 */
export function quoteProblems(line: string): { unterminated: boolean; unmatched: boolean } {
  if (!line.includes('"')) return { unterminated: false, unmatched: false };
  let open = false;
  let count = 0;
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code === QUOTE) {
      count++;
      open = !open;
    } else if (code === BACKSLASH && line.charCodeAt(i + 1) === QUOTE) {
      count++;
      i++;
    }
  }
  return { unterminated: open, unmatched: count % 2 === 1 };
}

/** True for blank characters as C isspace() sees them. */
export function isBlank(c: string | undefined): boolean {
  return c !== undefined && c.length === 1 && isBlankCode(c.charCodeAt(0));
}
