/**
 * The route syntax of virtual_routes and static_routes (ip-route words, as keepalived 2.2.7 reads
 * them):
 *   [TYPE] [to] PREFIX [src IP] [via|gw IP] [or IP] [dev IF] [scope S] [table T] [metric N]
 *   [protocol P] [tos T] [realms R] [mtu [lock] N] ... [nexthop via IP dev IF weight N onlink]...
 *   [onlink] [no_track] [track_group G]
 * Pure: returns the route and keepalived's messages (probed with keepalived -t). An unknown word
 * is taken for a destination address: "VRRP parsed invalid IP X. skipping IP..." then
 * "unknown route keyword X", and the route is dropped.
 */
import type { AddressMessage } from './address.js';
import { parseIp, parseIpPrefix, type IpFamily } from './ip.js';
import { readDecimalScaled } from './numbers.js';

export interface RouteNexthop {
  readonly via?: string;
  readonly dev?: string;
  readonly weight?: number;
  readonly onlink: boolean;
}

export interface ParsedRoute {
  readonly family: IpFamily;
  /** Destination as "address/length". */
  readonly destination: string;
  readonly type?: string;
  readonly src?: string;
  readonly via?: string;
  readonly dev?: string;
  readonly scope?: string;
  readonly table?: string;
  readonly metric?: number;
  readonly protocol?: string;
  /** Every other `name value` setting (tos, realms, mtu, rtt, congctl ...), as written. */
  readonly options: Readonly<Record<string, string>>;
  readonly nexthops: readonly RouteNexthop[];
  readonly onlink: boolean;
  readonly noTrack: boolean;
  readonly trackGroup?: string;
}

export interface RouteParse {
  readonly route?: ParsedRoute;
  readonly messages: readonly AddressMessage[];
}

const TYPES = new Set(['unicast', 'local', 'broadcast', 'anycast', 'multicast', 'throw', 'unreachable', 'prohibit', 'blackhole', 'nat']);
/** Settings with one value, optionally preceded by `lock`. */
const LOCKABLE = new Set(['mtu', 'hoplimit', 'advmss', 'rtt', 'rttvar', 'reordering', 'window', 'cwnd', 'ssthresh', 'rto_min', 'initcwnd', 'initrwnd', 'congctl']);
/** Settings with exactly one value. */
const ONE_VALUE = new Set(['tos', 'dsfield', 'realms', 'features', 'quickack', 'pref', 'fastopen_no_cookie', 'ttl-propagate', 'expires']);
const NEXTHOP_WORDS = new Set(['via', 'dev', 'weight', 'onlink', 'encap', 'realms']);

type Draft = {
  -readonly [K in keyof ParsedRoute]: K extends 'options' ? Record<string, string> : K extends 'nexthops' ? RouteNexthop[] : ParsedRoute[K];
};

class RouteReader {
  readonly msgs: AddressMessage[] = [];
  private i = 0;
  failed = false;

  constructor(private readonly words: readonly string[]) {}

  get done(): boolean { return this.i >= this.words.length; }
  peek(): string | undefined { return this.words[this.i]; }
  next(): string | undefined { return this.words[this.i++]; }
  error(text: string): void { this.msgs.push({ text, kind: 'error' }); }
  fail(text: string): void { this.error(text); this.failed = true; }
}

function readNexthop(r: RouteReader): RouteNexthop {
  const nh: { -readonly [K in keyof RouteNexthop]: RouteNexthop[K] } = { onlink: false };
  while (!r.done && !r.failed && NEXTHOP_WORDS.has(r.peek() ?? '')) {
    const w = r.next() ?? '';
    if (w === 'onlink') { nh.onlink = true; continue; }
    if (w === 'encap') { r.next(); while (!r.done && !NEXTHOP_WORDS.has(r.peek() ?? '') && r.peek() !== 'nexthop') r.next(); continue; }
    const v = r.next() ?? '';
    if (w === 'via') {
      const addr = v === 'inet' || v === 'inet6' ? (r.next() ?? '') : v;
      const ip = parseIp(addr);
      if (!ip) r.fail(`invalid route via address ${addr}`);
      else nh.via = ip.text;
    } else if (w === 'dev') nh.dev = v;
    else if (w === 'weight') nh.weight = Number.parseInt(v, 10);
  }
  return nh;
}

function setDestination(d: Partial<Draft>, word: string, r: RouteReader): void {
  if (word === 'default' || word === 'default6') {
    d.destination = word === 'default' ? '0.0.0.0/0' : '::/0';
    d.family = word === 'default' ? 4 : 6;
    return;
  }
  const p = parseIpPrefix(word);
  if (!p) {
    r.error(`VRRP parsed invalid IP ${word}. skipping IP...`);
    r.fail(`unknown route keyword ${word}`);
    return;
  }
  d.destination = `${p.text}/${p.prefixLength}`;
  d.family = p.family;
}

function readVia(d: Partial<Draft>, v: string, r: RouteReader): void {
  const ip = parseIp(v);
  if (!ip) {
    r.error(`VRRP parsed invalid IP ${v}. skipping IP...`);
    r.fail(`invalid route via address ${v}`);
  }
  else d.via = ip.text;
}

