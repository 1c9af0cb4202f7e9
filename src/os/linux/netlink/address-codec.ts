/**
 * rtnetlink addresses: struct ifaddrmsg + IFA_* attributes (RTM_NEWADDR/DELADDR/GETADDR).
 *
 * ifaddrmsg (8 bytes): u8 ifa_family, u8 ifa_prefixlen, u8 ifa_flags (low 8 IFA_F_* bits),
 * u8 ifa_scope (RT_SCOPE_*), u32 ifa_index. Full flags travel in IFA_FLAGS (u32).
 * IFA_LOCAL is the address of the interface, IFA_ADDRESS the peer on point-to-point (equal to
 * IFA_LOCAL otherwise). IFA_CACHEINFO: u32 preferred, u32 valid, u32 cstamp, u32 tstamp (seconds
 * and hundredths; 0xffffffff lifetimes mean forever).
 */
import {
  AF_INET, IFA_ADDRESS, IFA_BROADCAST, IFA_CACHEINFO, IFA_F_DEPRECATED, IFA_F_HOMEADDRESS, IFA_F_MANAGETEMPADDR,
  IFA_F_MCAUTOJOIN, IFA_F_NODAD, IFA_F_NOPREFIXROUTE, IFA_F_PERMANENT, IFA_F_SECONDARY, IFA_F_TENTATIVE, IFA_FLAGS,
  IFA_LABEL, IFA_LOCAL, INFINITY_LIFE_TIME, RT_SCOPE_UNIVERSE,
} from './constants.js';
import { attr, attrString, attrU32, AttributeReader } from './attributes.js';
import { NetlinkDecodeError, NetlinkEncodeError } from './errors.js';
import { AddressFamily, bytesToIp, ipToBytes } from './ip-address.js';
import { IFNAMSIZ } from './link-codec.js';

export const IFADDRMSG_LEN = 8;

export interface AddressFlags {
  readonly nodad?: boolean;
  readonly homeAddress?: boolean;
  readonly noPrefixRoute?: boolean;
  readonly manageTempAddr?: boolean;
  readonly autoJoin?: boolean;
}

export interface AddressSpec {
  readonly index: number;
  readonly address: string;
  readonly prefixLength: number;
  /** Point-to-point peer (IFA_ADDRESS); `prefixLength` then applies to the peer. */
  readonly peer?: string;
  /** IPv4 broadcast (IFA_BROADCAST). */
  readonly broadcast?: string;
  /** IPv4 label ("eth0:vip"); must start with the interface name for the kernel to list it. */
  readonly label?: string;
  /** RT_SCOPE_* number (0 global, 200 site, 253 link, 254 host, 255 nowhere). */
  readonly scope?: number;
  /** Preferred lifetime in seconds (0 = deprecated, as keepalived sets for IPv6 /128 VIPs). */
  readonly preferredLifetimeSec?: number;
  readonly validLifetimeSec?: number;
  readonly flags?: AddressFlags;
}

export interface AddressInfo {
  readonly family: AddressFamily;
  readonly index: number;
  readonly prefixLength: number;
  readonly scope: number;
  /** All IFA_F_* bits (IFA_FLAGS when present, else ifa_flags). */
  readonly flags: number;
  readonly address: string;
  readonly peer?: string;
  readonly broadcast?: string;
  readonly label?: string;
  readonly preferredLifetimeSec?: number;
  readonly validLifetimeSec?: number;
  readonly secondary: boolean;
  readonly tentative: boolean;
  readonly deprecated: boolean;
  readonly permanent: boolean;
}

export function addressFlagBits(f: AddressFlags | undefined): number {
  if (f === undefined) return 0;
  return (f.nodad ? IFA_F_NODAD : 0) | (f.homeAddress ? IFA_F_HOMEADDRESS : 0) | (f.noPrefixRoute ? IFA_F_NOPREFIXROUTE : 0)
    | (f.manageTempAddr ? IFA_F_MANAGETEMPADDR : 0) | (f.autoJoin ? IFA_F_MCAUTOJOIN : 0);
}

function encodeIfAddr(family: number, prefixLength: number, flags: number, scope: number, index: number): Buffer {
  const b = Buffer.alloc(IFADDRMSG_LEN);
  b.writeUInt8(family, 0);
  b.writeUInt8(prefixLength, 1);
  b.writeUInt8(flags & 0xff, 2);
  b.writeUInt8(scope, 3);
  b.writeUInt32LE(index >>> 0, 4);
  return b;
}

