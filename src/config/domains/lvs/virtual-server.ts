/**
 * The virtual_server block: its header (IP [PORT] | fwmark N | group NAME) and its keywords,
 * read in file order with keepalived 2.2.7's messages.
 */
import type { ConfigNode } from '../../ast.js';
import { parseIp } from '../../syntax/ip.js';
import type { AddressFamily, LvsProtocol } from '../../model/lvs.js';
import type { VirtualServerDraft } from './draft.js';
import { isTunnel, parseForwarding, SCHEDULERS } from './forwarding.js';
import { INT_MAX, parsePort, parseUnsigned, UINT_MAX } from '../../syntax/numbers.js';
import { parseRealServer, parseSorryServer } from './real-server.js';
import { missingParameter, type LvsReporter, type VsNameParts } from './report.js';
import { readScript, type LvsScripts } from './scripts.js';
import { applyTimingKeyword, readOptionalFlag } from './timing.js';

export interface VsParseState {
  readonly r: LvsReporter;
  readonly scripts: LvsScripts;
  /** How many services already named each group (for the `[group]:N` names). */
  readonly groupUses: Map<string, number>;
  /** bfd_instance names (the checker pass reads those blocks too). */
  readonly bfdNames: ReadonlySet<string>;
  /** track_file names that have a file. */
  readonly trackFiles: ReadonlySet<string>;
}

/** Parses the header; undefined (after keepalived's message) when the service is skipped. */
function parseHeader(node: ConfigNode, st: VsParseState): VsNameParts | undefined {
  const [a0 = '', a1, a2] = node.args;
  if (a0 === 'fwmark') {
    const fwmark = parseUnsigned(a1 ?? '', 0, UINT_MAX, st.r.numbers(node));
    if (fwmark === undefined) {
      st.r.error(node, `virtual server fwmark '${a1 ?? ''}' must be in [0, 4294967295] - ignoring`);
      return undefined;
    }
    const family = a2 === 'inet' || a2 === 'inet6' ? a2 : undefined;
    return family ? { kind: 'fwmark', fwmark, family } : { kind: 'fwmark', fwmark };
  }
  if (a0 === 'group') {
    const group = a1 ?? '';
    const groupIndex = st.groupUses.get(group) ?? 0;
    st.groupUses.set(group, groupIndex + 1);
    return { kind: 'group', group, groupIndex };
  }
  const ip = parseIp(a0);
  const port = a1 === undefined ? 0 : parsePort(a1, ip ? st.r.numbers(node) : () => undefined);
  if (!ip || port === undefined) {
    st.r.error(node, a1 === undefined ? `Invalid virtual server IP address ${a0} - skipping` : `Invalid virtual server IP address/port ${a0}/${a1} - skipping`);
    return undefined;
  }
  return { kind: 'address', address: ip.text, port, family: ip.family === 4 ? 'inet' : 'inet6' };
}

export function parseVirtualServer(node: ConfigNode, st: VsParseState): VirtualServerDraft | undefined {
  const parts = parseHeader(node, st);
  if (!parts) return undefined;
  const vs: VirtualServerDraft = {
    parts,
    schedulerFlags: [],
    quorum: 1,
    hysteresis: 0,
    defaultWeight: 1,
    inhibitOnFailure: false,
    omega: false,
    haSuspend: false,
    ops: false,
    timing: {},
    realServers: [],
    span: node.span,
  };
  if (parts.family) vs.family = parts.family;
  for (const c of node.children ?? []) applyVsKeyword(c, vs, st);
  checkSorryFamily(node, vs, st.r);
  return vs;
}

/** At the end of the block: a sorry server of another family than the service is dropped. */
function checkSorryFamily(node: ConfigNode, vs: VirtualServerDraft, r: LvsReporter): void {
  const s = vs.sorryServer;
  const family = vs.parts.kind === 'address' ? vs.parts.family : vs.family;
  if (!s || !family || s.family === family) return;
  if (isTunnel(s.forwarding ?? vs.forwarding, true)) return;
  r.atBlockEnd(node, `Address family of virtual server and sorry server ${s.address} don't match - skipping sorry server.`);
  delete vs.sorryServer;
}

