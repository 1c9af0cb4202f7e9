/**
 * What every network checker accepts: connect_ip, connect_port, bindto, bind_port, bind_if,
 * fwmark, the timing keywords and log_all_failures, with keepalived 2.2.7's messages.
 */
import type { ConfigNode } from '../../../ast.js';
import { parseIp } from '../../../syntax/ip.js';
import type { CheckerDraft, ResolvedTiming } from '../draft.js';
import { parseUnsigned, UINT_MAX } from '../../../syntax/numbers.js';
import { missingParameter, type LvsReporter } from '../report.js';
import { applyTimingKeyword, readOptionalFlag } from '../timing.js';

const IFNAMSIZ = 16;

/** A draft with the common state; `finish` is filled in by the checker module. */
export function newDraft(type: CheckerDraft['type'], node: ConfigNode, finish: (t: ResolvedTiming) => ReturnType<CheckerDraft['finish']>): CheckerDraft {
  return { type, span: node.span, timing: {}, logAllFailures: false, connection: {}, finish };
}

/** Applies a common keyword; false when `c` is not one. */
export function applyCommonKeyword(c: ConfigNode, d: CheckerDraft, r: LvsReporter): boolean {
  if (missingParameter(c, r, d.type)) return true;
  if (applyTimingKeyword(c, d.timing, 'checker', r)) return true;
  const a0 = c.args[0] ?? '';
  switch (c.keyword) {
    case 'log_all_failures': {
      const v = readOptionalFlag(c, r, (p) => `Invalid log_all_failures parameter ${p}`);
      if (v !== undefined) d.logAllFailures = v;
      return true;
    }
    case 'connect_ip':
    case 'bindto':
      applyAddress(c, d, r);
      return true;
    case 'connect_port':
    case 'bind_port': {
      const v = parseUnsigned(a0, 1, 65535, r.numbers(c));
      if (v === undefined) r.error(c, `Invalid checker ${c.keyword} '${a0}'`);
      else if (c.keyword === 'connect_port') d.connection.connectPort = v;
      else d.connection.bindPort = v;
      return true;
    }
    case 'bind_if':
      if (a0.length >= IFNAMSIZ) r.error(c, `Interface name ${a0} is too long - ignoring`);
      else d.connection.bindIf = a0;
      return true;
    case 'fwmark': {
      const v = parseUnsigned(a0, 0, UINT_MAX, r.numbers(c));
      if (v === undefined) r.error(c, `Invalid fwmark connection value '${a0}'`);
      else d.connection.fwmark = v;
      return true;
    }
    default:
      return false;
  }
}

function applyAddress(c: ConfigNode, d: CheckerDraft, r: LvsReporter): void {
  const a0 = c.args[0] ?? '';
  const ip = parseIp(a0);
  const isConnect = c.keyword === 'connect_ip';
  if (!ip) {
    r.error(c, isConnect ? `Invalid connect_ip address ${a0} - ignoring` : `Invalid bindto address ${a0} - ignoring`);
    return;
  }
  const family = ip.family === 4 ? 'inet' : 'inet6';
  const other = isConnect ? d.connection.bindTo : d.connection.connectIp;
  // SMTP_CHECK does not default its connect_ip to the real server's address.
  const defaultFamily = isConnect || d.type === 'SMTP_CHECK' ? undefined : r.rsFamily;
  const otherFamily = other !== undefined ? (parseIp(other)?.family === 4 ? 'inet' : 'inet6') : defaultFamily;
  if (otherFamily !== undefined && otherFamily !== family) {
    r.error(
      c,
      isConnect
        ? `connect_ip address ${a0} does not match address family of bindto - skipping`
        : `bindto address ${a0} does not match address family of connect_ip - skipping`,
    );
    return;
  }
  if (isConnect) d.connection.connectIp = ip.text;
  else d.connection.bindTo = ip.text;
}

/** A copy of the connection settings without undefined members. */
export function connectionOf(d: CheckerDraft): CheckerDraft['connection'] {
  const out: CheckerDraft['connection'] = {};
  for (const [k, v] of Object.entries(d.connection)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
