/**
 * Numbers, timers and booleans as keepalived 2.2.7 reads them from a config token, with its
 * messages. Every reader is pure: it returns the value or the diagnostic lines keepalived prints
 * (the caller reports them with its own span and usually adds a keyword-specific line after).
 * The parse* forms (LVS, BFD) report through a callback and return the value or undefined.
 */

export const UINT_MAX = 4294967295;
export const INT_MAX = 2147483647;
const INT_MIN = -2147483648;
/** Largest timer keepalived accepts for delay_loop-like keywords, in microseconds (ULONG_MAX - 1). */
export const TIMER_MAX_LONG_US = 18446744073709551614n;
/** Largest timer for connect_timeout-like keywords, in microseconds (UINT_MAX). */
export const TIMER_MAX_UINT_US = 4294967295n;

export type NumberRead<T> = { readonly ok: true; readonly value: T; readonly notes?: readonly string[] } | { readonly ok: false; readonly messages: readonly string[] };

function fail<T>(...messages: string[]): NumberRead<T> {
  return { ok: false, messages };
}

const DIGITS = /^[+-]?[0-9]+$/;

/**
 * A signed integer (strtol, base 10) in [min, max]: "invalid number 'x'",
 * "number 'x' outside integer range" or "number 'x' outside range [min, max]".
 */
export function readInteger(token: string, min: number, max: number): NumberRead<number> {
  // strtol skips leading white space
  if (!DIGITS.test(token.trimStart())) return fail(`invalid number '${token}'`);
  const value = Number.parseInt(token, 10);
  if (value < INT_MIN || value > INT_MAX) return fail(`number '${token}' outside integer range`);
  if (value < min || value > max) return fail(`number '${token}' outside range [${min}, ${max}]`);
  return { ok: true, value };
}

/**
 * An unsigned integer (strtoul, base 10): a leading '-' gives "negative number 'x'", more than
 * UINT_MAX "number 'x' outside unsigned integer range".
 */
export function readUnsigned(token: string, min: number, max: number): NumberRead<number> {
  // strtoul skips leading white space
  if (!DIGITS.test(token.trimStart())) return fail(`invalid number '${token}'`);
  if (token.trimStart().startsWith('-')) return fail(`negative number '${token}'`);
  const value = Number.parseInt(token, 10);
  if (value > UINT_MAX) return fail(`number '${token}' outside unsigned integer range`);
  if (value < min || value > max) return fail(`number '${token}' outside range [${min}, ${max}]`);
  return { ok: true, value };
}

/**
 * keepalived's read of an unsigned number in the running daemon (not under -t) for a handler that
 * lets errors pass: every message gets "WARNING - ", and trailing junk is only a warning, the
 * leading digits counting (strtoul: "2.7" is 2, "0.02" and "abc" are 0). Negative and out-of-range
 * numbers still fail. Measured with keepalived 2.2.7 (vrrp_script interval).
 */
export function readUnsignedRunning(token: string, min: number, max: number): NumberRead<number> {
  const strict = readUnsigned(token, min, max);
  if (strict.ok) return strict;
  const t = token.trimStart();
  const warn = (messages: readonly string[]): NumberRead<number> => fail(...messages.map((m) => `WARNING - ${m}`));
  if (DIGITS.test(t) || /^-[0-9]/.test(t)) return warn(strict.messages);
  const value = Number.parseInt(/^\+?([0-9]*)/.exec(t)?.[1] || '0', 10);
  if (value < min || value > max) return warn(strict.messages);
  return { ok: true, value, notes: [`WARNING - invalid number '${token}'`] };
}

const DECIMAL = /^[+-]?([0-9]+)(?:\.([0-9]*))?$|^[+-]?\.([0-9]+)$/;

/** Formats a bound as keepalived's "%.*f" with `places` decimals ("%#.0f" gives "5."). */
export function formatFixed(value: number, places: number): string {
  return places === 0 ? `${Math.trunc(value)}.` : value.toFixed(places);
}

/**
 * A non-negative decimal with at most `places` decimal places, returned scaled by 10^places as an
 * integer (e.g. a timer in microseconds with places 6). Bounds are given in the scaled unit.
 */
export function readDecimalScaled(token: string, places: number, minScaled: number, maxScaled: number): NumberRead<number> {
  const m = DECIMAL.exec(token);
  if (!m) return fail(`invalid number '${token}'`);
  if (token.startsWith('-') && /[1-9]/.test(token)) return fail(`negative number '${token}'`);
  const intPart = m[1] ?? '0';
  const fraction = m[2] ?? m[3] ?? '';
  const notes: string[] = [];
  if (fraction.replace(/0+$/, '').length > places) notes.push(`number '${token}' has too many decimal places`);
  const scale = 10 ** places;
  const kept = fraction.padEnd(places, '0').slice(0, places);
  const value = Number.parseInt(intPart, 10) * scale + (kept ? Number.parseInt(kept, 10) : 0);
  if (value < minScaled || value > maxScaled) {
    return fail(...notes, `number '${token}' outside range [${formatFixed(minScaled / scale, places)}, ${formatFixed(maxScaled / scale, places)}]`);
  }
  return notes.length > 0 ? { ok: true, value, notes } : { ok: true, value };
}

