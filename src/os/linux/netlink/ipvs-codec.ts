/**
 * IPVS generic netlink payloads (genlmsghdr + attributes) for services and destinations.
 * Byte orders per include/uapi/linux/ip_vs.h: addresses (16-byte union nf_inet_addr, as
 * keepalived sends it) and ports are network order; everything else host order; the IPv4
 * persistence netmask is a be32 mask, the IPv6 one a prefix length.
 */
import { AF_INET, AF_INET6 } from './constants.js';
import {
  IP_VS_CONN_F_BYPASS, IP_VS_CONN_F_DROUTE, IP_VS_CONN_F_FWD_MASK, IP_VS_CONN_F_LOCALNODE, IP_VS_CONN_F_MASQ,
  IP_VS_CONN_F_TUNNEL, IP_VS_PENAME_MAXLEN, IP_VS_SCHEDNAME_MAXLEN, IPVS_CMD_ATTR_DEST, IPVS_CMD_ATTR_SERVICE,
  IPVS_CMD_NEW_SERVICE, IPVS_CMD_SET_SERVICE,
  IPVS_DEST_ATTR_ACTIVE_CONNS, IPVS_DEST_ATTR_ADDR, IPVS_DEST_ATTR_ADDR_FAMILY, IPVS_DEST_ATTR_FWD_METHOD,
  IPVS_DEST_ATTR_INACT_CONNS, IPVS_DEST_ATTR_L_THRESH, IPVS_DEST_ATTR_PERSIST_CONNS, IPVS_DEST_ATTR_PORT,
  IPVS_DEST_ATTR_STATS, IPVS_DEST_ATTR_STATS64, IPVS_DEST_ATTR_TUN_FLAGS, IPVS_DEST_ATTR_TUN_PORT, IPVS_DEST_ATTR_TUN_TYPE,
  IPVS_DEST_ATTR_U_THRESH, IPVS_DEST_ATTR_WEIGHT, IPVS_GENL_VERSION, IPVS_SVC_ATTR_AF, IPVS_SVC_ATTR_ADDR,
  IPVS_SVC_ATTR_FLAGS, IPVS_SVC_ATTR_FWMARK, IPVS_SVC_ATTR_NETMASK, IPVS_SVC_ATTR_PE_NAME, IPVS_SVC_ATTR_PORT,
  IPVS_SVC_ATTR_PROTOCOL, IPVS_SVC_ATTR_SCHED_NAME, IPVS_SVC_ATTR_STATS, IPVS_SVC_ATTR_STATS64, IPVS_SVC_ATTR_TIMEOUT,
} from './ipvs-constants.js';
import { attr, attrBe16, attrContainer, attrString, attrU16, attrU32, attrU8, AttributeReader } from './attributes.js';
import { NetlinkDecodeError, NetlinkEncodeError } from './errors.js';
import { decodeGenl, encodeGenl } from './genl-codec.js';
import { AddressFamily, bytesToIpOfFamily, ipToBytes } from './ip-address.js';
import {
  IpvsDest, IpvsDestInfo, IpvsForwarding, ipvsProtocolNumbers, IpvsService, IpvsServiceInfo, IpvsServiceKey, IpvsTunnelType,
} from './ipvs-types.js';
import { decodeStats } from './ipvs-stats.js';

const forwardings: ReadonlyMap<IpvsForwarding, number> = new Map<IpvsForwarding, number>([
  ['masq', IP_VS_CONN_F_MASQ], ['local', IP_VS_CONN_F_LOCALNODE], ['tunnel', IP_VS_CONN_F_TUNNEL],
  ['route', IP_VS_CONN_F_DROUTE], ['bypass', IP_VS_CONN_F_BYPASS],
]);
const tunnelTypes: ReadonlyMap<IpvsTunnelType, number> = new Map<IpvsTunnelType, number>([['ipip', 0], ['gue', 1], ['gre', 2]]);