const PROTOCOLS: Readonly<Record<string, LvsProtocol>> = { tcp: 'tcp', udp: 'udp', sctp: 'sctp' };

function applyVsKeyword(c: ConfigNode, vs: VirtualServerDraft, st: VsParseState): void {
  const r = st.r;
  if (missingParameter(c, r, 'virtual_server')) return;
  if (applyTimingKeyword(c, vs.timing, 'vs', r)) return;
  const a0 = c.args[0] ?? '';
  switch (c.keyword) {
    case 'real_server': {
      const rs = parseRealServer(c, vs, st);
      if (rs) vs.realServers.push(rs);
      return;
    }
    case 'lb_algo':
    case 'lvs_sched':
      if (SCHEDULERS.has(a0)) vs.scheduler = a0;
      else r.error(c, `Invalid lvs_scheduler '${a0}' - ignoring`);
      return;
    case 'lb_kind':
    case 'lvs_method': {
      const f = parseForwarding(c, c.args, 'virtual', r);
      if (f) vs.forwarding = f;
      return;
    }
    case 'protocol': {
      const p = PROTOCOLS[a0.toLowerCase()];
      if (p) vs.protocol = p;
      else r.error(c, `Unknown protocol ${a0} - ignoring`);
      return;
    }
    case 'quorum': {
      const v = parseUnsigned(a0, 1, UINT_MAX, r.numbers(c));
      if (v === undefined) r.error(c, `Quorum ${a0} must be in [1, 4294967295]. Setting to 1.`);
      vs.quorum = v ?? 1;
      return;
    }
    case 'hysteresis': {
      const v = parseUnsigned(a0, 0, UINT_MAX, r.numbers(c));
      if (v === undefined) r.error(c, `Hysteresis ${a0} must be in [0, 4294967295] - ignoring`);
      else vs.hysteresis = v;
      return;
    }
    case 'persistence_timeout':
      applyPersistenceTimeout(c, vs, r);
      return;
    case 'weight': {
      const v = parseUnsigned(a0, 1, INT_MAX, r.numbers(c));
      if (v === undefined) r.error(c, `Virtual server weight ${a0} is outside range 1-${INT_MAX}`);
      else vs.defaultWeight = v;
      return;
    }
    case 'persistence_granularity':
      applyGranularity(c, vs, r);
      return;
    case 'snmp_name':
      if (c.args.length !== 1) r.error(c, 'virtual server snmp_name missing or extra parameters');
      return;
    case 'persistence_engine':
      vs.persistenceEngine = a0;
      return;
    default:
      applyVsFlagKeyword(c, vs, st);
  }
}

function applyPersistenceTimeout(c: ConfigNode, vs: VirtualServerDraft, r: LvsReporter): void {
  const tok = c.args[0];
  if (tok === undefined) {
    vs.persistenceTimeoutS = 360;
    return;
  }
  const v = parseUnsigned(tok, 1, 2678400, r.numbers(c));
  if (v === undefined) r.error(c, 'persistence_timeout invalid');
  else vs.persistenceTimeoutS = v;
}

const SCHED_FLAGS: ReadonlySet<string> = new Set(['hashed', 'flag-1', 'flag-2', 'flag-3', 'sh-port', 'sh-fallback', 'mh-port', 'mh-fallback']);

