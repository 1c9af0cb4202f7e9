/**
 * virtual_server_group NAME { IP [PORT] | IP-LAST [PORT] | fwmark N [inet|inet6] ... }: the
 * entries are raw lines (not keywords), as keepalived reads them.
 */
import type { ConfigLine, ConfigNode } from '../../ast.js';
import { parseIp } from '../../syntax/ip.js';
import type { AddressFamily, VirtualServerGroup, VirtualServerGroupEntry } from '../../model/lvs.js';
import { parseUnsigned, UINT_MAX } from './parse/numbers.js';
import type { LvsReporter } from './report.js';

export function parseVsGroup(node: ConfigNode, r: LvsReporter): VirtualServerGroup | undefined {
  const name = node.args[0] ?? '';
  const entries: VirtualServerGroupEntry[] = [];
  for (const line of node.lines ?? []) {
    const e = parseEntry(line, r);
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

function parseEntry(line: ConfigLine, r: LvsReporter): VirtualServerGroupEntry | undefined {
  const [a0 = '', a1, a2] = line.tokens;
  if (a0 === 'fwmark') {
    const fwmark = parseUnsigned(a1 ?? '', 0, UINT_MAX, r.numbers(line));
    if (fwmark === undefined) return undefined;
    const family: AddressFamily | undefined = a2 === 'inet' || a2 === 'inet6' ? a2 : undefined;
    return family ? { kind: 'fwmark', fwmark, family } : { kind: 'fwmark', fwmark };
  }
  const port = a1 === undefined ? 0 : parseUnsigned(a1, 0, 65535, () => undefined);
  const range = parseRange(a0, line, r);
  if (!range || port === undefined) {
    r.error(line, `Invalid virtual server group IP address ${a0} ${a1 === undefined ? '' : `/port/${a1}`} - skipping`);
    return undefined;
  }
  return { kind: 'range', ...range, port };
}

/** `A.B.C.D`, `A.B.C.D-E`, `x:y::z`, `x:y::z-w`; `A.B.C.D/N` is taken as the whole prefix. */
function parseRange(text: string, line: ConfigLine, r: LvsReporter): { first: string; last: string; family: AddressFamily } | undefined {
  const slash = text.indexOf('/');
  const dash = text.indexOf('-');
  const head = dash >= 0 ? text.slice(0, dash) : slash >= 0 ? text.slice(0, slash) : text;
  const ip = parseIp(head);
  if (!ip) return undefined;
  const family: AddressFamily = ip.family === 4 ? 'inet' : 'inet6';
  if (dash < 0) return { first: ip.text, last: ip.text, family };
  const tail = text.slice(dash + 1);
  const m = ip.family === 4 ? /^\d{1,3}/.exec(tail) : /^[0-9a-fA-F]{1,4}/.exec(tail);
  if (!m) return undefined;
  if (m[0].length !== tail.length) {
    r.error(line, `Virtual server group range '${text}' has extra characters at end '${tail.slice(m[0].length)}'`);
  }
  const sep = ip.family === 4 ? '.' : ':';
  const last = ip.text.slice(0, ip.text.lastIndexOf(sep) + 1) + m[0];
  return { first: ip.text, last, family };
}