function reverse<K, V>(m: ReadonlyMap<K, V>, v: V): K | undefined {
  for (const [k, x] of m) if (x === v) return k;
  return undefined;
}

/** 16-byte union nf_inet_addr holding `address` (IPv4 in the first 4 bytes). */
export function inetAddr16(address: string, family: AddressFamily): Buffer {
  const ip = ipToBytes(address);
  if (ip.family !== family) throw new NetlinkEncodeError(`${address} is not of family ${family}`);
  const out = Buffer.alloc(16);
  ip.bytes.copy(out);
  return out;
}

function netmaskBytes(family: AddressFamily, prefixLength: number): Buffer {
  const b = Buffer.alloc(4);
  if (family === AF_INET6) {
    if (!Number.isInteger(prefixLength) || prefixLength < 1 || prefixLength > 128) throw new NetlinkEncodeError(`IPv6 persistence prefix ${prefixLength}`);
    b.writeUInt32LE(prefixLength, 0);
    return b;
  }
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 32) throw new NetlinkEncodeError(`IPv4 persistence prefix ${prefixLength}`);
  b.writeUInt32BE(prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0, 0);
  return b;
}

function decodeNetmask(family: number, b: Buffer | undefined): number {
  if (b === undefined || b.length < 4) return family === AF_INET6 ? 128 : 32;
  if (family === AF_INET6) return b.readUInt32LE(0);
  let mask = b.readUInt32BE(0);
  let len = 0;
  while (mask & 0x80000000) { len++; mask = (mask << 1) >>> 0; }
  return len;
}

/** The identifying attributes of a service (enough for DEL_SERVICE, GET_SERVICE, *_DEST). */
function serviceKeyAttrs(key: IpvsServiceKey): Buffer[] {
  const attrs = [attrU16(IPVS_SVC_ATTR_AF, key.family)];
  if ('fwmark' in key) {
    attrs.push(attrU32(IPVS_SVC_ATTR_FWMARK, key.fwmark));
    return attrs;
  }
  const proto = ipvsProtocolNumbers.get(key.protocol);
  if (proto === undefined) throw new NetlinkEncodeError(`unknown IPVS protocol ${String(key.protocol)}`);
  attrs.push(attrU16(IPVS_SVC_ATTR_PROTOCOL, proto), attr(IPVS_SVC_ATTR_ADDR, inetAddr16(key.address, key.family)),
    attrBe16(IPVS_SVC_ATTR_PORT, key.port));
  return attrs;
}

/** IPVS_CMD_ATTR_SERVICE holding a full service (NEW/SET_SERVICE) or only its key. */
export function encodeServiceAttr(svc: IpvsService | IpvsServiceKey): Buffer {
  const attrs = serviceKeyAttrs(svc);
  if ('scheduler' in svc) {
    attrs.push(attrString(IPVS_SVC_ATTR_SCHED_NAME, svc.scheduler, IP_VS_SCHEDNAME_MAXLEN));
    if (svc.peName !== undefined) attrs.push(attrString(IPVS_SVC_ATTR_PE_NAME, svc.peName, IP_VS_PENAME_MAXLEN));
    const flags = Buffer.alloc(8); // struct ip_vs_flags { u32 flags; u32 mask; }
    flags.writeUInt32LE(svc.flags >>> 0, 0);
    flags.writeUInt32LE(0xffffffff, 4);
    attrs.push(attr(IPVS_SVC_ATTR_FLAGS, flags), attrU32(IPVS_SVC_ATTR_TIMEOUT, svc.timeoutSec),
      attr(IPVS_SVC_ATTR_NETMASK, netmaskBytes(svc.family, svc.netmaskPrefixLength)));
  }
  return attrContainer(IPVS_CMD_ATTR_SERVICE, attrs);
}

/** IPVS_CMD_ATTR_SERVICE with only the identifying attributes, even when given a full service. */
export function encodeServiceKeyAttr(key: IpvsServiceKey): Buffer {
  return attrContainer(IPVS_CMD_ATTR_SERVICE, serviceKeyAttrs(key));
}

