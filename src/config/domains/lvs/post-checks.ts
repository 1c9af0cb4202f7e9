/**
 * The checks keepalived 2.2.7 runs on each virtual server after parsing, in its order, with its
 * messages (printed without a location), and the defaults they apply:
 * no real servers -> protocol -> ha_suspend/ops -> zero port -> scheduler -> per real server
 * (forwarding method default, sorry server inhibit, duplicates) -> quorum -> hysteresis -> ports.
 */
import { ConfigErrorClass } from '../../diagnostics.js';
import type { VirtualServerGroup } from '../../model/lvs.js';
import type { RealServerDraft, VirtualServerDraft } from './draft.js';
import { formatEndpoint, formatVirtualServer, type LvsReporter, type ProtocolName } from './report.js';

function protocolName(vs: VirtualServerDraft): ProtocolName {
  return vs.parts.kind === 'fwmark' ? 'none' : vs.protocol ?? 'none';
}

export function vsName(vs: VirtualServerDraft): string {
  return formatVirtualServer(vs.parts, protocolName(vs));
}

export function rsName(vs: VirtualServerDraft, rs: { readonly address: string; readonly port: number }): string {
  return formatEndpoint(rs.address, protocolName(vs), rs.port);
}

/** Runs the checks; false when the virtual server is dropped. */
export function checkVirtualServer(vs: VirtualServerDraft, r: LvsReporter, group?: VirtualServerGroup): boolean {
  const groupHasOnlyFwmarks = group !== undefined && group.entries.every((e) => e.kind === 'fwmark');
  const post = (m: string, cls = ConfigErrorClass.GeneralError): void => r.post(vs.span, m, cls);
  if (vs.realServers.length === 0) {
    post(`Virtual server ${vsName(vs)} has no real servers - ignoring`);
    return false;
  }
  if (vs.haSuspend && vs.parts.kind === 'fwmark') {
    post(`Virtual server ${vsName(vs)}: cannot use ha_suspend with fwmarks - clearing ha_suspend`);
    vs.haSuspend = false;
  }
  checkProtocol(vs, post, groupHasOnlyFwmarks);
  if (vs.ops && vs.parts.kind !== 'fwmark' && vs.protocol !== 'udp') {
    post(`Virtual server ${vsName(vs)}: one packet scheduling requires UDP - resetting`);
    vs.ops = false;
  }
  const zeroPort = vs.parts.kind === 'address' ? vs.parts.port === 0 : group?.entries.some((e) => e.kind === 'range' && e.port === 0) ?? false;
  if (zeroPort && vs.persistenceTimeoutS === undefined) {
    post(`Virtual server ${vsName(vs)}: zero port only valid for persistent services - setting`);
    vs.persistenceTimeoutS = 360;
  }
  if (vs.scheduler === undefined) {
    post(`Virtual server ${vsName(vs)}: no scheduler set, setting default 'wlc'`);
    vs.scheduler = 'wlc';
  }
  checkRealServers(vs, post);
  if (!vs.forwarding && vs.sorryServer && !vs.sorryServer.forwarding) {
    post(`Virtual server ${vsName(vs)}: no forwarding method set, setting default NAT`);
  }
  vs.forwarding ??= { method: 'NAT' };
  checkQuorum(vs, post);
  // Ports only matter when the real servers are reached without NAT (DR, TUN).
  if (group) {
    if (vs.forwarding.method !== 'NAT') checkGroupPorts(vs, group, post);
  } else checkPorts(vs, post);
  return true;
}

type Post = (m: string, cls?: ConfigErrorClass) => void;

function checkProtocol(vs: VirtualServerDraft, post: Post, groupHasOnlyFwmarks: boolean): void {
  const fwmarkOnly = vs.parts.kind === 'fwmark' || (vs.parts.kind === 'group' && groupHasOnlyFwmarks);
  if (fwmarkOnly) {
    if (vs.protocol !== undefined) {
      post(`Warning: Virtual server ${vsName(vs)}: protocol specified for fwmark - protocol will be ignored`, ConfigErrorClass.Warning);
      delete vs.protocol;
    }
    return;
  }
  if (vs.protocol === undefined) {
    post(`Virtual server ${vsName(vs)}: no protocol set - defaulting to UDP`);
    vs.protocol = 'udp';
  }
}

function rsInhibit(vs: VirtualServerDraft, rs: RealServerDraft): boolean {
  return rs.inhibitOnFailure ?? vs.inhibitOnFailure;
}

/**
 * keepalived's walk over the real servers, one at a time: the service's forwarding method defaults
 * to NAT at the first real server without its own; a real server matching the sorry server gives it
 * its inhibit setting; later duplicates of this real server are removed.
 */
