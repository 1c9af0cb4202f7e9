/**
 * The route port (src/vrrp/ports.ts RoutePort) over rtnetlink: virtual_routes/virtual_rules and
 * static_routes/static_rules as keepalived 2.2.7 installs them (measured in a lab namespace):
 * protocol keepalived (18) on routes and rules, scope global unless `scope` is given (also for a
 * route with only `dev`), table main unless `table`, no metric unless `metric` (the kernel then
 * uses 0 for IPv4 and 1024 for IPv6). Adds are idempotent (EEXIST is success), removes match the
 * protocol, so a route or rule someone else added with the same destination stays.
 * A kernel refusal becomes keepalived's line: "Netlink: error: Network is unreachable(101),
 * type=RTM_NEWROUTE(24)" (keepalived adds seq and pid; we add what was asked instead).
 */
import { readFileSync } from 'node:fs';
import { getSystemErrorMap } from 'node:util';
import type { RouteEntry, RoutePort, RuleEntry } from '../../vrrp/ports.js';
import {
  AF_INET, AF_INET6, RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RT_SCOPE_SITE, RT_SCOPE_UNIVERSE, RT_TABLE_DEFAULT,
  RT_TABLE_LOCAL, RT_TABLE_MAIN, RTM_DELROUTE, RTM_DELRULE, RTM_NEWROUTE, RTM_NEWRULE, RTPROT_BOOT, RTPROT_KEEPALIVED,
  RTPROT_KERNEL, RTPROT_STATIC, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_ROUTE, RTNLGRP_IPV6_RULE,
} from './netlink/constants.js';
import { NetlinkClient } from './netlink/client.js';
import { NetlinkKernelError } from './netlink/errors.js';
import { ipToBytes } from './netlink/ip-address.js';
import type { NetlinkMessage } from './netlink/message.js';
import { decodeRoute, type NextHop, type RouteInfo, type RoutePref, type RouteSpec, type RouteType } from './netlink/route-codec.js';
import type { RouteMetrics } from './netlink/route-metrics.js';
import type { RtNetlink } from './netlink/rtnetlink.js';
import { decodeRule, type Range, type RuleAction, type RuleInfo, type RuleSpec } from './netlink/rule-codec.js';

/** Interface name -> index (0 = no such interface), as if_nametoindex. */
export type InterfaceIndexLookup = (name: string) => number;

/** Route table / protocol names -> numbers (iproute2's files), for `table NAME`, `protocol NAME`. */
export interface RouteNames {
  table(name: string): number | undefined;
  protocol(name: string): number | undefined;
}

const BUILTIN_TABLES: Readonly<Record<string, number>> = { main: RT_TABLE_MAIN, local: RT_TABLE_LOCAL, default: RT_TABLE_DEFAULT, unspec: 0 };
const BUILTIN_PROTOCOLS: Readonly<Record<string, number>> = {
  unspec: 0, redirect: 1, kernel: RTPROT_KERNEL, boot: RTPROT_BOOT, static: RTPROT_STATIC, keepalived: RTPROT_KEEPALIVED,
};
const SCOPES: Readonly<Record<string, number>> = {
  global: RT_SCOPE_UNIVERSE, universe: RT_SCOPE_UNIVERSE, site: RT_SCOPE_SITE, link: RT_SCOPE_LINK, host: RT_SCOPE_HOST, nowhere: RT_SCOPE_NOWHERE,
};
const IP_PROTOCOLS: Readonly<Record<string, number>> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, 'ipv6-icmp': 58, icmpv6: 58, sctp: 132 };

/** Reads "NUMBER NAME" lines of an iproute2 file (rt_tables, rt_protos); missing files give nothing. */
function readNameFile(paths: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const m = /^\s*(0x[0-9a-f]+|[0-9]+)\s+(\S+)/i.exec(line);
      if (m !== null && m[1] !== undefined && m[2] !== undefined && !out.has(m[2])) out.set(m[2], Number(m[1]));
    }
  }
  return out;
}

/** iproute2's name files (/etc/iproute2, then /usr/share/iproute2), read once when first needed. */
export function iproute2Names(): RouteNames {
  let tables: Map<string, number> | undefined;
  let protocols: Map<string, number> | undefined;
  return {
    table: (name) => (tables ??= readNameFile(['/etc/iproute2/rt_tables', '/usr/share/iproute2/rt_tables'])).get(name),
    protocol: (name) => (protocols ??= readNameFile(['/etc/iproute2/rt_protos', '/usr/share/iproute2/rt_protos'])).get(name),
  };
}

