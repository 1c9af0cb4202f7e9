/**
 * rtnetlink routes: struct rtmsg + RTA_* attributes (RTM_NEWROUTE/DELROUTE), covering the options
 * of keepalived's virtual_routes / static_routes.
 *
 * rtmsg (12 bytes): u8 family, u8 dst_len, u8 src_len, u8 tos, u8 table (RT_TABLE_UNSPEC and
 * RTA_TABLE u32 when the id is > 255), u8 protocol (RTPROT_*), u8 scope, u8 type (RTN_*),
 * u32 flags (RTNH_F_ONLINK ...).
 * RTA_MULTIPATH: a run of struct rtnexthop { u16 len; u8 flags; u8 hops (weight - 1);
 * s32 ifindex; } each followed by its own attributes (RTA_GATEWAY) and padded to 4.
 */
import {
  AF_INET, AF_INET6, RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RT_SCOPE_UNIVERSE, RT_TABLE_MAIN, RT_TABLE_UNSPEC,
  RTA_DST, RTA_GATEWAY, RTA_METRICS, RTA_MULTIPATH, RTA_OIF, RTA_PREF, RTA_PREFSRC, RTA_PRIORITY, RTA_SRC, RTA_TABLE,
  RTN_ANYCAST, RTN_BLACKHOLE, RTN_BROADCAST, RTN_LOCAL, RTN_MULTICAST, RTN_NAT, RTN_PROHIBIT, RTN_THROW, RTN_UNICAST,
  RTN_UNREACHABLE, RTN_UNSPEC, RTNH_F_ONLINK, RTNH_HDRLEN, RTPROT_BOOT, RTPROT_UNSPEC,
} from './constants.js';
import { align4, attr, attrU32, attrU8, AttributeReader } from './attributes.js';
import { NetlinkDecodeError, NetlinkEncodeError } from './errors.js';
import { AddressFamily, bytesToIp, ipToBytes, parsePrefix } from './ip-address.js';
import { decodeMetrics, encodeMetrics, RouteMetrics } from './route-metrics.js';

export const RTMSG_LEN = 12;

export type RouteType = 'unspec' | 'unicast' | 'local' | 'broadcast' | 'anycast' | 'multicast' | 'blackhole'
  | 'unreachable' | 'prohibit' | 'throw' | 'nat';

const routeTypes: ReadonlyMap<RouteType, number> = new Map<RouteType, number>([
  ['unspec', RTN_UNSPEC], ['unicast', RTN_UNICAST], ['local', RTN_LOCAL], ['broadcast', RTN_BROADCAST],
  ['anycast', RTN_ANYCAST], ['multicast', RTN_MULTICAST], ['blackhole', RTN_BLACKHOLE], ['unreachable', RTN_UNREACHABLE],
  ['prohibit', RTN_PROHIBIT], ['throw', RTN_THROW], ['nat', RTN_NAT],
]);

export type RoutePref = 'low' | 'medium' | 'high';
const prefs: ReadonlyMap<RoutePref, number> = new Map<RoutePref, number>([['medium', 0], ['high', 1], ['low', 3]]);

export interface NextHop {
  readonly gateway?: string;
  readonly oif?: number;
  /** 1..256 (sent as hops = weight - 1). */
  readonly weight?: number;
  readonly onlink?: boolean;
}

export interface RouteSpec {
  /** Destination prefix ("192.0.2.0/24", "2001:db8::/32") or "default". */
  readonly dst: string;
  /** Needed only when dst is "default" and nothing else tells the family. */
  readonly family?: AddressFamily;
  /** Preferred source address (RTA_PREFSRC, keepalived's "src"). */
  readonly src?: string;
  /** Source prefix (RTA_SRC, keepalived's "from"; IPv6 subtrees). */
  readonly from?: string;
  readonly gateway?: string;
  readonly oif?: number;
  /** Table id; > 255 goes into RTA_TABLE. Default main (254). */
  readonly table?: number;
  /** RTA_PRIORITY (keepalived's metric). */
  readonly metric?: number;
  readonly scope?: number;
  readonly type?: RouteType;
  /** RTPROT_* (default boot for add, unspec for delete, as ip(8) does). */
  readonly protocol?: number;
  readonly tos?: number;
  readonly onlink?: boolean;
  readonly nexthops?: readonly NextHop[];
  readonly metrics?: RouteMetrics;
  readonly pref?: RoutePref;
}

