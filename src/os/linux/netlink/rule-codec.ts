/**
 * rtnetlink policy rules: struct fib_rule_hdr + FRA_* attributes (RTM_NEWRULE/DELRULE), covering
 * keepalived's virtual_rules options.
 *
 * fib_rule_hdr (12 bytes): u8 family, u8 dst_len, u8 src_len, u8 tos, u8 table (RT_TABLE_UNSPEC
 * plus FRA_TABLE u32 when > 255), u8 res1, u8 res2, u8 action (FR_ACT_*), u32 flags
 * (FIB_RULE_INVERT for "not"). Ranges: fib_rule_uid_range { u32 start; u32 end; } and
 * fib_rule_port_range { u16 start; u16 end; }, host order.
 */
import {
  AF_INET, FIB_RULE_INVERT, FR_ACT_BLACKHOLE, FR_ACT_GOTO, FR_ACT_NOP, FR_ACT_PROHIBIT, FR_ACT_TO_TBL, FR_ACT_UNREACHABLE,
  FR_ACT_UNSPEC, FRA_DPORT_RANGE, FRA_DST, FRA_FWMARK, FRA_FWMASK, FRA_GOTO, FRA_IIFNAME, FRA_IP_PROTO, FRA_L3MDEV,
  FRA_OIFNAME, FRA_PRIORITY, FRA_PROTOCOL, FRA_SPORT_RANGE, FRA_SRC, FRA_SUPPRESS_IFGROUP, FRA_SUPPRESS_PREFIXLEN,
  FRA_TABLE, FRA_UID_RANGE, RT_TABLE_MAIN, RT_TABLE_UNSPEC,
} from './constants.js';
import { attr, attrString, attrU32, attrU8, AttributeReader } from './attributes.js';
import { NetlinkDecodeError, NetlinkEncodeError } from './errors.js';
import { AddressFamily, bytesToIp, ipToBytes, parsePrefix } from './ip-address.js';
import { IFNAMSIZ } from './link-codec.js';

export const FIB_RULE_HDR_LEN = 12;

export type RuleAction = 'unspec' | 'table' | 'goto' | 'nop' | 'blackhole' | 'unreachable' | 'prohibit';
const actions: ReadonlyMap<RuleAction, number> = new Map<RuleAction, number>([
  ['unspec', FR_ACT_UNSPEC], ['table', FR_ACT_TO_TBL], ['goto', FR_ACT_GOTO], ['nop', FR_ACT_NOP],
  ['blackhole', FR_ACT_BLACKHOLE], ['unreachable', FR_ACT_UNREACHABLE], ['prohibit', FR_ACT_PROHIBIT],
]);

export interface Range {
  readonly start: number;
  readonly end: number;
}

export interface RuleSpec {
  readonly family: AddressFamily;
  /** Source prefix ("192.0.2.0/24"); a bare address means a host prefix. */
  readonly from?: string;
  readonly to?: string;
  readonly table?: number;
  readonly iif?: string;
  readonly oif?: string;
  readonly fwmark?: number;
  readonly fwmask?: number;
  /** Rule preference (FRA_PRIORITY); keepalived's priority/preference/pref. */
  readonly priority?: number;
  readonly uidRange?: Range;
  readonly sport?: Range;
  readonly dport?: Range;
  readonly ipProto?: number;
  readonly tos?: number;
  /** Default 'table' for add, 'unspec' (match any) for delete. */
  readonly action?: RuleAction;
  /** Target preference of action 'goto' (FRA_GOTO). */
  readonly gotoPriority?: number;
  readonly invert?: boolean;
  readonly suppressPrefixLength?: number;
  readonly suppressIfGroup?: number;
  readonly l3mdev?: boolean;
  readonly protocol?: number;
}

export interface RuleInfo extends Omit<RuleSpec, 'l3mdev' | 'invert' | 'action' | 'table'> {
  readonly table: number;
  readonly action: RuleAction;
  readonly invert: boolean;
  readonly l3mdev?: boolean;
}