/** Genl payload of a service command (NEW/SET/DEL/GET_SERVICE). */
export function encodeServiceCommand(cmd: number, svc: IpvsService | IpvsServiceKey): Buffer {
  const full = cmd === IPVS_CMD_NEW_SERVICE || cmd === IPVS_CMD_SET_SERVICE;
  return encodeGenl(cmd, IPVS_GENL_VERSION, [full ? encodeServiceAttr(svc) : encodeServiceKeyAttr(svc)]);
}

/** IPVS_CMD_ATTR_DEST holding a full destination (NEW/SET_DEST) or only address/port (DEL_DEST). */
export function encodeDestAttr(dest: IpvsDest | Pick<IpvsDest, 'address' | 'port' | 'family'>, serviceFamily: AddressFamily): Buffer {
  const family = dest.family ?? serviceFamily;
  const attrs = [attr(IPVS_DEST_ATTR_ADDR, inetAddr16(dest.address, family)), attrBe16(IPVS_DEST_ATTR_PORT, dest.port),
    attrU16(IPVS_DEST_ATTR_ADDR_FAMILY, family)];
  if ('forwarding' in dest) {
    const fwd = forwardings.get(dest.forwarding);
    if (fwd === undefined) throw new NetlinkEncodeError(`unknown forwarding method ${String(dest.forwarding)}`);
    if (!Number.isInteger(dest.weight) || dest.weight < 0 || dest.weight > 0x7fffffff) throw new NetlinkEncodeError(`weight ${dest.weight}`);
    attrs.push(attrU32(IPVS_DEST_ATTR_FWD_METHOD, fwd), attrU32(IPVS_DEST_ATTR_WEIGHT, dest.weight),
      attrU32(IPVS_DEST_ATTR_U_THRESH, dest.upperThreshold), attrU32(IPVS_DEST_ATTR_L_THRESH, dest.lowerThreshold));
    if (dest.tunnelType !== undefined) attrs.push(attrU8(IPVS_DEST_ATTR_TUN_TYPE, tunnelTypes.get(dest.tunnelType) ?? 0));
    if (dest.tunnelPort !== undefined) attrs.push(attrBe16(IPVS_DEST_ATTR_TUN_PORT, dest.tunnelPort));
    if (dest.tunnelFlags !== undefined) attrs.push(attrU16(IPVS_DEST_ATTR_TUN_FLAGS, dest.tunnelFlags));
  }
  return attrContainer(IPVS_CMD_ATTR_DEST, attrs);
}

/** Genl payload of a destination command (NEW/SET/DEL_DEST) for the service `key`. */
export function encodeDestCommand(cmd: number, key: IpvsServiceKey, dest: IpvsDest | Pick<IpvsDest, 'address' | 'port' | 'family'>): Buffer {
  return encodeGenl(cmd, IPVS_GENL_VERSION, [encodeServiceKeyAttr(key), encodeDestAttr(dest, key.family)]);
}

/** Decodes the service nested in a NEW_SERVICE reply (one entry of a GET_SERVICE dump). */
export function decodeServiceMessage(payload: Buffer): IpvsServiceInfo {
  const svc = decodeGenl(payload).attrs.nested(IPVS_CMD_ATTR_SERVICE);
  if (svc === undefined) throw new NetlinkDecodeError('IPVS service message without IPVS_CMD_ATTR_SERVICE', 20);
  return decodeServiceAttrs(svc);
}