export interface RouteInfo {
  readonly family: number;
  readonly dst: string;
  readonly dstLength: number;
  readonly fromLength: number;
  readonly from?: string;
  readonly tos: number;
  readonly table: number;
  readonly protocol: number;
  readonly scope: number;
  readonly type: RouteType;
  readonly flags: number;
  readonly src?: string;
  readonly gateway?: string;
  readonly oif?: number;
  readonly metric?: number;
  readonly nexthops?: readonly NextHop[];
  readonly metrics?: RouteMetrics;
  readonly pref?: RoutePref;
}

/** Body of RTM_NEWROUTE (`forDelete` false) or RTM_DELROUTE (true). */
export function encodeRoute(spec: RouteSpec, forDelete: boolean): Buffer {
  const family = routeFamily(spec);
  const dst = spec.dst === 'default' ? undefined : parsePrefix(spec.dst);
  const from = spec.from === undefined ? undefined : parsePrefix(spec.from);
  const table = spec.table ?? RT_TABLE_MAIN;
  const type = routeTypes.get(spec.type ?? (forDelete ? 'unspec' : 'unicast'));
  if (type === undefined) throw new NetlinkEncodeError(`unknown route type ${spec.type ?? ''}`);
  const attrs: Buffer[] = [];
  if (dst !== undefined) attrs.push(attr(RTA_DST, familyBytes(dst.address, family)));
  if (from !== undefined) attrs.push(attr(RTA_SRC, familyBytes(from.address, family)));
  if (spec.src !== undefined) attrs.push(attr(RTA_PREFSRC, familyBytes(spec.src, family)));
  if (spec.gateway !== undefined) attrs.push(attr(RTA_GATEWAY, familyBytes(spec.gateway, family)));
  if (table > 255) attrs.push(attrU32(RTA_TABLE, table));
  if (spec.metric !== undefined) attrs.push(attrU32(RTA_PRIORITY, spec.metric));
  if (spec.oif !== undefined) attrs.push(attrU32(RTA_OIF, spec.oif));
  if (spec.metrics !== undefined) attrs.push(encodeMetrics(RTA_METRICS, spec.metrics));
  if (spec.nexthops !== undefined && spec.nexthops.length > 0) attrs.push(encodeMultipath(spec.nexthops, family));
  if (spec.pref !== undefined) attrs.push(attrU8(RTA_PREF, prefs.get(spec.pref) ?? 0));
  const h = Buffer.alloc(RTMSG_LEN);
  h.writeUInt8(family, 0);
  h.writeUInt8(dst?.prefixLength ?? 0, 1);
  h.writeUInt8(from?.prefixLength ?? 0, 2);
  h.writeUInt8(byte(spec.tos ?? 0, 'tos'), 3);
  h.writeUInt8(table > 255 ? RT_TABLE_UNSPEC : table, 4);
  h.writeUInt8(byte(spec.protocol ?? (forDelete ? RTPROT_UNSPEC : RTPROT_BOOT), 'protocol'), 5);
  h.writeUInt8(byte(spec.scope ?? defaultScope(spec, type, family, forDelete), 'scope'), 6);
  h.writeUInt8(type, 7);
  h.writeUInt32LE(spec.onlink === true ? RTNH_F_ONLINK : 0, 8);
  return Buffer.concat([h, ...attrs]);
}

function byte(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new NetlinkEncodeError(`${what} ${v} is not a u8`);
  return v;
}

/** ip(8)'s defaults: delete matches any scope; local is host; link-level types and IPv4 gateway-less unicast are link. */
function defaultScope(spec: RouteSpec, type: number, family: number, forDelete: boolean): number {
  if (forDelete) return RT_SCOPE_NOWHERE;
  if (type === RTN_LOCAL || type === RTN_NAT) return RT_SCOPE_HOST;
  if (type === RTN_BROADCAST || type === RTN_MULTICAST || type === RTN_ANYCAST) return RT_SCOPE_LINK;
  const viaGateway = spec.gateway !== undefined || (spec.nexthops?.length ?? 0) > 0;
  if (type === RTN_UNICAST && family === AF_INET && !viaGateway) return RT_SCOPE_LINK;
  return RT_SCOPE_UNIVERSE;
}

function routeFamily(spec: RouteSpec): AddressFamily {
  const probe = [spec.dst === 'default' ? undefined : spec.dst.split('/')[0], spec.gateway, spec.src, spec.nexthops?.[0]?.gateway]
    .find((x) => x !== undefined);
  if (probe !== undefined) return probe.includes(':') ? AF_INET6 : AF_INET;
  if (spec.family !== undefined) return spec.family;
  throw new NetlinkEncodeError('route family unknown: give family for a default route without gateway');
}

