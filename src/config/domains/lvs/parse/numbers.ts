/**
 * Number parsing with keepalived 2.2.7's messages ("invalid number 'x'", "negative number '-1'",
 * "number 'N' outside range [MIN, MAX]", "number 'N' outside unsigned integer range").
 *
 * Temporary home: the shared syntax helpers (src/config/syntax/**) belong to another engineer; the
 * LVS and BFD domains switch to them once they exist.
 */

export const UINT_MAX = 4294967295;
export const INT_MAX = 2147483647;
/** Largest timer keepalived accepts for delay_loop-like keywords, in microseconds (ULONG_MAX - 1). */
export const TIMER_MAX_LONG_US = 18446744073709551614n;
/** Largest timer for connect_timeout-like keywords, in microseconds (UINT_MAX). */
export const TIMER_MAX_UINT_US = 4294967295n;

export type Reporter = (message: string) => void;

/** An unsigned integer in [min, max]; undefined (after reporting) when invalid. */
export function parseUnsigned(token: string, min: number, max: number, report: Reporter): number | undefined {
  const tok = token.trimStart();
  if (tok.startsWith('-') && /^-\d+$/.test(tok)) {
    report(`negative number '${token}'`);
    return undefined;
  }
  if (!/^\+?\d+$/.test(tok)) {
    report(`invalid number '${token}'`);
    return undefined;
  }
  const n = Number(tok);
  if (n > UINT_MAX) {
    report(`number '${token}' outside unsigned integer range`);
    return undefined;
  }
  if (n < min || n > max) {
    report(`number '${token}' outside range [${min}, ${max}]`);
    return undefined;
  }
  return n;
}

/** A port: 0 (none) or [1, 65535], as keepalived reports it. */
export function parsePort(tok: string, report: Reporter): number | undefined {
  return tok === '0' ? 0 : parseUnsigned(tok, 1, 65535, report);
}

/** A signed integer in [min, max]; undefined (after reporting) when invalid. */
export function parseSigned(tok: string, min: number, max: number, report: Reporter): number | undefined {
  if (!/^[+-]?\d+$/.test(tok)) {
    report(`invalid number '${tok}'`);
    return undefined;
  }
  const n = Number(tok);
  if (n < -2147483648 || n > INT_MAX) {
    report(`number '${tok}' outside integer range`);
    return undefined;
  }
  if (n < min || n > max) {
    report(`number '${tok}' outside range [${min}, ${max}]`);
    return undefined;
  }
  return n;
}

function formatMicros(us: bigint): string {
  const whole = us / 1000000n;
  const frac = us % 1000000n;
  return `${whole}.${frac.toString().padStart(6, '0')}`;
}

/**
 * A decimal number of seconds with microsecond resolution, returned in microseconds, within
 * [minUs, maxUs]. As in keepalived (strtod), a token that is not entirely a number is reported as an
 * invalid number but the number read so far (0 when none) is kept; if that value is out of range
 * the read fails without a range message.
 */
export function parseTimerUs(token: string, minUs: bigint, maxUs: bigint, report: Reporter): bigint | undefined {
  const tok = token.trimStart();
  if (/^-\d/.test(tok)) {
    report(`negative number '${token}'`);
    return undefined;
  }
  const m = /^\+?(\d*)(?:\.(\d*))?/.exec(tok);
  const hex = /^0[xX]/.test(tok);
  const intPart = hex ? '0' : m?.[1] ?? '';
  const fracPart = hex ? '' : m?.[2] ?? '';
  const junk = hex || !m || m[0].length !== tok.length || (intPart === '' && fracPart === '');
  if (junk) report(`invalid number '${token}'`);
  const us = BigInt(intPart || '0') * 1000000n + BigInt((fracPart + '000000').slice(0, 6));
  if (us < minUs || us > maxUs) {
    if (junk) return undefined;
    report(`number '${token}' outside range [${formatMicros(minUs)}, ${formatMicros(maxUs)}]`);
    return undefined;
  }
  return us;
}

export function usToMs(us: bigint): number {
  return Number(us) / 1000;
}

/** keepalived's boolean words; undefined when the word is not one of them. */
export function parseBoolWord(tok: string): boolean | undefined {
  switch (tok.toLowerCase()) {
    case 'on':
    case 'true':
    case 'yes':
      return true;
    case 'off':
    case 'false':
    case 'no':
      return false;
    default:
      return undefined;
  }
}
