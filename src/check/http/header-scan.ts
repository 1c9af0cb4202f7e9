/**
 * Byte scans over a received HTTP header (genhash's and keepalived's lenient reading): the status
 * code of the status line, and the value of a named header field, found without decoding the
 * header into a string. Field names match case-insensitively at the start of a line; the value may
 * follow spaces or tabs.
 */

const CR = 13;
const LF = 10;
const SP = 32;
const TAB = 9;
const DOT = 46;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const STATUS_PREFIX = [72, 84, 84, 80, 47]; // "HTTP/"
const CHUNKED = [99, 104, 117, 110, 107, 101, 100]; // "chunked"

const isDigit = (c: number): boolean => c >= DIGIT_0 && c <= DIGIT_9;

/** "HTTP/" digits "." digits, one or more spaces, then three digits; undefined otherwise. */
export function parseStatusCode(h: Uint8Array, end: number): number | undefined {
  let i = 0;
  for (const c of STATUS_PREFIX) if (i >= end || h[i++] !== c) return undefined;
  const majorStart = i;
  while (i < end && isDigit(h[i] ?? 0)) i++;
  if (i === majorStart || h[i] !== DOT) return undefined;
  const minorStart = ++i;
  while (i < end && isDigit(h[i] ?? 0)) i++;
  if (i === minorStart || h[i] !== SP) return undefined;
  while (i < end && h[i] === SP) i++;
  if (i + 3 > end) return undefined;
  const a = h[i] ?? 0;
  const b = h[i + 1] ?? 0;
  const c = h[i + 2] ?? 0;
  if (!isDigit(a) || !isDigit(b) || !isDigit(c)) return undefined;
  return (a - DIGIT_0) * 100 + (b - DIGIT_0) * 10 + (c - DIGIT_0);
}

/** ASCII lowercase of a byte. */
const lower = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);

/**
 * Finds the first line (after the status line, before `end`) that starts with `name` (lowercase,
 * colon included) and whose value, after spaces and tabs, is 'digits' (returns the number) or
 * starts with 'chunked' (case-insensitive; returns 0). -1 when there is none.
 */
export function findHeaderValue(h: Uint8Array, end: number, name: Uint8Array, value: 'digits' | 'chunked'): number {
  for (let line = 0; line + 1 < end; line++) {
    if (h[line] !== CR || h[line + 1] !== LF) continue;
    let i = line + 2;
    let k = 0;
    while (k < name.length && i < end && lower(h[i] ?? 0) === name[k]) {
      i++;
      k++;
    }
    if (k < name.length) continue;
    while (i < end && (h[i] === SP || h[i] === TAB)) i++;
    const v = value === 'digits' ? digitsAt(h, i, end) : chunkedAt(h, i, end);
    if (v >= 0) return v;
  }
  return -1;
}

function digitsAt(h: Uint8Array, i: number, end: number): number {
  let n = 0;
  let digits = 0;
  while (i < end && isDigit(h[i] ?? 0)) {
    n = n * 10 + ((h[i] ?? 0) - DIGIT_0);
    i++;
    digits++;
  }
  return digits > 0 ? n : -1;
}

function chunkedAt(h: Uint8Array, i: number, end: number): number {
  if (i + CHUNKED.length > end) return -1;
  for (let k = 0; k < CHUNKED.length; k++) if (lower(h[i + k] ?? 0) !== CHUNKED[k]) return -1;
  return 0;
}
