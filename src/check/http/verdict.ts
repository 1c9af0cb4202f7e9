/**
 * Judges one HTTP answer against its `url` block: status_code ranges (default 200-299), digest
 * (MD5 of the body, any of the listed values), regex / regex_no_match over the kept body.
 */
import type { HttpUrl } from '../../config/model/lvs.js';
import { CheckError } from '../errors.js';
import type { ProbeResult } from '../probe.js';
import type { ResponseReader } from './response.js';

export const DEFAULT_STATUS: readonly (readonly [number, number])[] = [[200, 299]];

/** A url block reduced to what the probe needs, with its regex compiled once. */
export interface UrlRule {
  readonly path: string;
  readonly digests: readonly string[];
  readonly statusCodes: readonly (readonly [number, number])[];
  readonly virtualhost?: string;
  readonly regex?: RegExp;
  readonly regexNoMatch: boolean;
}

/** keepalived's regex_options that have a JavaScript flag; the others are ignored. */
const REGEX_FLAGS: Readonly<Record<string, string>> = { caseless: 'i', multiline: 'm', dotall: 's', utf: 'u' };

export function compileUrl(url: Pick<HttpUrl, 'path' | 'digests' | 'statusCodes' | 'regexNoMatch'> & Partial<Pick<HttpUrl, 'virtualhost' | 'regex' | 'regexOptions'>>): UrlRule {
  let regex: RegExp | undefined;
  if (url.regex !== undefined) {
    const flags = [...new Set((url.regexOptions ?? []).map((o) => REGEX_FLAGS[o] ?? ''))].join('');
    try {
      regex = new RegExp(url.regex, flags);
    } catch (e) {
      throw new CheckError('CHECK_BAD_REGEX', `regex ${JSON.stringify(url.regex)}: ${(e as Error).message}`, { cause: e });
    }
  }
  return {
    path: url.path,
    digests: url.digests.map((d) => d.toLowerCase()),
    statusCodes: url.statusCodes.length > 0 ? url.statusCodes : DEFAULT_STATUS,
    ...(url.virtualhost !== undefined ? { virtualhost: url.virtualhost } : {}),
    ...(regex !== undefined ? { regex } : {}),
    regexNoMatch: url.regexNoMatch,
  };
}

export function statusAccepted(status: number, ranges: readonly (readonly [number, number])[]): boolean {
  return ranges.some(([lo, hi]) => status >= lo && status <= hi);
}

export function judge(rule: UrlRule, reader: ResponseReader): ProbeResult {
  if (!reader.headerSeen) return { ok: false, failure: 'bad-response', reason: `${rule.path}: no HTTP header received` };
  const status = reader.statusCode;
  if (status === undefined) return { ok: false, failure: 'bad-response', reason: `${rule.path}: malformed status line` };
  if (!statusAccepted(status, rule.statusCodes)) return { ok: false, failure: 'bad-status', reason: `${rule.path}: HTTP status ${status}` };
  if (rule.digests.length > 0 && !reader.digestIn(rule.digests)) return { ok: false, failure: 'bad-digest', reason: `${rule.path}: MD5 digest ${reader.digestHex()}` };
  if (rule.regex) {
    const matched = rule.regex.test(reader.keptBody());
    if (matched === rule.regexNoMatch) return { ok: false, failure: 'regex-mismatch', reason: `${rule.path}: regex ${rule.regexNoMatch ? 'matched' : 'did not match'}` };
  }
  return { ok: true, detail: `${rule.path}: HTTP status ${status}` };
}
