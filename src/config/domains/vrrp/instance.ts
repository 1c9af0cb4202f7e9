/**
 * One vrrp_instance block -> a draft instance, with keepalived 2.2.7's parse-time messages.
 * Post-parse checks (interfaces, VIPs, VRIDs, trackers) live in post-checks.ts.
 */
import type { ConfigNode } from '../../ast.js';
import type { ValidationContext } from '../../domain.js';
import type { TrackerRef, UnicastPeer, VirtualAddress } from '../../model/vrrp.js';
import { parseScriptCommand, resolveUser, type ScriptContext } from '../../scripts.js';
import { parseAddressLine } from '../../syntax/address.js';
import { parseIp, parseIpPrefix } from '../../syntax/ip.js';
import { readDouble, readUnsigned } from '../../syntax/numbers.js';
import { err, take, warn } from '../global/read.js';
import { ConfigErrorClass } from '../../diagnostics.js';
import { blockEnd } from './trackers.js';

export interface InstanceDraft {
  name: string;
  span: ConfigNode['span'];
  interface?: string;
  interfaceSpan?: ConfigNode['span'];
  vrid?: number;
  priority?: number;
  state?: 'MASTER' | 'BACKUP';
  advertIntS: number;
  version?: 2 | 3;
  nopreempt: boolean;
  preemptDelayS: number;
  accept?: boolean;
  strict?: boolean;
  auth?: { type: 'PASS' | 'AH'; password: string };
  vips: VirtualAddress[];
  excludedVips: VirtualAddress[];
  unicastSrcIp?: string;
  unicastPeers: UnicastPeer[];
  unicastKeyword: boolean;
  peerBlock: boolean;
  unicastTtl?: number;
  trackInterfaces: (TrackerRef & { span: ConfigNode['span'] })[];
  trackScripts: (TrackerRef & { span: ConfigNode['span']; weightGiven: boolean })[];
  trackFiles: (TrackerRef & { span: ConfigNode['span'] })[];
  trackProcesses: (TrackerRef & { span: ConfigNode['span'] })[];
  notify: Record<string, { argv: readonly string[]; span: ConfigNode['span']; userWords: readonly string[] }>;
  useVmac: boolean;
  vmacXmitBase: boolean;
  noVip: boolean;
  dontTrackPrimary: boolean;
  raw: Map<string, readonly string[]>;
}

function addresses(node: ConfigNode, ctx: ValidationContext, out: VirtualAddress[]): void {
  for (const line of node.lines ?? []) {
    const r = parseAddressLine(line.tokens);
    for (const m of r.messages) ctx.report(m.kind === 'number' ? ConfigErrorClass.InvalidNumber : ConfigErrorClass.GeneralError, m.text, line.span);
    if (r.address) out.push({ ...r.address, span: line.span });
  }
}

function trackerList(node: ConfigNode, defaultWeight: number): (TrackerRef & { span: ConfigNode['span']; weightGiven: boolean })[] {
  const out: (TrackerRef & { span: ConfigNode['span']; weightGiven: boolean })[] = [];
  for (const line of node.lines ?? []) {
    const [name, ...rest] = line.tokens;
    if (name === undefined) continue;
    let weight = defaultWeight;
    let weightGiven = false;
    let reverse = false;
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === 'weight' && rest[i + 1] !== undefined) { weight = Number.parseInt(rest[i + 1] ?? '0', 10) || 0; weightGiven = true; i++; }
      else if (rest[i] === 'reverse') reverse = true;
    }
    out.push({ name, weight, reverse, span: line.span, weightGiven });
  }
  return out;
}

function peers(node: ConfigNode, d: InstanceDraft, ctx: ValidationContext): void {
  d.peerBlock = true;
  for (const line of node.lines ?? []) {
    const w = line.tokens[0] ?? '';
    const p = parseIpPrefix(w);
    if (!p) {
      ctx.report(ConfigErrorClass.GeneralError, `Configuration error: VRRP instance[${d.name}] malformed unicast peer address[${w}]. Skipping...`, line.span);
      continue;
    }
    d.unicastPeers.push({ address: p.text, family: p.family });
  }
}

type Handler = (c: ConfigNode, d: InstanceDraft, ctx: ValidationContext) => void;