/** Body of RTM_NEWRULE (`forDelete` false) or RTM_DELRULE (true). */
export function encodeRule(spec: RuleSpec, forDelete: boolean): Buffer {
  const from = spec.from === undefined ? undefined : parsePrefix(spec.from);
  const to = spec.to === undefined ? undefined : parsePrefix(spec.to);
  for (const p of [from, to]) if (p !== undefined && p.family !== spec.family) throw new NetlinkEncodeError(`${p.address} is not of the rule's family`);
  const action = actions.get(spec.action ?? (forDelete ? 'unspec' : spec.gotoPriority !== undefined ? 'goto' : 'table'));
  if (action === undefined) throw new NetlinkEncodeError(`unknown rule action ${spec.action ?? ''}`);
  const table = spec.table ?? (forDelete || action !== FR_ACT_TO_TBL ? RT_TABLE_UNSPEC : RT_TABLE_MAIN);
  const attrs: Buffer[] = [];
  if (from !== undefined) attrs.push(attr(FRA_SRC, ipToBytes(from.address).bytes));
  if (to !== undefined) attrs.push(attr(FRA_DST, ipToBytes(to.address).bytes));
  if (table > 255) attrs.push(attrU32(FRA_TABLE, table));
  if (spec.priority !== undefined) attrs.push(attrU32(FRA_PRIORITY, spec.priority));
  if (spec.fwmark !== undefined) attrs.push(attrU32(FRA_FWMARK, spec.fwmark));
  if (spec.fwmask !== undefined) attrs.push(attrU32(FRA_FWMASK, spec.fwmask));
  if (spec.iif !== undefined) attrs.push(attrString(FRA_IIFNAME, spec.iif, IFNAMSIZ));
  if (spec.oif !== undefined) attrs.push(attrString(FRA_OIFNAME, spec.oif, IFNAMSIZ));
  if (spec.uidRange !== undefined) attrs.push(attr(FRA_UID_RANGE, rangeBytes(spec.uidRange, 4)));
  if (spec.sport !== undefined) attrs.push(attr(FRA_SPORT_RANGE, rangeBytes(spec.sport, 2)));
  if (spec.dport !== undefined) attrs.push(attr(FRA_DPORT_RANGE, rangeBytes(spec.dport, 2)));
  if (spec.ipProto !== undefined) attrs.push(attrU8(FRA_IP_PROTO, spec.ipProto));
  if (spec.gotoPriority !== undefined) attrs.push(attrU32(FRA_GOTO, spec.gotoPriority));
  if (spec.suppressIfGroup !== undefined) attrs.push(attrU32(FRA_SUPPRESS_IFGROUP, spec.suppressIfGroup));
  if (spec.suppressPrefixLength !== undefined) attrs.push(attrU32(FRA_SUPPRESS_PREFIXLEN, spec.suppressPrefixLength));
  if (spec.l3mdev === true) attrs.push(attrU8(FRA_L3MDEV, 1));
  if (spec.protocol !== undefined) attrs.push(attrU8(FRA_PROTOCOL, spec.protocol));
  const h = Buffer.alloc(FIB_RULE_HDR_LEN);
  h.writeUInt8(spec.family, 0);
  h.writeUInt8(to?.prefixLength ?? 0, 1);
  h.writeUInt8(from?.prefixLength ?? 0, 2);
  h.writeUInt8(spec.tos ?? 0, 3);
  h.writeUInt8(table > 255 ? RT_TABLE_UNSPEC : table, 4);
  h.writeUInt8(action, 7);
  h.writeUInt32LE(spec.invert === true ? FIB_RULE_INVERT : 0, 8);
  return Buffer.concat([h, ...attrs]);
}

function rangeBytes(r: Range, size: 2 | 4): Buffer {
  const max = size === 2 ? 0xffff : 0xffffffff;
  for (const v of [r.start, r.end]) if (!Number.isInteger(v) || v < 0 || v > max) throw new NetlinkEncodeError(`range bound ${v}`);
  if (r.start > r.end) throw new NetlinkEncodeError(`range ${r.start}-${r.end} is reversed`);
  const b = Buffer.alloc(size * 2);
  if (size === 2) { b.writeUInt16LE(r.start, 0); b.writeUInt16LE(r.end, 2); } else { b.writeUInt32LE(r.start, 0); b.writeUInt32LE(r.end, 4); }
  return b;
}

function decodeRange(b: Buffer | undefined, size: 2 | 4, offset: number): Range | undefined {
  if (b === undefined) return undefined;
  if (b.length < size * 2) throw new NetlinkDecodeError(`range of ${b.length} bytes`, offset);
  return size === 2 ? { start: b.readUInt16LE(0), end: b.readUInt16LE(2) } : { start: b.readUInt32LE(0), end: b.readUInt32LE(4) };
}

/** Decodes RTM_NEWRULE / RTM_DELRULE payloads. */
export function decodeRule(payload: Buffer): RuleInfo {
  if (payload.length < FIB_RULE_HDR_LEN) throw new NetlinkDecodeError(`fib_rule_hdr needs ${FIB_RULE_HDR_LEN} bytes`, 16);
  const r = AttributeReader.of(payload.subarray(FIB_RULE_HDR_LEN), 16 + FIB_RULE_HDR_LEN);
  const family = payload.readUInt8(0);
  if (family !== AF_INET && family !== 10) throw new NetlinkDecodeError(`rule family ${family}`, 16);
  const actionNum = payload.readUInt8(7);
  const prefix = (t: number, len: number): string | undefined => {
    const b = r.bytes(t);
    return b === undefined ? undefined : `${bytesToIp(b, r.raw(t)?.offset ?? 0)}/${len}`;
  };
  const out: Record<string, unknown> = {
    family, table: r.u32(FRA_TABLE) ?? payload.readUInt8(4), tos: payload.readUInt8(3),
    action: [...actions].find(([, v]) => v === actionNum)?.[0] ?? 'unspec',
    invert: (payload.readUInt32LE(8) & FIB_RULE_INVERT) !== 0,
  };
  const optional: Array<[string, unknown]> = [
    ['from', prefix(FRA_SRC, payload.readUInt8(2))], ['to', prefix(FRA_DST, payload.readUInt8(1))],
    ['iif', r.string(FRA_IIFNAME)], ['oif', r.string(FRA_OIFNAME)], ['priority', r.u32(FRA_PRIORITY)],
    ['fwmark', r.u32(FRA_FWMARK)], ['fwmask', r.u32(FRA_FWMASK)], ['gotoPriority', r.u32(FRA_GOTO)],
    ['suppressPrefixLength', r.u32(FRA_SUPPRESS_PREFIXLEN)], ['suppressIfGroup', r.u32(FRA_SUPPRESS_IFGROUP)],
    ['protocol', r.u8(FRA_PROTOCOL)], ['ipProto', r.u8(FRA_IP_PROTO)],
    ['uidRange', decodeRange(r.bytes(FRA_UID_RANGE), 4, 16)], ['sport', decodeRange(r.bytes(FRA_SPORT_RANGE), 2, 16)],
    ['dport', decodeRange(r.bytes(FRA_DPORT_RANGE), 2, 16)],
  ];
  for (const [k, v] of optional) if (v !== undefined) out[k] = v;
  if (r.u8(FRA_L3MDEV) === 1) out.l3mdev = true;
  return out as unknown as RuleInfo;
}