export function decodeServiceAttrs(r: AttributeReader): IpvsServiceInfo {
  const family = r.u16(IPVS_SVC_ATTR_AF);
  if (family !== AF_INET && family !== AF_INET6) throw new NetlinkDecodeError(`IPVS service family ${String(family)}`, 20);
  const flagsRaw = r.bytes(IPVS_SVC_ATTR_FLAGS);
  const options = {
    scheduler: r.string(IPVS_SVC_ATTR_SCHED_NAME) ?? '',
    flags: flagsRaw !== undefined && flagsRaw.length >= 4 ? flagsRaw.readUInt32LE(0) : 0,
    timeoutSec: r.u32(IPVS_SVC_ATTR_TIMEOUT) ?? 0,
    netmaskPrefixLength: decodeNetmask(family, r.bytes(IPVS_SVC_ATTR_NETMASK)),
    ...optionalField('peName', r.string(IPVS_SVC_ATTR_PE_NAME)),
    ...optionalField('stats', decodeStats(r.nested(IPVS_SVC_ATTR_STATS64), r.nested(IPVS_SVC_ATTR_STATS))),
  };
  const fwmark = r.u32(IPVS_SVC_ATTR_FWMARK);
  const addr = r.bytes(IPVS_SVC_ATTR_ADDR);
  if (fwmark !== undefined && fwmark !== 0) return { family, fwmark, ...options };
  const protoNum = r.u16(IPVS_SVC_ATTR_PROTOCOL);
  const protocol = reverse(ipvsProtocolNumbers, protoNum);
  if (addr === undefined || protocol === undefined) throw new NetlinkDecodeError('IPVS service without fwmark or protocol/address', 20);
  return { family, protocol, address: bytesToIpOfFamily(addr, family), port: r.be16(IPVS_SVC_ATTR_PORT) ?? 0, ...options };
}

function optionalField<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Decodes the destination nested in a NEW_DEST reply (one entry of a GET_DEST dump). */
export function decodeDestMessage(payload: Buffer, serviceFamily: AddressFamily): IpvsDestInfo {
  const d = decodeGenl(payload).attrs.nested(IPVS_CMD_ATTR_DEST);
  if (d === undefined) throw new NetlinkDecodeError('IPVS dest message without IPVS_CMD_ATTR_DEST', 20);
  const family = d.u16(IPVS_DEST_ATTR_ADDR_FAMILY) ?? serviceFamily;
  if (family !== AF_INET && family !== AF_INET6) throw new NetlinkDecodeError(`IPVS dest family ${family}`, 20);
  const addr = d.bytes(IPVS_DEST_ATTR_ADDR);
  if (addr === undefined) throw new NetlinkDecodeError('IPVS dest without address', 20);
  const fwd = reverse(forwardings, (d.u32(IPVS_DEST_ATTR_FWD_METHOD) ?? 0) & IP_VS_CONN_F_FWD_MASK) ?? 'masq';
  const tunType = d.u8(IPVS_DEST_ATTR_TUN_TYPE);
  return {
    address: bytesToIpOfFamily(addr, family), port: d.be16(IPVS_DEST_ATTR_PORT) ?? 0, family, forwarding: fwd,
    weight: d.s32(IPVS_DEST_ATTR_WEIGHT) ?? 0, upperThreshold: d.u32(IPVS_DEST_ATTR_U_THRESH) ?? 0,
    lowerThreshold: d.u32(IPVS_DEST_ATTR_L_THRESH) ?? 0, activeConns: d.u32(IPVS_DEST_ATTR_ACTIVE_CONNS) ?? 0,
    inactiveConns: d.u32(IPVS_DEST_ATTR_INACT_CONNS) ?? 0, persistConns: d.u32(IPVS_DEST_ATTR_PERSIST_CONNS) ?? 0,
    ...optionalField('tunnelType', tunType === undefined ? undefined : reverse(tunnelTypes, tunType)),
    ...optionalField('tunnelPort', d.be16(IPVS_DEST_ATTR_TUN_PORT)),
    ...optionalField('tunnelFlags', d.u16(IPVS_DEST_ATTR_TUN_FLAGS)),
    ...optionalField('stats', decodeStats(d.nested(IPVS_DEST_ATTR_STATS64), d.nested(IPVS_DEST_ATTR_STATS))),
  };
}