export class RouteConversionError extends Error {
  readonly code = 'ERR_ROUTE_CONVERSION';
  constructor(message: string) {
    super(message);
    this.name = 'RouteConversionError';
  }
}

function numberOf(text: string, what: string, max = 0xffffffff): number {
  const n = /^0x[0-9a-f]+$/i.test(text) ? Number.parseInt(text, 16) : /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > max) throw new RouteConversionError(`invalid ${what} ${text}`);
  return n;
}

function tableId(text: string, names: RouteNames): number {
  const builtin = BUILTIN_TABLES[text];
  if (builtin !== undefined) return builtin;
  if (/^(0x[0-9a-f]+|[0-9]+)$/i.test(text)) return numberOf(text, 'table');
  const named = names.table(text);
  if (named === undefined) throw new RouteConversionError(`unknown route table ${text}`);
  return named;
}

function protocolId(text: string, names: RouteNames): number {
  const builtin = BUILTIN_PROTOCOLS[text];
  if (builtin !== undefined) return builtin;
  if (/^(0x[0-9a-f]+|[0-9]+)$/i.test(text)) return numberOf(text, 'protocol', 255);
  const named = names.protocol(text);
  if (named === undefined) throw new RouteConversionError(`unknown route protocol ${text}`);
  return named;
}

function scopeId(text: string): number {
  return SCOPES[text] ?? numberOf(text, 'scope', 255);
}

function ifindex(name: string, lookup: InterfaceIndexLookup): number {
  const index = lookup(name);
  if (index === 0) throw new RouteConversionError(`no such interface ${name}`);
  return index;
}

/** A time metric: N / Nms (milliseconds) or N.NNNs (seconds), in ms. */
function milliseconds(text: string): number {
  if (text.endsWith('ms')) return Number(text.slice(0, -2));
  if (text.endsWith('s')) return Math.round(Number(text.slice(0, -1)) * 1000);
  return Number(text);
}

type MutableMetrics = { -readonly [K in keyof RouteMetrics]: RouteMetrics[K] };

const COUNT_METRICS: ReadonlyArray<readonly [string, Exclude<keyof RouteMetrics, 'congctl' | 'lock' | 'rtt' | 'rttvar' | 'rtoMinMs'>]> = [
  ['mtu', 'mtu'], ['advmss', 'advmss'], ['hoplimit', 'hoplimit'], ['initcwnd', 'initcwnd'], ['initrwnd', 'initrwnd'],
  ['window', 'window'], ['cwnd', 'cwnd'], ['ssthresh', 'ssthresh'], ['reordering', 'reordering'], ['features', 'features'],
  ['quickack', 'quickack'], ['fastopen_no_cookie', 'fastopenNoCookie'],
];

/** RTA_METRICS from the route's options, in ip(8)'s units (rtt in 1/8 ms, rttvar in 1/4 ms). */
function metricsOf(options: Readonly<Record<string, string>>): RouteMetrics | undefined {
  const m: MutableMetrics = {};
  for (const [word, key] of COUNT_METRICS) {
    const v = options[word];
    if (v !== undefined) m[key] = numberOf(v, word);
  }
  if (options.rtt !== undefined) m.rtt = milliseconds(options.rtt) * 8;
  if (options.rttvar !== undefined) m.rttvar = milliseconds(options.rttvar) * 4;
  if (options.rto_min !== undefined) m.rtoMinMs = milliseconds(options.rto_min);
  if (options.congctl !== undefined) m.congctl = options.congctl;
  return Object.keys(m).length > 0 ? m : undefined;
}

function prefOf(text: string | undefined): RoutePref | undefined {
  if (text === undefined) return undefined;
  if (text === 'low' || text === 'medium' || text === 'high') return text;
  throw new RouteConversionError(`invalid route pref ${text}`);
}

/**
 * A configured route -> the rtnetlink request (pure given the lookups). `forDelete`: the fields
 * that identify the route (destination, table, type, protocol, gateway, interface, metric).
 */