const HANDLERS: Record<string, Handler> = {
  interface: (c, d) => { if (c.args[0] !== undefined) { d.interface = c.args[0]; d.interfaceSpan = c.span; } },
  virtual_router_id: (c, d, ctx) => {
    const v = take(readUnsigned(c.args[0] ?? '', 1, 255), c, ctx);
    if (v === undefined) err(ctx, c, `(${d.name}) VRID '${c.args[0] ?? ''}' not valid - must be between 1 & 255`);
    else d.vrid = v;
  },
  priority: (c, d, ctx) => {
    const v = take(readUnsigned(c.args[0] ?? '', 1, 255), c, ctx);
    if (v === undefined) err(ctx, c, `(${d.name}) Priority not valid! must be between 1 & 255. Using default 100`);
    else d.priority = v;
  },
  state: (c, d, ctx) => {
    const s = c.args[0] ?? '';
    if (s === 'MASTER' || s === 'BACKUP') d.state = s;
    else { err(ctx, c, `(${d.name}) unknown state '${s}', defaulting to BACKUP`); d.state = 'BACKUP'; }
  },
  advert_int: (c, d, ctx) => {
    const a = c.args[0] ?? '';
    const v = take(readDouble(a, 0.01, 255), c, ctx);
    if (v === undefined) err(ctx, c, `(${d.name}) Advert interval (${a}) not valid! Must be > 0 - ignoring`);
    else d.advertIntS = v;
  },
  version: (c, d, ctx) => {
    const v = take(readUnsigned(c.args[0] ?? '', 2, 3), c, ctx);
    if (v === undefined) err(ctx, c, `(${d.name}) Version must be either 2 or 3`);
    else d.version = v === 3 ? 3 : 2;
  },
  nopreempt: (_c, d) => { d.nopreempt = true; },
  preempt: (_c, d) => { d.nopreempt = false; },
  preempt_delay: (c, d, ctx) => {
    const v = take(readDouble(c.args[0] ?? '', 0, 1000), c, ctx);
    if (v !== undefined) d.preemptDelayS = v;
  },
  accept: (_c, d) => { d.accept = true; },
  no_accept: (_c, d) => { d.accept = false; },
  strict_mode: (c, d) => { d.strict = c.args[0] === undefined || ['on', 'true', 'yes'].includes(c.args[0].toLowerCase()); },
  authentication: (c, d, ctx) => {
    let type: 'PASS' | 'AH' | undefined;
    let password = '';
    for (const a of c.children ?? []) {
      if (a.keyword === 'auth_type') {
        const t = a.args[0] ?? '';
        if (t === 'PASS' || t === 'AH') type = t;
        else err(ctx, a, `(${d.name}) unknown authentication type '${t}'`);
      } else if (a.keyword === 'auth_pass') {
        password = a.args.join(' ');
        if (password.length > 8) { err(ctx, a, 'Truncating auth_pass to 8 characters'); password = password.slice(0, 8); }
      }
    }
    if (type) d.auth = { type, password };
  },
  virtual_ipaddress: (c, d, ctx) => addresses(c, ctx, d.vips),
  virtual_ipaddress_excluded: (c, d, ctx) => addresses(c, ctx, d.excludedVips),
  no_virtual_ipaddress: (_c, d) => { d.noVip = true; },
  unicast_src_ip: (c, d, ctx) => {
    const w = c.args[0] ?? '';
    const p = parseIpPrefix(w);
    d.unicastKeyword = true;
    if (!p) err(ctx, c, `Configuration error: VRRP instance[${d.name}] malformed src address[${w}]. Skipping...`);
    else d.unicastSrcIp = p.text;
  },
  mcast_src_ip: (c, d, ctx) => {
    const w = c.args[0] ?? '';
    if (!parseIpPrefix(w)) err(ctx, c, `Configuration error: VRRP instance[${d.name}] malformed src address[${w}]. Skipping...`);
    else d.unicastSrcIp = parseIpPrefix(w)?.text ?? w;
  },
  unicast_peer: (c, d, ctx) => peers(c, d, ctx),
  unicast_ttl: (c, d, ctx) => {
    const v = take(readUnsigned(c.args[0] ?? '', 0, 255), c, ctx);
    if (v !== undefined) d.unicastTtl = v;
  },
  track_interface: (c, d) => { d.trackInterfaces.push(...trackerList(c, 0)); },
  track_script: (c, d) => { d.trackScripts.push(...trackerList(c, 0)); },
  track_file: (c, d) => { d.trackFiles.push(...trackerList(c, 1)); },
  track_process: (c, d) => { d.trackProcesses.push(...trackerList(c, 1)); },
  use_vmac: (_c, d) => { d.useVmac = true; },
  vmac_xmit_base: (_c, d) => { d.vmacXmitBase = true; },
  dont_track_primary: (_c, d) => { d.dontTrackPrimary = true; },
};

for (const k of ['notify_master', 'notify_backup', 'notify_fault', 'notify_stop', 'notify_deleted', 'notify', 'notify_master_rx_lower_pri']) {
  HANDLERS[k] = (c, d) => {
    const cmd = parseScriptCommand(c.args.slice(0, 1));
    if (cmd) d.notify[k] = { argv: cmd.argv, span: c.span, userWords: c.args.slice(1) };
  };
}

export function parseInstance(node: ConfigNode, ctx: ValidationContext, _scripts: ScriptContext): InstanceDraft {
  const d: InstanceDraft = {
    name: node.args[0] ?? '', span: node.span, advertIntS: 1, nopreempt: false, preemptDelayS: 0,
    vips: [], excludedVips: [], unicastPeers: [], unicastKeyword: false, peerBlock: false,
    trackInterfaces: [], trackScripts: [], trackFiles: [], trackProcesses: [], notify: {},
    useVmac: false, vmacXmitBase: false, noVip: false, dontTrackPrimary: false, raw: new Map(),
  };
  for (const c of node.children ?? []) {
    d.raw.set(c.keyword, c.args);
    HANDLERS[c.keyword]?.(c, d, ctx);
  }
  if (d.useVmac && (d.peerBlock || d.unicastKeyword) && !d.vmacXmitBase) {
    warn(ctx, { ...node, span: blockEnd(node) }, `(${d.name}) unicast with use_vmac requires vmac_xmit_base - setting`);
    d.vmacXmitBase = true;
  }
  void resolveUser; void parseIp;
  return d;
}
