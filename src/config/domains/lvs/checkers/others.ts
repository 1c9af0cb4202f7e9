/**
 * TCP_CHECK, PING_CHECK, SMTP_CHECK, DNS_CHECK and UDP_CHECK.
 */
import type { ConfigNode } from '../../../ast.js';
import type { DnsQueryType, HexPattern } from '../../../model/lvs.js';
import type { CheckerDraft } from '../draft.js';
import { parseUnsigned } from '../parse/numbers.js';
import type { LvsReporter } from '../report.js';
import { applyCommonKeyword, connectionOf, newDraft } from './common.js';

export function parseSimpleChecker(node: ConfigNode, r: LvsReporter): CheckerDraft {
  const type = node.keyword === 'PING_CHECK' ? 'PING_CHECK' : 'TCP_CHECK';
  const draft: CheckerDraft = newDraft(type, node, (timing) => ({ type, span: node.span, timing, connection: connectionOf(draft) }));
  for (const c of node.children ?? []) applyCommonKeyword(c, draft, r);
  return draft;
}

export const DEFAULT_HELO = 'smtpchecker.keepalived.org';

export function parseSmtpChecker(node: ConfigNode, r: LvsReporter): CheckerDraft {
  let heloName = DEFAULT_HELO;
  const draft: CheckerDraft = newDraft('SMTP_CHECK', node, (timing) => ({ type: 'SMTP_CHECK', span: node.span, timing, connection: connectionOf(draft), heloName }));
  for (const c of node.children ?? []) {
    if (applyCommonKeyword(c, draft, r)) continue;
    if (c.keyword === 'helo_name') {
      if (c.args[0] === undefined) r.error(c, 'SMTP_CHECK helo name missing');
      else heloName = c.args[0];
    } else if (c.keyword === 'host') {
      // The deprecated host sub-block: its connection settings apply to this checker, and (unlike
      // the checker's own) they default to the real server's address.
      const host: CheckerDraft = { ...draft, type: 'TCP_CHECK' };
      for (const h of c.children ?? []) applyCommonKeyword(h, host, r);
    }
  }
  return draft;
}

/**
 * keepalived 2.2.7 rejects a name with an empty label ('a..b', '.a') and, by an off-by-one, one
 * whose first label is a single character followed by '.' ('a.example'); the root '.' is accepted.
 */
export function hasShortLabel(name: string): boolean {
  if (name === '.') return false;
  const labels = name.split('.');
  if (labels.length > 1 && (labels[0] ?? '').length < 2) return true;
  return labels.slice(1, -1).some((l) => l.length === 0);
}

const DNS_TYPES: ReadonlySet<string> = new Set(['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'DNSKEY']);

export function parseDnsChecker(node: ConfigNode, r: LvsReporter): CheckerDraft {
  let queryType: DnsQueryType = 'SOA';
  let name: string | undefined;
  const draft: CheckerDraft = newDraft('DNS_CHECK', node, (timing) => ({
    type: 'DNS_CHECK',
    span: node.span,
    timing,
    connection: connectionOf(draft),
    queryType,
    name: name ?? '.',
  }));
  for (const c of node.children ?? []) {
    if (applyCommonKeyword(c, draft, r)) continue;
    const a0 = c.args[0] ?? '';
    if (c.keyword === 'type') {
      const t = a0.toUpperCase();
      if (DNS_TYPES.has(t)) queryType = t as DnsQueryType;
      else r.error(c, `Unknown DNS check type ${a0} - ignoring`);
    } else if (c.keyword === 'name') {
      if (name !== undefined) r.error(c, 'DNS_CHECK name already specified - ignoring');
      else if (hasShortLabel(a0)) r.error(c, `DNS_CHECK name '${a0}' has empty label - ignoring`);
      else name = a0;
    }
  }
  return draft;
}

/**
 * Hex with optional X/x nibble wildcards (only when `wildcards`); undefined when invalid.
 * An odd number of digits is padded with a trailing 0 nibble.
 */
export function parseHexPattern(text: string, wildcards: boolean): HexPattern | undefined {
  if (!/^[0-9a-fA-FxX]*$/.test(text) || (!wildcards && /[xX]/.test(text))) return undefined;
  const n = Math.ceil(text.length / 2);
  const bytes = new Uint8Array(n);
  const mask = new Uint8Array(n);
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '0';
    const wild = ch === 'x' || ch === 'X';
    const shift = i % 2 === 0 ? 4 : 0;
    const idx = i >> 1;
    bytes[idx] = (bytes[idx] ?? 0) | ((wild ? 0 : parseInt(ch, 16)) << shift);
    mask[idx] = (mask[idx] ?? 0) | ((wild ? 0 : 0xf) << shift);
  }
  if (text.length % 2 === 1) mask[n - 1] = (mask[n - 1] ?? 0) | 0x0f;
  return { bytes, mask };
}

const MAX_UDP_REPLY = 65535;

export function parseUdpChecker(node: ConfigNode, r: LvsReporter): CheckerDraft {
  let payload: Uint8Array | undefined;
  let requireReply = false;
  let replyPattern: HexPattern | undefined;
  let minReplyLength = 0;
  let maxReplyLength = 255;
  const draft: CheckerDraft = newDraft('UDP_CHECK', node, (timing) => ({
    type: 'UDP_CHECK',
    span: node.span,
    timing,
    connection: connectionOf(draft),
    requireReply,
    minReplyLength,
    maxReplyLength,
    ...(payload ? { payload } : {}),
    ...(replyPattern ? { replyPattern } : {}),
  }));
  for (const c of node.children ?? []) {
    if (applyCommonKeyword(c, draft, r)) continue;
    const a0 = c.args[0];
    switch (c.keyword) {
      case 'payload': {
        if (a0 === undefined) {
          r.error(c, 'UDP_CHECK payload requires a payload');
          break;
        }
        const p = parseHexPattern(c.args.join(''), false);
        if (!p) r.error(c, 'Invalid hex string for UDP_CHECK payload');
        else payload = p.bytes;
        break;
      }
      case 'require_reply': {
        requireReply = true;
        if (a0 === undefined) break;
        const p = parseHexPattern(a0, true);
        if (!p) r.error(c, 'Invalid hex string for UDP_CHECK reply');
        else replyPattern = p;
        break;
      }
      case 'min_reply_length':
      case 'max_reply_length': {
        const v = parseUnsigned(a0 ?? '', 0, MAX_UDP_REPLY, r.numbers(c));
        const which = c.keyword === 'min_reply_length' ? 'min' : 'max';
        if (v === undefined) r.error(c, `UDP_CHECK ${which} length ${a0 ?? ''} not valid - must be between 0 & ${MAX_UDP_REPLY}`);
        else if (which === 'min') minReplyLength = v;
        else maxReplyLength = v;
        break;
      }
      default:
        break;
    }
  }
  if (minReplyLength > maxReplyLength) {
    r.atBlockEnd(node, `UDP_CHECK min_reply length ${minReplyLength} > max_reply_length ${maxReplyLength} - will always fail`);
  }
  return draft;
}