/** Handles one keyword; false when the word is not a route keyword. */
function readKeyword(w: string, d: Partial<Draft>, r: RouteReader): boolean {
  const opts = d.options ?? (d.options = {});
  switch (w) {
    case 'to': setDestination(d, r.next() ?? '', r); return true;
    case 'src': { const v = r.next() ?? ''; const ip = parseIp(v); if (ip) d.src = ip.text; else r.fail(`invalid route src address ${v}`); return true; }
    case 'via': {
      let v = r.next() ?? '';
      if (v === 'inet' || v === 'inet6') v = r.next() ?? '';
      readVia(d, v, r);
      return true;
    }
    case 'gw': r.error('"gw" for routes is deprecated. Please use "via"'); readVia(d, r.next() ?? '', r); return true;
    case 'or': r.error('"or" for routes is deprecated. Please use "nexthop"'); (d.nexthops ??= []).push({ via: r.next() ?? '', onlink: false }); return true;
    case 'dev': case 'oif': d.dev = r.next() ?? ''; return true;
    case 'scope': d.scope = r.next() ?? ''; return true;
    case 'table': d.table = r.next() ?? ''; return true;
    case 'metric': case 'priority': case 'preference': d.metric = Number.parseInt(r.next() ?? '', 10); return true;
    case 'protocol': d.protocol = r.next() ?? ''; return true;
    case 'nexthop':
      (d.nexthops ??= []).push(readNexthop(r));
      if (!r.done && !r.failed && r.peek() !== 'nexthop') r.fail(`Route has trailing nonsense after nexthops - ${r.peek() ?? ''}`);
      return true;
    case 'onlink': d.onlink = true; return true;
    case 'pervasive': return true;
    case 'no_track': d.noTrack = true; return true;
    case 'track_group': d.trackGroup = r.next() ?? ''; return true;
    case 'inet': case 'inet6': return true;
    case 'encap': r.next(); while (!r.done && !isRouteKeyword(r.peek() ?? '')) r.next(); return true;
    default:
      if (LOCKABLE.has(w)) {
        if (r.peek() === 'lock') r.next();
        const v = r.next() ?? '';
        if (TIME_OPTIONS.has(w)) readRouteTime(w, v, r);
        opts[w] = v;
        return true;
      }
      if (ONE_VALUE.has(w)) { opts[w] = r.next() ?? ''; return true; }
      return false;
  }
}

/** Route metrics given as times: N (ms), Nms or N.NNNs, at most 960000 ms. */
const TIME_OPTIONS = new Set(['rtt', 'rttvar', 'rto_min']);

function readRouteTime(keyword: string, value: string, r: RouteReader): void {
  const seconds = value.endsWith('s') && !value.endsWith('ms');
  const text = value.replace(/m?s$/, '');
  const read = seconds ? readDecimalScaled(text, 3, 0, 960_000) : readDecimalScaled(text, 0, 0, 960_000);
  const msgs = read.ok ? (read.notes ?? []) : read.messages;
  for (const m of msgs) r.msgs.push({ text: m, kind: 'number' });
  if (!read.ok) r.fail(`Invalid ${keyword} ${value} for route`);
}

function isRouteKeyword(w: string): boolean {
  return LOCKABLE.has(w) || ONE_VALUE.has(w) || ['to', 'src', 'via', 'gw', 'or', 'dev', 'oif', 'scope', 'table', 'metric', 'priority',
    'preference', 'protocol', 'nexthop', 'onlink', 'pervasive', 'no_track', 'track_group', 'encap'].includes(w);
}

/** Parses one route line (its tokens). */
export function parseRouteLine(words: readonly string[]): RouteParse {
  const r = new RouteReader(words);
  const d: Partial<Draft> = { options: {}, nexthops: [], onlink: false, noTrack: false };
  if (TYPES.has(r.peek() ?? '')) d.type = r.next() ?? '';
  while (!r.done && !r.failed) {
    const w = r.next() ?? '';
    if (readKeyword(w, d, r)) continue;
    if (d.destination === undefined) setDestination(d, w, r);
    else {
      r.error(`VRRP parsed invalid IP ${w}. skipping IP...`);
      r.fail(`unknown route keyword ${w}`);
    }
  }
  if (r.failed || d.destination === undefined || d.family === undefined) return { messages: r.msgs };
  return { route: d as ParsedRoute, messages: r.msgs };
}

/** RTPROT_KEEPALIVED: the only protocol a tracked route may have. */
export const RTPROT_KEEPALIVED = 18;

/**
 * keepalived's tracking checks after a route is read: a tracked route needs an interface, and its
 * protocol must be keepalived's. Returns the messages and whether the route ends up tracked.
 */
export function routeTrackingChecks(route: ParsedRoute): { readonly messages: readonly string[]; readonly noTrack: boolean } {
  if (route.noTrack) return { messages: [], noTrack: true };
  if (route.dev === undefined) {
    return { messages: [`Warning - cannot track route ${route.destination} with no interface specified, not tracking`], noTrack: true };
  }
  if (route.protocol !== undefined && route.protocol !== 'keepalived' && route.protocol !== String(RTPROT_KEEPALIVED)) {
    return { messages: [`Route cannot be tracked if protocol is not RTPROT_KEEPALIVED(${RTPROT_KEEPALIVED}), resetting protocol`], noTrack: false };
  }
  return { messages: [], noTrack: false };
}
