/**
 * real_server blocks and the sorry_server line.
 */
import type { ConfigNode } from '../../ast.js';
import { parseIp } from '../../syntax/ip.js';
import { parseChecker } from './checkers/index.js';
import type { RealServerDraft, SorryServerDraft, VirtualServerDraft } from './draft.js';
import { isTunnel, parseForwarding } from './forwarding.js';
import { INT_MAX, parsePort, parseUnsigned } from '../../syntax/numbers.js';
import { missingParameter, type LvsReporter } from './report.js';
import { readScript } from './scripts.js';
import { applyTimingKeyword, readOptionalFlag } from './timing.js';
import type { VsParseState } from './virtual-server.js';

export function parseRealServer(node: ConfigNode, vs: VirtualServerDraft, st: VsParseState): RealServerDraft | undefined {
  const r = st.r;
  const [a0 = '', a1] = node.args;
  const ip = parseIp(a0);
  const port = a1 === undefined ? 0 : parsePort(a1, r.numbers(node));
  if (!ip || port === undefined) {
    r.error(node, `Invalid real server ip address/port ${a0}/${a1 ?? '(null)'} - skipping`);
    return undefined;
  }
  const family = ip.family === 4 ? 'inet' : 'inet6';
  const rs: RealServerDraft = { address: ip.text, family, port, weight: vs.defaultWeight, timing: {}, checkers: [], span: node.span };
  r.rsFamily = family;
  for (const c of node.children ?? []) applyRsKeyword(c, rs, vs, st);
  r.rsFamily = undefined;
  const vsFamily = vs.parts.kind === 'address' ? vs.parts.family : vs.family;
  // Checked at the end of the block. IPVS tunnels may cross address families.
  const tunnel = isTunnel(rs.forwarding ?? vs.forwarding);
  // A fwmark service without ip_family takes the family of its first (non-tunnelled) real server.
  if (!vsFamily && vs.parts.kind === 'fwmark' && !tunnel) vs.family = family;
  if (vsFamily && vsFamily !== family && !tunnel) {
    r.atBlockEnd(node, `Address family of virtual server and real server ${a0} don't match - skipping real server.`);
    return undefined;
  }
  return rs;
}

function applyRsKeyword(c: ConfigNode, rs: RealServerDraft, vs: VirtualServerDraft, st: VsParseState): void {
  const r = st.r;
  if (missingParameter(c, r, 'real_server')) return;
  if (applyTimingKeyword(c, rs.timing, 'rs', r)) return;
  const checker = parseChecker(c, rs, vs, st);
  if (checker !== null) {
    if (checker) rs.checkers.push(checker);
    return;
  }
  const a0 = c.args[0] ?? '';
  switch (c.keyword) {
    case 'weight': {
      const v = parseUnsigned(a0, 0, INT_MAX, r.numbers(c));
      if (v === undefined) r.error(c, `Real server weight ${a0} is outside range 0-${INT_MAX}`);
      else rs.weight = v;
      return;
    }
    case 'lvs_method': {
      const f = parseForwarding(c, c.args, 'real', r);
      if (f) rs.forwarding = f;
      return;
    }
    case 'inhibit_on_failure': {
      const v = readOptionalFlag(c, r, (p) => `Invalid inhibit_on_failure parameter ${p}`);
      if (v !== undefined) rs.inhibitOnFailure = v;
      return;
    }
    case 'smtp_alert': {
      const v = readOptionalFlag(c, r, (p) => `Invalid real_server smtp_alert parameter ${p}`);
      if (v !== undefined) rs.smtpAlert = v;
      return;
    }
    case 'uthreshold':
    case 'lthreshold': {
      const v = parseUnsigned(a0, 0, UINT32_MAX, r.numbers(c));
      if (v === undefined) r.error(c, `Invalid real_server ${c.keyword} '${a0}' - ignoring`);
      else if (c.keyword === 'uthreshold') rs.upperThreshold = v;
      else rs.lowerThreshold = v;
      return;
    }
    case 'snmp_name':
      if (c.args.length !== 1) r.error(c, 'real server snmp_name missing or extra parameters');
      return;
    case 'virtualhost':
      if (c.args[0] === undefined) r.error(c, 'real server virtualhost missing');
      else rs.virtualhost = a0;
      return;
    case 'notify_up':
    case 'notify_down': {
      const s = readScript(c, st.scripts, 'notify');
      if (s) rs[c.keyword === 'notify_up' ? 'notifyUp' : 'notifyDown'] = s;
      return;
    }
    default:
      return;
  }
}

const UINT32_MAX = 4294967295;

export function parseSorryServer(node: ConfigNode, r: LvsReporter): SorryServerDraft | undefined {
  const [a0 = '', a1] = node.args;
  const ip = parseIp(a0);
  const port = a1 === undefined ? 0 : parsePort(a1, r.numbers(node));
  if (!ip || port === undefined) {
    r.error(node, `Invalid sorry server IP address ${a0} - skipping`);
    return undefined;
  }
  return { address: ip.text, family: ip.family === 4 ? 'inet' : 'inet6', port, inhibit: false };
}