function checkRealServers(vs: VirtualServerDraft, post: Post): void {
  const s = vs.sorryServer;
  for (let i = 0; i < vs.realServers.length; i++) {
    const rs = vs.realServers[i];
    if (!rs) continue;
    if (!rs.forwarding && !vs.forwarding) {
      post(`Virtual server ${vsName(vs)}: no forwarding method set, setting default NAT`);
      vs.forwarding = { method: 'NAT' };
    }
    if (s && rs.address === s.address && rs.port === s.port && rsInhibit(vs, rs) !== s.inhibit) {
      const want = rsInhibit(vs, rs);
      post(`Virtual server ${vsName(vs)}: real server ${rsName(vs, rs)} matches sorry server, but inhibit setting differs, ${want ? 'setting' : 'clearing'} on sorry server`);
      s.inhibit = want;
    }
    for (let j = i + 1; j < vs.realServers.length; j++) {
      const other = vs.realServers[j];
      if (!other || other.address !== rs.address || other.port !== rs.port) continue;
      post(`VS ${vsName(vs)}: real server ${rsName(vs, other)} is duplicated - removing second rs`);
      vs.realServers.splice(j--, 1);
    }
  }
}

const UINT_MAX = 4294967295;

function checkQuorum(vs: VirtualServerDraft, post: Post): void {
  const total = vs.realServers.reduce((sum, rs) => sum + rs.weight, 0);
  if (vs.quorum > total) {
    post(`Warning - quorum ${vs.quorum} for ${vsName(vs)} exceeds total weight of real servers ${total}, reducing quorum to ${total}`, ConfigErrorClass.Warning);
    vs.quorum = total;
  }
  if (vs.hysteresis >= vs.quorum) {
    const h = vs.quorum === 0 ? UINT_MAX : vs.quorum - 1;
    post(`Virtual server ${vsName(vs)}: hysteresis ${vs.hysteresis} >= quorum ${vs.quorum}; setting hysteresis to ${h}`);
    vs.hysteresis = h;
  }
}

/** The forwarding method that applies to a real server (its own, else the service's). */
function methodOf(vs: VirtualServerDraft, own: { readonly forwarding?: { readonly method: string } }): string {
  return own.forwarding?.method ?? vs.forwarding?.method ?? 'NAT';
}

function checkPorts(vs: VirtualServerDraft, post: Post): void {
  const name = vsName(vs);
  if (vs.parts.kind === 'fwmark') {
    for (const rs of vs.realServers) {
      if (rs.port === 0 || methodOf(vs, rs) === 'NAT') continue;
      post(`WARNING - fwmark virtual server ${name}, real server ${rsName(vs, rs)} has port specified - clearing`, ConfigErrorClass.Warning);
      rs.port = 0;
    }
    if (vs.sorryServer && vs.sorryServer.port !== 0 && methodOf(vs, vs.sorryServer) !== 'NAT') {
      post(`WARNING - virtual server ${name}, sorry server has port specified - clearing`, ConfigErrorClass.Warning);
      vs.sorryServer.port = 0;
    }
    return;
  }
  if (vs.parts.kind !== 'address') return;
  const vsPort = vs.parts.port ?? 0;
  for (const rs of vs.realServers) {
    if (rs.port === 0) rs.port = vsPort;
    if (rs.port === vsPort || methodOf(vs, rs) === 'NAT') continue;
    post(`WARNING - virtual server ${name} and real server ${rsName(vs, rs)} ports don't match - resetting`, ConfigErrorClass.Warning);
    rs.port = vsPort;
  }
  const s = vs.sorryServer;
  if (s && s.port === 0) s.port = vsPort;
  if (s && s.port !== vsPort && methodOf(vs, s) !== 'NAT') {
    post(`WARNING - virtual server ${name} and sorry server ports don't match - resetting`, ConfigErrorClass.Warning);
    s.port = vsPort;
  }
}

/**
 * Services on a virtual_server_group: ports are not reset (each group entry has its own), keepalived
 * only warns, entry by entry; fwmark entries ignore the real and sorry server ports.
 */
function checkGroupPorts(vs: VirtualServerDraft, group: VirtualServerGroup, post: Post): void {
  const name = vsName(vs);
  const sorryPort = vs.sorryServer?.port ?? 0;
  if (group.entries.some((e) => e.kind === 'fwmark')) {
    for (const rs of vs.realServers) {
      if (rs.port !== 0) post(`WARNING - fwmark virtual server ${name}, real server ${rsName(vs, rs)} has port specified - port will be ignored`, ConfigErrorClass.Warning);
    }
    if (sorryPort !== 0) post(`WARNING - fwmark virtual server ${name}, sorry server has port specified - port will be ignored`, ConfigErrorClass.Warning);
  }
  const ranges = group.entries.filter((e) => e.kind === 'range');
  if (ranges.length === 0) return;
  for (const e of ranges) {
    const entry = e.first === e.last ? e.first : `${e.first}-${e.last}`;
    for (const rs of vs.realServers) {
      if (rs.port === 0 || rs.port === e.port) continue;
      post(`virtual server ${name}:[${entry},${e.port}] and real server ${rsName(vs, rs)} ports don't match`, ConfigErrorClass.Warning);
    }
    if (sorryPort !== 0 && sorryPort !== e.port) {
      post(`WARNING - virtual server ${name}, sorry server has port specified - port will be ignored`, ConfigErrorClass.Warning);
    }
  }
}