/** Body of RTM_NEWADDR (add) or RTM_DELADDR (delete): the same bytes identify the address. */
export function encodeAddress(spec: AddressSpec): Buffer {
  const local = ipToBytes(spec.address);
  const max = local.family === AF_INET ? 32 : 128;
  if (!Number.isInteger(spec.prefixLength) || spec.prefixLength < 0 || spec.prefixLength > max) {
    throw new NetlinkEncodeError(`prefix length ${spec.prefixLength} for ${spec.address}`);
  }
  const flags = addressFlagBits(spec.flags);
  const scope = spec.scope ?? RT_SCOPE_UNIVERSE;
  if (!Number.isInteger(scope) || scope < 0 || scope > 255) throw new NetlinkEncodeError(`scope ${scope}`);
  // Attribute order as ip(8) sends it: LOCAL, [peer ADDRESS], BROADCAST, LABEL, FLAGS, ADDRESS, CACHEINFO.
  const attrs = [attr(IFA_LOCAL, local.bytes)];
  const peer = spec.peer === undefined ? undefined : ipToBytes(spec.peer);
  if (peer !== undefined && peer.family !== local.family) throw new NetlinkEncodeError(`peer ${spec.peer ?? ''} is not the family of ${spec.address}`);
  if (peer !== undefined) attrs.push(attr(IFA_ADDRESS, peer.bytes));
  if (spec.broadcast !== undefined) attrs.push(attr(IFA_BROADCAST, ipv4Only(spec.broadcast, 'broadcast')));
  if (spec.label !== undefined) attrs.push(attrString(IFA_LABEL, spec.label, IFNAMSIZ));
  if (flags > 0xff) attrs.push(attrU32(IFA_FLAGS, flags));
  if (peer === undefined) attrs.push(attr(IFA_ADDRESS, local.bytes));
  if (spec.preferredLifetimeSec !== undefined || spec.validLifetimeSec !== undefined) {
    attrs.push(attr(IFA_CACHEINFO, encodeCacheInfo(spec.preferredLifetimeSec, spec.validLifetimeSec)));
  }
  const headerFlags = flags > 0xff ? 0 : flags;
  return Buffer.concat([encodeIfAddr(local.family, spec.prefixLength, headerFlags, scope, spec.index), ...attrs]);
}

function ipv4Only(text: string, what: string): Buffer {
  const ip = ipToBytes(text);
  if (ip.family !== AF_INET) throw new NetlinkEncodeError(`${what} ${text} must be IPv4`);
  return ip.bytes;
}

function encodeCacheInfo(preferredSec: number | undefined, validSec: number | undefined): Buffer {
  const b = Buffer.alloc(16);
  const valid = validSec ?? INFINITY_LIFE_TIME;
  const preferred = preferredSec ?? valid;
  if (preferred > valid) throw new NetlinkEncodeError(`preferred lifetime ${preferred} exceeds valid lifetime ${valid}`);
  b.writeUInt32LE(preferred >>> 0, 0);
  b.writeUInt32LE(valid >>> 0, 4);
  return b;
}

/** RTM_GETADDR dump body, optionally for one family. */
export function encodeAddressDumpRequest(family = 0): Buffer {
  return encodeIfAddr(family, 0, 0, 0, 0);
}

/** Decodes RTM_NEWADDR / RTM_DELADDR payloads. */
export function decodeAddress(payload: Buffer): AddressInfo {
  if (payload.length < IFADDRMSG_LEN) throw new NetlinkDecodeError(`ifaddrmsg needs ${IFADDRMSG_LEN} bytes, got ${payload.length}`, 16);
  const family = payload.readUInt8(0);
  const r = AttributeReader.of(payload.subarray(IFADDRMSG_LEN), 16 + IFADDRMSG_LEN);
  const localBytes = r.bytes(IFA_LOCAL);
  const addrBytes = r.bytes(IFA_ADDRESS);
  const main = localBytes ?? addrBytes;
  if (main === undefined) throw new NetlinkDecodeError('address message without IFA_LOCAL or IFA_ADDRESS', 16);
  const address = ipOf(main, r.raw(IFA_LOCAL)?.offset ?? 0);
  const flags = r.u32(IFA_FLAGS) ?? payload.readUInt8(2);
  const out: Record<string, unknown> = {
    family, index: payload.readUInt32LE(4), prefixLength: payload.readUInt8(1), scope: payload.readUInt8(3), flags, address,
    secondary: (flags & IFA_F_SECONDARY) !== 0, tentative: (flags & IFA_F_TENTATIVE) !== 0,
    deprecated: (flags & IFA_F_DEPRECATED) !== 0, permanent: (flags & IFA_F_PERMANENT) !== 0,
  };
  if (localBytes !== undefined && addrBytes !== undefined && !localBytes.equals(addrBytes)) out.peer = ipOf(addrBytes, 0);
  const brd = r.bytes(IFA_BROADCAST);
  if (brd !== undefined) out.broadcast = ipOf(brd, 0);
  const label = r.string(IFA_LABEL);
  if (label !== undefined) out.label = label;
  const ci = r.bytes(IFA_CACHEINFO);
  if (ci !== undefined) {
    if (ci.length < 8) throw new NetlinkDecodeError(`IFA_CACHEINFO of ${ci.length} bytes`, 16);
    out.preferredLifetimeSec = ci.readUInt32LE(0);
    out.validLifetimeSec = ci.readUInt32LE(4);
  }
  if (family !== 2 && family !== 10) throw new NetlinkDecodeError(`address family ${family}`, 16);
  return out as unknown as AddressInfo;
}

function ipOf(bytes: Buffer, offset: number): string {
  return bytesToIp(bytes, offset);
}
