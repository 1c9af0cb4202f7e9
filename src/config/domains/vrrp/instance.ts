/**
 * One vrrp_instance block -> a draft instance, with keepalived 2.2.7's parse-time messages.
 * Post-parse checks (interfaces, VIPs, VRIDs, trackers) live in post-checks.ts.
 */
import type { ConfigNode } from '../../ast.js';
import type { ValidationContext } from '../../domain.js';
import type { GarpSettings, ScriptSpec, RouteSpec, RuleSpec, UnicastPeer, VirtualAddress } from '../../model/vrrp.js';
import { parseAddressLine } from '../../syntax/address.js';
import { parseIpPrefix } from '../../syntax/ip.js';
import { parseBoolWord, readDouble, readUnsigned } from '../../syntax/numbers.js';
import { OPTION_HANDLERS } from './instance-options.js';
import { checkAddressInterface, type RouteContext } from './static.js';
import { trackerList, type Known, type TrackerLine } from './trackers.js';
import { err, missingParameter, take, warn } from '../global/read.js';
import { INSTANCE_NEEDS_PARAMETER } from './keywords.js';
import { ConfigErrorClass } from '../../diagnostics.js';
import { blockEnd } from './trackers.js';

export interface InstanceDraft {
  name: string;
  span: ConfigNode['span'];
  endSpan: ConfigNode['span'];
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
  routes: RouteSpec[];
  rules: RuleSpec[];
  unicastSrcIp?: string;
  unicastPeers: (UnicastPeer & { span: ConfigNode['span'] })[];
  unicastKeyword: boolean;
  peerBlock: boolean;
  unicastTtl?: number;
  mcastDstIp?: string;
  trackInterfaces: TrackerLine[];
  trackScripts: TrackerLine[];
  trackFiles: TrackerLine[];
  trackProcesses: TrackerLine[];
  notify: Record<string, { argv: readonly string[]; span: ConfigNode['span']; userWords: readonly string[] }>;
  /** The notify scripts that will run (set by the script checks after the pass). */
  notifyResolved?: Record<string, ScriptSpec>;
  trackBfds: TrackerLine[];
  garp: Partial<{ -readonly [K in keyof GarpSettings]: GarpSettings[K] }>;
  useVmac: boolean;
  vmacName?: string;
  vmacMac?: string;
  vmacXmitBase: boolean;
  lowerPrioNoAdvert?: boolean;
  higherPrioSendAdvert?: boolean;
  downTimerAdverts?: number;
  /** use_ipvlan (a VMAC of ipvlan type), with its own address if given. */
  useIpvlan?: boolean;
  ipvlanAddress?: string;
  vrf?: string;
  smtpAlert?: boolean;
  notifyPriorityChanges?: boolean;
  v3ChecksumAsV2?: boolean;
  skipCheckAdvAddr?: boolean;
  noVip: boolean;
  /** The instance's address family, once known (first VIP, source address or native_ipv6). */
  family?: 4 | 6;
  /** native_ipv6: the instance is IPv6 even before its VIPs say so. */
  nativeIpv6?: boolean;
  dontTrackPrimary: boolean;
  /** An interface named by the instance does not exist (keepalived stops after the pass). */
  missingInterface: boolean;
  raw: Map<string, readonly string[]>;
}

/** What the instance parser shares with the rest of the VRRP pass. */
export interface InstanceParse extends RouteContext {
  /** use_vmac interface names already taken, and by which instance. */
  readonly vmacNames: Map<string, string>;
  /** vrrp_script, track_file and vrrp_track_process blocks defined so far. */
  readonly known: Known;
}

/** VIPs (`d` given) must all be of the instance's family; excluded VIPs may mix. */
function addresses(node: ConfigNode, p: InstanceParse, out: VirtualAddress[], d?: InstanceDraft): void {
  for (const line of node.lines ?? []) {
    const r = parseAddressLine(line.tokens);
    for (const m of r.messages) p.ctx.report(m.kind === 'number' ? ConfigErrorClass.InvalidNumber : ConfigErrorClass.GeneralError, m.text, line.span);
    if (!r.address) continue;
    if (d) {
      if (d.family !== undefined && d.family !== r.address.family) {
        p.ctx.report(ConfigErrorClass.GeneralError, `(${d.name}): address family must match VRRP instance [${line.tokens[0] ?? ''}] - ignoring`, line.span);
        continue;
      }
      d.family = r.address.family;
    }
    const a = { ...r.address, span: line.span };
    checkAddressInterface(a, line, p);
    out.push(a);
  }
}

type Handler = (c: ConfigNode, d: InstanceDraft, ctx: ValidationContext, p: InstanceParse) => void;