function applyVsFlagKeyword(c: ConfigNode, vs: VirtualServerDraft, st: VsParseState): void {
  const r = st.r;
  const a0 = c.args[0];
  if (SCHED_FLAGS.has(c.keyword)) {
    // keepalived accepts the sh-/mh- flags (and hashed) with either hashing scheduler.
    const hashing = vs.scheduler === 'sh' || vs.scheduler === 'mh';
    if (!c.keyword.startsWith('flag-') && !hashing) r.error(c, `${c.keyword} only applies to sh scheduler - ignoring`);
    else vs.schedulerFlags.push(c.keyword);
    return;
  }
  switch (c.keyword) {
    case 'sorry_server': {
      const s = parseSorryServer(c, r);
      if (s) vs.sorryServer = s;
      return;
    }
    case 'sorry_server_inhibit': {
      if (!vs.sorryServer) r.error(c, 'Ignoring sorry_server inhibit used before or without sorry_server');
      else vs.sorryServer.inhibit = true;
      return;
    }
    case 'sorry_server_lvs_method': {
      if (!vs.sorryServer) {
        r.error(c, 'sorry_server forwarding used without sorry_server');
        return;
      }
      const f = parseForwarding(c, c.args, 'sorry', r);
      if (f) vs.sorryServer.forwarding = f;
      return;
    }
    case 'inhibit_on_failure':
      vs.inhibitOnFailure = true;
      return;
    case 'omega':
      vs.omega = true;
      return;
    case 'ha_suspend':
      vs.haSuspend = true;
      return;
    case 'ops':
      vs.ops = true;
      return;
    case 'smtp_alert': {
      const v = readOptionalFlag(c, r, (p) => `Invalid virtual_server smtp_alert parameter ${p}`);
      if (v !== undefined) vs.smtpAlert = v;
      return;
    }
    case 'virtualhost':
      if (a0 === undefined) r.error(c, 'virtual server virtualhost missing');
      else vs.virtualhost = a0;
      return;
    case 'ip_family':
      applyIpFamily(c, vs, r);
      return;
    case 'quorum_up':
    case 'quorum_down': {
      const which = c.keyword === 'quorum_up' ? 'quorumUp' : 'quorumDown';
      const s = readScript(c, st.scripts, 'quorum');
      if (s) vs[which] = s;
      return;
    }
    default:
      return;
  }
}

/** An IPv4 netmask as inet_aton(3) reads it ("255.255.255.0", "0", "65536"); undefined when invalid. */
export function parseInetAton(text: string): string | undefined {
  const parts = text.split('.');
  if (parts.length > 4) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    const m = /^(0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)$/.exec(p);
    if (!m) return undefined;
    const n = /^0[xX]/.test(p) ? parseInt(p.slice(2) || '0', 16) : /^0/.test(p) ? parseInt(p, 8) : parseInt(p, 10);
    nums.push(n);
  }
  const last = nums.pop() ?? 0;
  if (nums.some((n) => n > 255) || last >= 2 ** (8 * (4 - nums.length))) return undefined;
  let v = last;
  nums.forEach((n, i) => (v += n * 2 ** (8 * (3 - i))));
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

function applyGranularity(c: ConfigNode, vs: VirtualServerDraft, r: LvsReporter): void {
  const a0 = c.args[0] ?? '';
  const family = vs.parts.kind === 'address' ? vs.parts.family : vs.family;
  if (family === 'inet6') {
    const len = parseUnsigned(a0, 1, 128, () => undefined);
    if (len === undefined) r.error(c, `Invalid IPv6 persistence_granularity specified - ${a0}`);
    else vs.persistenceGranularity = String(len);
    return;
  }
  const mask = parseInetAton(a0);
  if (mask === undefined) r.error(c, `Invalid IPv4 persistence_granularity specified - ${a0}`);
  else vs.persistenceGranularity = mask;
}

function applyIpFamily(c: ConfigNode, vs: VirtualServerDraft, r: LvsReporter): void {
  const a0 = c.args[0] ?? '';
  const fam: AddressFamily | undefined = a0 === 'inet' ? 'inet' : a0 === 'inet6' ? 'inet6' : undefined;
  if (!fam) {
    r.error(c, `unknown address family ${a0}`);
    return;
  }
  if (vs.family && vs.family !== fam) r.error(c, `Virtual server specified family ${a0} conflicts with server family`);
  else vs.family = fam;
}