export function routeRequest(route: RouteEntry, lookupIndex: InterfaceIndexLookup, names: RouteNames, forDelete: boolean): RouteSpec {
  const family = route.family === 6 ? AF_INET6 : AF_INET;
  const tracked = !route.noTrack;
  const protocol = route.protocol !== undefined && !tracked ? protocolId(route.protocol, names) : RTPROT_KEEPALIVED;
  const tos = route.options.tos ?? route.options.dsfield;
  const nexthops: NextHop[] = route.nexthops.map((nh) => ({
    ...(nh.via !== undefined ? { gateway: nh.via } : {}),
    ...(nh.dev !== undefined ? { oif: ifindex(nh.dev, lookupIndex) } : {}),
    ...(nh.weight !== undefined ? { weight: nh.weight } : {}),
    ...(nh.onlink ? { onlink: true } : {}),
  }));
  const metrics = forDelete ? undefined : metricsOf(route.options);
  const pref = forDelete ? undefined : prefOf(route.options.pref);
  return {
    dst: route.destination,
    family,
    type: (route.type ?? 'unicast') as RouteType,
    protocol,
    ...(route.table !== undefined ? { table: tableId(route.table, names) } : {}),
    ...(route.src !== undefined ? { src: route.src } : {}),
    ...(route.via !== undefined ? { gateway: route.via } : {}),
    ...(route.dev !== undefined ? { oif: ifindex(route.dev, lookupIndex) } : {}),
    ...(route.metric !== undefined ? { metric: route.metric } : {}),
    ...(forDelete ? { scope: RT_SCOPE_NOWHERE } : { scope: route.scope !== undefined ? scopeId(route.scope) : RT_SCOPE_UNIVERSE }),
    ...(tos !== undefined ? { tos: numberOf(tos, 'tos', 255) } : {}),
    ...(route.onlink ? { onlink: true } : {}),
    ...(nexthops.length > 0 ? { nexthops } : {}),
    ...(metrics !== undefined ? { metrics } : {}),
    ...(pref !== undefined ? { pref } : {}),
  };
}

function rangeOf(text: string, what: string, max: number): Range {
  const [a, b] = text.split('-');
  const start = numberOf(a ?? '', what, max);
  return { start, end: b === undefined ? start : numberOf(b, what, max) };
}

const RULE_ACTIONS: Readonly<Record<string, RuleAction>> = {
  unicast: 'table', blackhole: 'blackhole', unreachable: 'unreachable', prohibit: 'prohibit', nop: 'nop',
};

/** A configured rule -> the rtnetlink request (pure given the lookups); always protocol keepalived. */
export function ruleRequest(rule: RuleEntry, names: RouteNames): RuleSpec {
  const o = rule.options;
  const family = rule.family === 6 ? AF_INET6 : AF_INET;
  let action: RuleAction | undefined;
  if (rule.action !== undefined) {
    action = RULE_ACTIONS[rule.action];
    if (action === undefined) throw new RouteConversionError(`rule action ${rule.action} is not supported`);
  }
  const goto = o.goto;
  if (goto !== undefined) action = 'goto';
  const fwmark = o.fwmark?.split('/');
  const tos = o.tos ?? o.dsfield;
  const suppressPrefix = o.suppress_prefixlength ?? o.sup_pl;
  const suppressGroup = o.suppress_ifgroup ?? o.sup_group;
  const ipProto = o.ipproto;
  return {
    family,
    priority: rule.preference,
    protocol: RTPROT_KEEPALIVED,
    ...(rule.from !== undefined ? { from: rule.from } : {}),
    ...(rule.to !== undefined ? { to: rule.to } : {}),
    ...(rule.table !== undefined ? { table: tableId(rule.table, names) } : {}),
    ...(rule.iif !== undefined ? { iif: rule.iif } : {}),
    ...(rule.oif !== undefined ? { oif: rule.oif } : {}),
    ...(action !== undefined ? { action } : {}),
    ...(goto !== undefined ? { gotoPriority: numberOf(goto, 'goto') } : {}),
    ...(fwmark?.[0] !== undefined ? { fwmark: numberOf(fwmark[0], 'fwmark') } : {}),
    ...(fwmark?.[1] !== undefined ? { fwmask: numberOf(fwmark[1], 'fwmask') } : {}),
    ...(tos !== undefined ? { tos: numberOf(tos, 'tos', 255) } : {}),
    ...(o.uidrange !== undefined ? { uidRange: rangeOf(o.uidrange, 'uidrange', 0xffffffff) } : {}),
    ...(o.sport !== undefined ? { sport: rangeOf(o.sport, 'sport', 0xffff) } : {}),
    ...(o.dport !== undefined ? { dport: rangeOf(o.dport, 'dport', 0xffff) } : {}),
    ...(ipProto !== undefined ? { ipProto: IP_PROTOCOLS[ipProto] ?? numberOf(ipProto, 'ipproto', 255) } : {}),
    ...(suppressPrefix !== undefined ? { suppressPrefixLength: numberOf(suppressPrefix, 'suppress_prefixlength') } : {}),
    ...(suppressGroup !== undefined ? { suppressIfGroup: numberOf(suppressGroup, 'suppress_ifgroup') } : {}),
    ...(rule.invert ? { invert: true } : {}),
    ...(rule.l3mdev ? { l3mdev: true } : {}),
  };
}