const HANDLERS: Record<string, Handler> = {
  interface: (c, d, ctx, p) => {
    const name = c.args[0];
    if (name === undefined) return;
    d.interface = name;
    d.interfaceSpan = c.span;
    if (!p.dynamic && !ctx.env.interfaces().has(name)) {
      err(ctx, c, `WARNING - interface ${name} for vrrp_instance ${d.name} doesn't exist`);
      p.onMissingInterface();
    }
  },
  native_ipv6: (_c, d) => { d.nativeIpv6 = true; d.family ??= 6; },
  virtual_router_id: (c, d, ctx) => {
    const v = take(readUnsigned(c.args[0] ?? '', 1, 255), c, ctx);
    if (v === undefined) err(ctx, c, `(${d.name}): VRID '${c.args[0] ?? ''}' not valid - must be between 1 & 255`);
    else d.vrid = v;
  },
  priority: (c, d, ctx) => {
    const v = take(readUnsigned(c.args[0] ?? '', 1, 255), c, ctx);
    if (v === undefined) err(ctx, c, `(${d.name}) Priority not valid! must be between 1 & 255. Using default 100`);
    d.priority = v ?? 100;
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
    if (v === undefined) err(ctx, c, `(${d.name}): Version must be either 2 or 3`);
    else d.version = v === 3 ? 3 : 2;
  },
  nopreempt: (_c, d) => { d.nopreempt = true; },
  preempt: (_c, d) => { d.nopreempt = false; },
  accept: (_c, d) => { d.accept = true; },
  no_accept: (_c, d) => { d.accept = false; },
  strict_mode: (c, d, ctx) => {
    const v = c.args[0] === undefined ? true : parseBoolWord(c.args[0]);
    if (v === undefined) err(ctx, c, `(${d.name}) invalid strict_mode ${c.args[0] ?? ''} specified`);
    else d.strict = v;
  },
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
  virtual_ipaddress: (c, d, _ctx, p) => addresses(c, p, d.vips, d),
  virtual_ipaddress_excluded: (c, d, _ctx, p) => addresses(c, p, d.excludedVips),
  no_virtual_ipaddress: (_c, d) => { d.noVip = true; },
  unicast_src_ip: (c, d, ctx) => {
    const w = c.args[0] ?? '';
    const p = parseIpPrefix(w);
    d.unicastKeyword = true;
    if (!p) err(ctx, c, `Configuration error: VRRP instance[${d.name}] malformed src address[${w}]. Skipping...`);
    else { d.unicastSrcIp = p.text; d.family ??= p.family; }
  },
  mcast_src_ip: (c, d, ctx) => {
    const w = c.args[0] ?? '';
    const p = parseIpPrefix(w);
    if (!p) err(ctx, c, `Configuration error: VRRP instance[${d.name}] malformed src address[${w}]. Skipping...`);
    else { d.unicastSrcIp = p.text; d.family ??= p.family; }
  },
  track_interface: (c, d, ctx, p) => {
    for (const t of trackerList(c, d.name, 'interface', ctx, p.known, d.trackInterfaces)) {
      d.trackInterfaces.push(t);
      if (p.dynamic || ctx.env.interfaces().has(t.name)) continue;
      ctx.report(ConfigErrorClass.GeneralError, `(${d.name}) tracked interface ${t.name} doesn't exist`, t.span);
      p.onMissingInterface();
    }
  },
  track_script: (c, d, ctx, p) => { d.trackScripts.push(...trackerList(c, d.name, 'script', ctx, p.known, d.trackScripts)); },
  track_file: (c, d, ctx, p) => { d.trackFiles.push(...trackerList(c, d.name, 'file', ctx, p.known, d.trackFiles)); },
  track_process: (c, d, ctx, p) => { d.trackProcesses.push(...trackerList(c, d.name, 'process', ctx, p.known, d.trackProcesses)); },
  vmac_xmit_base: (_c, d) => { d.vmacXmitBase = true; },
  dont_track_primary: (_c, d) => { d.dontTrackPrimary = true; },
  track_bfd: (c, d, ctx, p) => { d.trackBfds.push(...trackerList(c, d.name, 'bfd', ctx, p.known, d.trackBfds)); },
};

Object.assign(HANDLERS, OPTION_HANDLERS);

/** keepalived's checks when the instance block closes (reported at its '}'). */
function closeChecks(d: InstanceDraft, ctx: ValidationContext): void {
  const at = { keyword: '}', args: [], span: d.endSpan };
  if (d.useVmac && (d.peerBlock || d.unicastKeyword) && !d.vmacXmitBase) {
    warn(ctx, at, `(${d.name}) unicast with use_vmac requires vmac_xmit_base - setting`);
    d.vmacXmitBase = true;
  }
  if (d.unicastTtl !== undefined && d.unicastPeers.length === 0) {
    err(ctx, at, `(${d.name}): Cannot use unicast_ttl without unicast peers - resetting`);
    delete d.unicastTtl;
  }
  const family = d.vips[0]?.family;
  if (family === undefined) return;
  d.unicastPeers = d.unicastPeers.filter((peer) => {
    if (peer.family === family) return true;
    err(ctx, at, `Configuration error: VRRP instance[${d.name}] and unicast peer address[${peer.address}] MUST be of the same family !!! Skipping...`);
    return false;
  });
}

export function parseInstance(node: ConfigNode, ctx: ValidationContext, p: InstanceParse): InstanceDraft {
  const d: InstanceDraft = {
    name: node.args[0] ?? '', span: node.span, endSpan: blockEnd(node), advertIntS: 1, nopreempt: false, preemptDelayS: 0,
    vips: [], excludedVips: [], routes: [], rules: [], unicastPeers: [], unicastKeyword: false, peerBlock: false,
    trackInterfaces: [], trackScripts: [], trackFiles: [], trackProcesses: [], trackBfds: [], notify: {}, garp: {},
    useVmac: false, vmacXmitBase: false, noVip: false, dontTrackPrimary: false, missingInterface: false, raw: new Map(),
  };
  for (const c of node.children ?? []) {
    if (missingParameter(c, INSTANCE_NEEDS_PARAMETER, ctx)) break;
    d.raw.set(c.keyword, c.args);
    HANDLERS[c.keyword]?.(c, d, ctx, p);
  }
  closeChecks(d, ctx);
  return d;
}
