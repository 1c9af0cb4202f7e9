/**
 * HTTP_GET and SSL_GET: url sub-blocks (path, digest, status_code, virtualhost, regex options),
 * http_protocol, virtualhost, enable_sni, fast_recovery and the deprecated nb_get_retry.
 */
import type { ConfigNode } from '../../../ast.js';
import type { HttpChecker, HttpProtocol, HttpUrl } from '../../../model/lvs.js';
import type { CheckerDraft } from '../draft.js';
import { parseUnsigned, UINT_MAX } from '../../../syntax/numbers.js';
import { missingParameter, reportMissingParameter, type LvsReporter } from '../report.js';
import { readOptionalFlag } from '../timing.js';
import { applyCommonKeyword, connectionOf, newDraft } from './common.js';

type MutableUrl = { -readonly [K in keyof HttpUrl]: HttpUrl[K] } & { digests: string[]; statusCodes: [number, number][]; regexOptions: string[] };

const DEFAULT_STATUS: readonly (readonly [number, number])[] = [[200, 299]];

export function parseHttpChecker(node: ConfigNode, r: LvsReporter): CheckerDraft {
  const type = node.keyword === 'SSL_GET' ? 'SSL_GET' : 'HTTP_GET';
  const urls: HttpUrl[] = [];
  let httpProtocol: HttpProtocol = '1.0';
  let virtualhost: string | undefined;
  let fastRecovery = false;
  let enableSni = false;
  const draft = newDraft(type, node, (timing) => {
    if (urls.length === 0) return undefined;
    const c: HttpChecker = { type, span: node.span, timing, connection: connectionOf(draft), urls, httpProtocol, fastRecovery, enableSni, ...(virtualhost !== undefined ? { virtualhost } : {}) };
    return c;
  });
  for (const c of node.children ?? []) {
    if (applyCommonKeyword(c, draft, r)) continue;
    const a0 = c.args[0];
    switch (c.keyword) {
      case 'url': {
        const u = parseUrl(c, r);
        if (u) urls.push(u);
        break;
      }
      case 'nb_get_retry': {
        r.error(c, "nb_get_retry is deprecated - please use 'retry'");
        if (a0 === undefined) {
          reportMissingParameter(c, r);
          break;
        }
        const v = parseUnsigned(a0 ?? '', 0, UINT_MAX, r.numbers(c));
        if (v === undefined) r.error(c, `Invalid nb_get_retry value '${a0 ?? ''}'`);
        else draft.timing.retry = v;
        break;
      }
      case 'http_protocol':
        if (a0 === undefined) r.error(c, 'Missing http_protocol version');
        else if (a0 === '1.0' || a0 === '1.1') httpProtocol = a0;
        else if (a0 === '1.0C' || a0 === '1.0c') httpProtocol = '1.0C';
        else r.error(c, `Invalid http_protocol version ${a0}`);
        break;
      case 'virtualhost':
        if (a0 === undefined) r.error(c, 'HTTP_GET virtualhost name missing');
        else virtualhost = a0;
        break;
      case 'fast_recovery':
        fastRecovery = readOptionalFlag(c, r, (p) => `Invalid fast_recovery parameter ${p}`) ?? fastRecovery;
        break;
      case 'enable_sni':
        enableSni = readOptionalFlag(c, r, (p) => `Invalid enable_sni parameter ${p}`) ?? enableSni;
        break;
      default:
        break;
    }
  }
  if (urls.length === 0) r.atBlockEnd(node, 'HTTP/SSL_GET checker has no urls specified - ignoring');
  return draft;
}

function parseUrl(node: ConfigNode, r: LvsReporter): HttpUrl | undefined {
  const u: MutableUrl = { path: '', digests: [], statusCodes: [], regexNoMatch: false, regexOptions: [], span: node.span };
  let hasPath = false;
  for (const c of node.children ?? []) {
    if (missingParameter(c, r, 'url')) return undefined;
    const a0 = c.args[0];
    switch (c.keyword) {
      case 'path':
        if (a0 !== undefined) {
          u.path = a0;
          hasPath = true;
        }
        break;
      case 'digest':
        applyDigest(c, u, r);
        break;
      case 'status_code':
        for (const tok of c.args) applyStatusCode(c, tok, u, r);
        break;
      case 'virtualhost':
        if (a0 === undefined) r.error(c, 'HTTP_GET virtualhost name missing');
        else u.virtualhost = a0;
        break;
      // The Debian keepalived 2.2.7 build accepts the regex keywords without checking them.
      case 'regex':
        if (c.args.length === 1) u.regex = a0 ?? '';
        break;
      case 'regex_no_match':
        u.regexNoMatch = true;
        break;
      case 'regex_options':
        u.regexOptions.push(...c.args);
        break;
      case 'regex_min_offset':
      case 'regex_max_offset':
        applyRegexOffset(c, u);
        break;
      default:
        break;
    }
  }
  if (!hasPath) {
    r.atBlockEnd(node, 'HTTP/SSL_GET checker url has no path - ignoring');
    return undefined;
  }
  if (u.statusCodes.length === 0) u.statusCodes.push(...DEFAULT_STATUS.map(([a, b]): [number, number] => [a, b]));
  return u;
}

function applyDigest(c: ConfigNode, u: MutableUrl, r: LvsReporter): void {
  const d = c.args[0] ?? '';
  if (d.length !== 32) {
    r.error(c, `digest '${d}' character length should be 32 rather than ${d.length}`);
    return;
  }
  const lower = d.toLowerCase();
  if (u.digests.some((x) => x.slice(0, 31) === lower.slice(0, 31))) {
    r.error(c, `Digest '${d}' is a duplicate`);
    return;
  }
  u.digests.push(lower);
}

function applyStatusCode(c: ConfigNode, tok: string, u: MutableUrl, r: LvsReporter): void {
  const m = /^(\d+)(?:-(\d+))?$/.exec(tok);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
  if (!m || lo < 100 || hi > 599 || hi < lo) {
    r.error(c, `Invalid HTTP_GET status code '${tok}'`);
    return;
  }
  u.statusCodes.push([lo, hi]);
}

function applyRegexOffset(c: ConfigNode, u: MutableUrl): void {
  const which = c.keyword === 'regex_min_offset' ? 'min' : 'max';
  const v = c.args.length === 1 ? parseUnsigned(c.args[0] ?? '', 0, UINT_MAX, () => undefined) : undefined;
  if (v === undefined) return;
  if (which === 'min') u.regexMinOffset = v;
  else u.regexMaxOffset = v;
}