/** A timer (seconds with up to 6 decimals) in microseconds; keepalived's default range is [0.000001, 4294.967295]. */
export function readTimerUs(token: string, minUs = 1, maxUs = 4_294_967_295): NumberRead<number> {
  return readDecimalScaled(token, 6, minUs, maxUs);
}

function formatMicros(us: bigint): string {
  const whole = us / 1000000n;
  const frac = us % 1000000n;
  return `${whole}.${frac.toString().padStart(6, '0')}`;
}

/**
 * keepalived's read_timer: a decimal number of seconds (strtod) with microsecond resolution, in
 * microseconds within [minUs, maxUs]. A token that is not entirely a number gives "invalid
 * number" but the number read so far (0 when none) is kept (as a note); if that value is out of
 * range the read fails without a range message.
 */
export function readStrtodTimerUs(token: string, minUs: bigint, maxUs: bigint): NumberRead<bigint> {
  const tok = token.trimStart();
  if (/^-\d/.test(tok)) return fail(`negative number '${token}'`);
  const m = /^\+?(\d*)(?:\.(\d*))?/.exec(tok);
  const hex = /^0[xX]/.test(tok);
  const intPart = hex ? '0' : m?.[1] ?? '';
  const fracPart = hex ? '' : m?.[2] ?? '';
  const junk = hex || !m || m[0].length !== tok.length || (intPart === '' && fracPart === '');
  const notes = junk ? [`invalid number '${token}'`] : [];
  const value = BigInt(intPart || '0') * 1000000n + BigInt((fracPart + '000000').slice(0, 6));
  if (value < minUs || value > maxUs) {
    return junk ? fail(...notes) : fail(`number '${token}' outside range [${formatMicros(minUs)}, ${formatMicros(maxUs)}]`);
  }
  return junk ? { ok: true, value, notes } : { ok: true, value };
}

export function usToMs(us: bigint): number {
  return Number(us) / 1000;
}

/** A double (strtod) in [min, max]; the range is printed with "%f". */
export function readDouble(token: string, min: number, max: number): NumberRead<number> {
  if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(token)) return fail(`invalid number '${token}'`);
  const value = Number.parseFloat(token);
  if (value < min || value > max) return fail(`number '${token}' outside range [${min.toFixed(6)}, ${max.toFixed(6)}]`);
  return { ok: true, value };
}

/** keepalived's check_true_false: true/on/yes -> true, false/off/no -> false, else undefined. */
export function parseBoolWord(token: string): boolean | undefined {
  const t = token.toLowerCase();
  if (t === 'true' || t === 'on' || t === 'yes') return true;
  if (t === 'false' || t === 'off' || t === 'no') return false;
  return undefined;
}

/**
 * An optional boolean after a keyword (`keyword [<BOOL>]`): absent -> true; invalid -> undefined
 * (keepalived then says "Invalid value for KEYWORD specified" and leaves the setting unchanged).
 */
export function readOptionalBool(args: readonly string[]): boolean | undefined {
  const first = args[0];
  if (first === undefined) return true;
  return parseBoolWord(first);
}

// Reporting forms (LVS, BFD) ------------------------------------------------------------------

export type Reporter = (message: string) => void;

/** Reports a read's lines (notes too) and returns its value; undefined when the read failed. */
export function reportRead<T>(read: NumberRead<T>, report: Reporter): T | undefined {
  for (const message of read.ok ? read.notes ?? [] : read.messages) report(message);
  return read.ok ? read.value : undefined;
}

/** readUnsigned, reported. */
export function parseUnsigned(token: string, min: number, max: number, report: Reporter): number | undefined {
  return reportRead(readUnsigned(token, min, max), report);
}

/** readInteger, reported. */
export function parseSigned(token: string, min: number, max: number, report: Reporter): number | undefined {
  return reportRead(readInteger(token, min, max), report);
}

/** A port: 0 (none) or [1, 65535], as keepalived reports it. */
export function parsePort(token: string, report: Reporter): number | undefined {
  return token === '0' ? 0 : parseUnsigned(token, 1, 65535, report);
}

/** readStrtodTimerUs, reported. */
export function parseTimerUs(token: string, minUs: bigint, maxUs: bigint, report: Reporter): bigint | undefined {
  return reportRead(readStrtodTimerUs(token, minUs, maxUs), report);
}