const MESSAGE_TYPES: Readonly<Record<number, string>> = {
  [RTM_NEWROUTE]: 'RTM_NEWROUTE', [RTM_DELROUTE]: 'RTM_DELROUTE', [RTM_NEWRULE]: 'RTM_NEWRULE', [RTM_DELRULE]: 'RTM_DELRULE',
};

let errorMap: Map<number, [string, string]> | undefined;

/** glibc's strerror where libuv words it differently (keepalived logs strerror). */
const STRERROR: Readonly<Record<number, string>> = {
  12: 'Cannot allocate memory', 16: 'Device or resource busy', 17: 'File exists', 95: 'Operation not supported', 99: 'Cannot assign requested address',
  113: 'No route to host',
};

/** "Network is unreachable" for ENETUNREACH (strerror's text; libuv's, capitalised, for the rest). */
function errnoText(errno: number): string {
  const known = STRERROR[errno];
  if (known !== undefined) return known;
  const text = (errorMap ??= getSystemErrorMap()).get(-errno)?.[1] ?? `error ${errno}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** keepalived's line for a refused request; other failures keep their message. */
export function netlinkFailure(e: unknown, messageType: number): Error {
  if (e instanceof NetlinkKernelError) {
    const type = MESSAGE_TYPES[messageType] ?? String(messageType);
    return new Error(`Netlink: error: ${errnoText(e.errno)}(${e.errno}), type=${type}(${messageType}) (${e.request}${e.extackMessage ? `: ${e.extackMessage}` : ''})`);
  }
  return e instanceof Error ? e : new Error(String(e));
}

function isKernelError(e: unknown, ...names: string[]): boolean {
  return e instanceof NetlinkKernelError && names.includes(e.errnoName);
}

function sameAddress(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  try {
    return ipToBytes(a).bytes.equals(ipToBytes(b).bytes);
  } catch {
    return false;
  }
}

function samePrefix(info: { address?: string; length: number }, prefix: string | undefined): boolean {
  if (prefix === undefined) return info.address === undefined || info.length === 0;
  const [address, length] = prefix.split('/');
  return Number(length) === info.length && sameAddress(info.address, address);
}

/** Whether a route the kernel reports (a deletion) is the one `spec` installed. */
export function routeMatches(info: RouteInfo, spec: RouteSpec): boolean {
  const [dst = '', len = ''] = spec.dst.split('/');
  return info.family === spec.family && info.dstLength === Number(len) && sameAddress(info.dst, dst)
    && info.table === (spec.table ?? RT_TABLE_MAIN) && info.protocol === spec.protocol && info.type === (spec.type ?? 'unicast')
    && (spec.gateway === undefined || sameAddress(info.gateway, spec.gateway))
    && (spec.oif === undefined || info.oif === spec.oif)
    && (spec.metric === undefined || info.metric === spec.metric);
}

/** Whether a rule the kernel reports (a deletion) is the one `spec` installed. */
export function ruleMatches(info: RuleInfo, spec: RuleSpec): boolean {
  const split = (p: string | undefined): { address?: string; length: number } => {
    if (p === undefined) return { length: 0 };
    const [address, length] = p.split('/');
    return { ...(address !== undefined ? { address } : {}), length: Number(length) };
  };
  const action = spec.action ?? (spec.gotoPriority !== undefined ? 'goto' : 'table');
  const table = spec.table ?? (action === 'table' ? RT_TABLE_MAIN : 0);
  return info.family === spec.family && info.priority === spec.priority && info.protocol === spec.protocol && info.table === table
    && samePrefix(split(info.from), spec.from) && samePrefix(split(info.to), spec.to);
}

interface Watch<S> {
  readonly spec: S;
  readonly onDeleted: () => void;
}

/**
 * Route and rule deletions from the kernel's multicast groups (one socket, opened with the first
 * watch): a deleted route or rule that matches a watched one calls its handler.
 */
class DeletionWatcher {
  private client: NetlinkClient | undefined;
  private readonly routes = new Set<Watch<RouteSpec>>();
  private readonly rules = new Set<Watch<RuleSpec>>();

  constructor(private readonly open: () => NetlinkClient) {}

  watchRoute(spec: RouteSpec, onDeleted: () => void): () => void {
    this.start();
    const w = { spec, onDeleted };
    this.routes.add(w);
    return () => void this.routes.delete(w);
  }

  watchRule(spec: RuleSpec, onDeleted: () => void): () => void {
    this.start();
    const w = { spec, onDeleted };
    this.rules.add(w);
    return () => void this.rules.delete(w);
  }

  private start(): void {
    if (this.client !== undefined) return;
    const client = this.open();
    for (const g of [RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE]) client.subscribe(g);
    client.onNotification((m) => this.notified(m));
    this.client = client;
  }

  private notified(m: NetlinkMessage): void {
    try {
      if (m.type === RTM_DELROUTE && this.routes.size > 0) {
        const info = decodeRoute(m.payload);
        for (const w of [...this.routes]) if (routeMatches(info, w.spec)) w.onDeleted();
      } else if (m.type === RTM_DELRULE && this.rules.size > 0) {
        const info = decodeRule(m.payload);
        for (const w of [...this.rules]) if (ruleMatches(info, w.spec)) w.onDeleted();
      }
    } catch {
      // a message we cannot read is not one of ours
    }
  }

  close(): void {
    this.client?.close();
    this.client = undefined;
    this.routes.clear();
    this.rules.clear();
  }
}

/** Routes and rules through rtnetlink; interface names resolved when each request is built. */
export class LinuxRoutes implements RoutePort {
  private readonly deletions: DeletionWatcher;

  constructor(
    private readonly rt: RtNetlink,
    private readonly lookupIndex: InterfaceIndexLookup,
    private readonly names: RouteNames = iproute2Names(),
    openMonitor: () => NetlinkClient = () => NetlinkClient.openRoute(),
  ) {
    this.deletions = new DeletionWatcher(openMonitor);
  }

  watchRoute(route: RouteEntry, onDeleted: () => void): () => void {
    let spec: RouteSpec;
    try {
      spec = routeRequest(route, this.lookupIndex, this.names, false);
    } catch {
      return () => undefined; // never installed: nothing to follow
    }
    return this.deletions.watchRoute(spec, onDeleted);
  }

  watchRule(rule: RuleEntry, onDeleted: () => void): () => void {
    let spec: RuleSpec;
    try {
      spec = ruleRequest(rule, this.names);
    } catch {
      return () => undefined;
    }
    return this.deletions.watchRule(spec, onDeleted);
  }

  /** Closes the deletion monitor (the rtnetlink client belongs to the caller). */
  close(): void {
    this.deletions.close();
  }

  async addRoute(route: RouteEntry): Promise<void> {
    const spec = routeRequest(route, this.lookupIndex, this.names, false);
    try {
      await this.rt.addRoute(spec);
    } catch (e) {
      if (!isKernelError(e, 'EEXIST')) throw netlinkFailure(e, RTM_NEWROUTE);
    }
  }

  async removeRoute(route: RouteEntry): Promise<void> {
    let spec: RouteSpec;
    try {
      spec = routeRequest(route, this.lookupIndex, this.names, true);
    } catch (e) {
      // an interface that is gone took its routes with it
      if (e instanceof RouteConversionError && e.message.startsWith('no such interface')) return;
      throw e;
    }
    try {
      await this.rt.deleteRoute(spec);
    } catch (e) {
      if (!isKernelError(e, 'ESRCH', 'ENOENT', 'ENODEV')) throw netlinkFailure(e, RTM_DELROUTE);
    }
  }

  async addRule(rule: RuleEntry): Promise<void> {
    try {
      await this.rt.addRule(ruleRequest(rule, this.names));
    } catch (e) {
      if (!isKernelError(e, 'EEXIST')) throw netlinkFailure(e, RTM_NEWRULE);
    }
  }

  async removeRule(rule: RuleEntry): Promise<void> {
    try {
      await this.rt.deleteRule(ruleRequest(rule, this.names));
    } catch (e) {
      if (!isKernelError(e, 'ENOENT', 'ESRCH')) throw netlinkFailure(e, RTM_DELRULE);
    }
  }
}
