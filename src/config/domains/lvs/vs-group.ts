/**
 * virtual_server_group NAME { IP [PORT] | IP-LAST [PORT] | fwmark N [inet|inet6] ... }: the
 * entries are raw lines (not keywords), as keepalived reads them.
 */
import type { ConfigLine, ConfigNode } from '../../ast.js';
import { parseIp } from '../../syntax/ip.js';
import type { AddressFamily, VirtualServerGroup, VirtualServerGroupEntry } from '../../model/lvs.js';
import { parseUnsigned, UINT_MAX } from '../../syntax/numbers.js';
import type { LvsReporter } from './report.js';

export function parseVsGroup(node: ConfigNode, r: LvsReporter): VirtualServerGroup | undefined {
  const name = node.args[0] ?? '';
  const entries: VirtualServerGroupEntry[] = [];
  for (const line of node.lines ?? []) {
    const e = parseEntry(name, line, r);
    if (e) entries.push(e);
  }
  if (entries.length === 0) {
    r.atBlockEnd(node, `virtual server group ${name} has no entries - removing`);
    return undefined;
  }
  const families = new Set(entries.filter((e) => e.kind === 'range').map((e) => e.family));
  const untypedFwmark = entries.some((e) => e.kind === 'fwmark' && e.family === undefined);
  if (families.size > 1 && untypedFwmark) {
    r.atBlockEnd(node, `virtual server group ${name} cannot have IPv4, IPv6 and fwmark without family - removing`);
    return undefined;
  }
  return { name, entries, span: node.span };
}

function parseEntry(group: string, line: ConfigLine, r: LvsReporter): VirtualServerGroupEntry | undefined {
  const [a0 = '', a1, a2] = line.tokens;
  if (a0 === 'fwmark') {
    const fwmark = parseUnsigned(a1 ?? '', 0, UINT_MAX, r.numbers(line));
    if (fwmark === undefined) {
      r.error(line, `(${group}): fwmark '${a1 ?? ''}' must be in [0, 4294967295] - ignoring`);
      return undefined;
    }
    if (a2 !== undefined && a2 !== 'inet' && a2 !== 'inet6') {
      r.error(line, `(${group}): fwmark '${a1 ?? ''}' family ${a2} unknown - ignoring`);
      return undefined;
    }
    return a2 ? { kind: 'fwmark', fwmark, family: a2 } : { kind: 'fwmark', fwmark };
  }
  const range = parseRange(a0, line, r);
  if (range === null) return undefined;
  const port = a1 === undefined || !range ? 0 : parseUnsigned(a1, 1, 65535, r.numbers(line));
  if (!range || port === undefined) {
    r.error(line, `Invalid virtual server group IP address ${a0} ${a1 === undefined ? '' : `/port/${a1}`} - skipping`);
    return undefined;
  }
  return { kind: 'range', ...range, port };
}

/**
 * `A.B.C.D`, `A.B.C.D-E`, `x:y::z`, `x:y::z-w`; `A.B.C.D/N` is taken as the whole prefix.
 * undefined: not an address (the caller reports it); null: already reported and skipped.
 */
function parseRange(text: string, line: ConfigLine, r: LvsReporter): { first: string; last: string; family: AddressFamily } | undefined | null {
  const slash = text.indexOf('/');
  const dash = text.indexOf('-');
  const head = dash >= 0 ? text.slice(0, dash) : slash >= 0 ? text.slice(0, slash) : text;
  const ip = parseIp(head);
  if (!ip) return undefined;
  const family: AddressFamily = ip.family === 4 ? 'inet' : 'inet6';
  if (dash < 0) return { first: ip.text, last: ip.text, family };
  const tail = text.slice(dash + 1);
  const m = ip.family === 4 ? /^\d+/.exec(tail) : /^[0-9a-fA-F]+/.exec(tail);
  if (!m) return undefined;
  const extra = tail.slice(m[0].length);
  if (extra !== '') {
    r.error(line, `Virtual server group range '${text}' has extra characters at end '${extra}'`);
    // keepalived keeps a range whose junk starts with '.', and skips the others.
    if (!extra.startsWith('.')) return null;
  }
  const end = parseInt(m[0], ip.family === 4 ? 10 : 16);
  if (end > (ip.family === 4 ? 255 : 0xffff)) {
    r.error(line, `Virtual server group range '${text}' end '${m[0]}' too large`);
    return null;
  }
  const bytes = ip.bytes;
  const start = ip.family === 4 ? bytes[3] ?? 0 : ((bytes[14] ?? 0) << 8) | (bytes[15] ?? 0);
  if (end <= start) {
    r.error(line, `Address range end is not greater than address range start - ${text} - skipping`);
    return null;
  }
  const sep = ip.family === 4 ? '.' : ':';
  const last = ip.text.slice(0, ip.text.lastIndexOf(sep) + 1) + (ip.family === 4 ? String(end) : end.toString(16));
  return { first: ip.text, last, family };
}
