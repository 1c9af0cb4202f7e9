/**
 * TCP_CHECK, PING_CHECK, SMTP_CHECK, DNS_CHECK and UDP_CHECK.
 */
import type { ConfigNode } from '../../../ast.js';
import type { DnsQueryType, HexPattern } from '../../../model/lvs.js';
import type { CheckerDraft } from '../draft.js';
import { parseUnsigned } from '../../../syntax/numbers.js';
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
/**
 * keepalived's hex string reader: the words are read in turn; each pair of hex digits is one octet,
 * and a lone digit at the end of a word is the LOW nibble of an octet of its own ("Ab12f 3" is
 * AB 12 0F 03). With `wildcards`, x/X matches any nibble. `mask` has the bits to compare set.
 */
export function parseHexPattern(words: readonly string[], wildcards: boolean): HexPattern | undefined {
  const bytes: number[] = [];
  const mask: number[] = [];
  for (const word of words) {
    if (!/^[0-9a-fA-FxX]+$/.test(word) || (!wildcards && /[xX]/.test(word))) return undefined;
    for (let i = 0; i < word.length; i += 2) {
      const hi = word[i] ?? '0';
      const lo = word[i + 1];
      const [value, compare] = lo === undefined
        ? [nibble(hi), nibbleMask(hi)]
        : [(nibble(hi) << 4) | nibble(lo), (nibbleMask(hi) << 4) | nibbleMask(lo)];
      bytes.push(value);
      mask.push(lo === undefined ? 0xf0 | compare : compare);
    }
  }
  if (bytes.length === 0) return undefined;
  return { bytes: Uint8Array.from(bytes), mask: Uint8Array.from(mask) };
}

function nibble(ch: string): number {
  return ch === 'x' || ch === 'X' ? 0 : parseInt(ch, 16);
}

function nibbleMask(ch: string): number {
  return ch === 'x' || ch === 'X' ? 0 : 0xf;
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
        const p = parseHexPattern(c.args, false);
        if (!p) r.error(c, 'Invalid hex string for UDP_CHECK payload');
        else payload = p.bytes;
        break;
      }
      case 'require_reply': {
        requireReply = true;
        if (a0 === undefined) break;
        const p = parseHexPattern(c.args, true);
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