function familyBytes(text: string, family: number): Buffer {
  const ip = ipToBytes(text);
  if (ip.family !== family) throw new NetlinkEncodeError(`${text} is not of the route's address family`);
  return ip.bytes;
}

function encodeMultipath(hops: readonly NextHop[], family: number): Buffer {
  const parts = hops.map((nh) => {
    const weight = nh.weight ?? 1;
    if (!Number.isInteger(weight) || weight < 1 || weight > 256) throw new NetlinkEncodeError(`nexthop weight ${weight} not in 1..256`);
    const inner = nh.gateway === undefined ? Buffer.alloc(0) : attr(RTA_GATEWAY, familyBytes(nh.gateway, family));
    const h = Buffer.alloc(RTNH_HDRLEN);
    h.writeUInt16LE(RTNH_HDRLEN + inner.length, 0);
    h.writeUInt8(nh.onlink === true ? RTNH_F_ONLINK : 0, 2);
    h.writeUInt8(weight - 1, 3);
    h.writeInt32LE(nh.oif ?? 0, 4);
    return Buffer.concat([h, inner]);
  });
  return attr(RTA_MULTIPATH, Buffer.concat(parts));
}

function decodeMultipath(value: Buffer, baseOffset: number): NextHop[] {
  const out: NextHop[] = [];
  let pos = 0;
  while (pos + RTNH_HDRLEN <= value.length) {
    const len = value.readUInt16LE(pos);
    if (len < RTNH_HDRLEN || pos + len > value.length) throw new NetlinkDecodeError(`rtnexthop length ${len}`, baseOffset + pos);
    const r = AttributeReader.of(value.subarray(pos + RTNH_HDRLEN, pos + len), baseOffset + pos + RTNH_HDRLEN);
    const gw = r.bytes(RTA_GATEWAY);
    const oif = value.readInt32LE(pos + 4);
    out.push({
      weight: value.readUInt8(pos + 3) + 1,
      ...(oif !== 0 ? { oif } : {}),
      ...(gw !== undefined ? { gateway: bytesToIp(gw, baseOffset + pos) } : {}),
      ...((value.readUInt8(pos + 2) & RTNH_F_ONLINK) !== 0 ? { onlink: true } : {}),
    });
    pos += align4(len);
  }
  return out;
}

/** Decodes RTM_NEWROUTE / RTM_DELROUTE payloads. */
export function decodeRoute(payload: Buffer): RouteInfo {
  if (payload.length < RTMSG_LEN) throw new NetlinkDecodeError(`rtmsg needs ${RTMSG_LEN} bytes, got ${payload.length}`, 16);
  const r = AttributeReader.of(payload.subarray(RTMSG_LEN), 16 + RTMSG_LEN);
  const family = payload.readUInt8(0);
  const typeNum = payload.readUInt8(7);
  const type = [...routeTypes].find(([, v]) => v === typeNum)?.[0] ?? 'unspec';
  const ip = (t: number): string | undefined => {
    const b = r.bytes(t);
    return b === undefined ? undefined : bytesToIp(b, r.raw(t)?.offset ?? 0);
  };
  const out: Record<string, unknown> = {
    family, dst: ip(RTA_DST) ?? (family === AF_INET6 ? '::' : '0.0.0.0'), dstLength: payload.readUInt8(1),
    fromLength: payload.readUInt8(2), tos: payload.readUInt8(3), table: r.u32(RTA_TABLE) ?? payload.readUInt8(4),
    protocol: payload.readUInt8(5), scope: payload.readUInt8(6), type, flags: payload.readUInt32LE(8),
  };
  const optional: Array<[string, unknown]> = [
    ['from', ip(RTA_SRC)], ['src', ip(RTA_PREFSRC)], ['gateway', ip(RTA_GATEWAY)], ['oif', r.u32(RTA_OIF)],
    ['metric', r.u32(RTA_PRIORITY)],
  ];
  for (const [k, v] of optional) if (v !== undefined) out[k] = v;
  const mp = r.raw(RTA_MULTIPATH);
  if (mp !== undefined) out.nexthops = decodeMultipath(mp.value, mp.offset + 4);
  const metrics = r.nested(RTA_METRICS);
  if (metrics !== undefined) out.metrics = decodeMetrics(metrics);
  const pref = r.u8(RTA_PREF);
  if (pref !== undefined) out.pref = [...prefs].find(([, v]) => v === pref)?.[0] ?? 'medium';
  return out as unknown as RouteInfo;
}
