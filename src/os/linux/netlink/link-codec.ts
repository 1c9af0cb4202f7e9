/**
 * rtnetlink links: struct ifinfomsg + IFLA_* attributes (RTM_NEWLINK/DELLINK/GETLINK).
 *
 * ifinfomsg (16 bytes): u8 ifi_family, u8 pad, u16 ifi_type (ARPHRD_*), s32 ifi_index,
 * u32 ifi_flags (IFF_*), u32 ifi_change (mask of flags to change).
 */
import {
  AF_UNSPEC, IFF_LOWER_UP, IFF_RUNNING, IFF_UP, IFLA_ADDRESS, IFLA_BROADCAST, IFLA_CARRIER, IFLA_IFALIAS,
  IFLA_IFNAME, IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_LINK, IFLA_LINKINFO, IFLA_MACVLAN_FLAGS, IFLA_MACVLAN_MODE,
  IFLA_MASTER, IFLA_MTU, IFLA_OPERSTATE, MACVLAN_MODE_BRIDGE, MACVLAN_MODE_PASSTHRU, MACVLAN_MODE_PRIVATE,
  MACVLAN_MODE_SOURCE, MACVLAN_MODE_VEPA,
} from './constants.js';
import { attr, attrContainer, attrString, attrU32, AttributeReader } from './attributes.js';
import { NetlinkDecodeError, NetlinkEncodeError } from './errors.js';

export const IFINFOMSG_LEN = 16;
export const IFNAMSIZ = 16;

export type MacvlanMode = 'private' | 'vepa' | 'bridge' | 'passthru' | 'source';

const macvlanModes: ReadonlyMap<MacvlanMode, number> = new Map<MacvlanMode, number>([
  ['private', MACVLAN_MODE_PRIVATE], ['vepa', MACVLAN_MODE_VEPA], ['bridge', MACVLAN_MODE_BRIDGE],
  ['passthru', MACVLAN_MODE_PASSTHRU], ['source', MACVLAN_MODE_SOURCE],
]);

export interface IfInfoHeader {
  readonly family: number;
  /** ARPHRD_* (1 = Ethernet, 772 = loopback). */
  readonly deviceType: number;
  readonly index: number;
  readonly flags: number;
  readonly change: number;
}

export interface LinkInfo extends IfInfoHeader {
  readonly name: string;
  readonly up: boolean;
  readonly running: boolean;
  readonly lowerUp: boolean;
  /** IF_OPER_* (6 = up, 2 = down). */
  readonly operState?: number;
  readonly mtu?: number;
  readonly mac?: string;
  readonly broadcastMac?: string;
  /** Parent link index (IFLA_LINK), e.g. of a macvlan. */
  readonly parentIndex?: number;
  readonly masterIndex?: number;
  readonly carrier?: boolean;
  readonly alias?: string;
  /** IFLA_INFO_KIND ("macvlan", "veth", "bridge" ...). */
  readonly kind?: string;
  readonly macvlanMode?: MacvlanMode;
  readonly macvlanFlags?: number;
}

export function encodeIfInfo(h: Partial<IfInfoHeader>): Buffer {
  const b = Buffer.alloc(IFINFOMSG_LEN);
  b.writeUInt8(h.family ?? AF_UNSPEC, 0);
  b.writeUInt16LE(h.deviceType ?? 0, 2);
  b.writeInt32LE(h.index ?? 0, 4);
  b.writeUInt32LE((h.flags ?? 0) >>> 0, 8);
  b.writeUInt32LE((h.change ?? 0) >>> 0, 12);
  return b;
}

export function decodeIfInfo(payload: Buffer): IfInfoHeader {
  if (payload.length < IFINFOMSG_LEN) throw new NetlinkDecodeError(`ifinfomsg needs ${IFINFOMSG_LEN} bytes, got ${payload.length}`, 16);
  return {
    family: payload.readUInt8(0),
    deviceType: payload.readUInt16LE(2),
    index: payload.readInt32LE(4),
    flags: payload.readUInt32LE(8),
    change: payload.readUInt32LE(12),
  };
}

export function macToBytes(mac: string): Buffer {
  const parts = mac.split(':');
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) throw new NetlinkEncodeError(`"${mac}" is not a MAC address`);
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

export function bytesToMac(bytes: Buffer): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Decodes the payload of RTM_NEWLINK / RTM_DELLINK. */
export function decodeLink(payload: Buffer): LinkInfo {
  const h = decodeIfInfo(payload);
  const r = AttributeReader.of(payload.subarray(IFINFOMSG_LEN), 16 + IFINFOMSG_LEN);
  const name = r.string(IFLA_IFNAME);
  if (name === undefined) throw new NetlinkDecodeError(`link ${h.index} has no IFLA_IFNAME`, 16);
  const out: Record<string, unknown> = {
    ...h, name, up: (h.flags & IFF_UP) !== 0, running: (h.flags & IFF_RUNNING) !== 0, lowerUp: (h.flags & IFF_LOWER_UP) !== 0,
  };
  setIf(out, 'operState', r.u8(IFLA_OPERSTATE));
  setIf(out, 'mtu', r.u32(IFLA_MTU));
  const mac = r.bytes(IFLA_ADDRESS);
  if (mac !== undefined) out.mac = bytesToMac(mac);
  const brd = r.bytes(IFLA_BROADCAST);
  if (brd !== undefined) out.broadcastMac = bytesToMac(brd);
  setIf(out, 'parentIndex', r.u32(IFLA_LINK));
  setIf(out, 'masterIndex', r.u32(IFLA_MASTER));
  const carrier = r.u8(IFLA_CARRIER);
  if (carrier !== undefined) out.carrier = carrier !== 0;
  setIf(out, 'alias', r.string(IFLA_IFALIAS));
  decodeLinkInfo(r.nested(IFLA_LINKINFO), out);
  return out as unknown as LinkInfo;
}

function decodeLinkInfo(info: AttributeReader | undefined, out: Record<string, unknown>): void {
  if (info === undefined) return;
  const kind = info.string(IFLA_INFO_KIND);
  setIf(out, 'kind', kind);
  if (kind !== 'macvlan' || !info.has(IFLA_INFO_DATA)) return;
  const data = info.nested(IFLA_INFO_DATA);
  const mode = data?.u32(IFLA_MACVLAN_MODE);
  if (mode !== undefined) {
    for (const [name, value] of macvlanModes) if (value === mode) out.macvlanMode = name;
  }
  setIf(out, 'macvlanFlags', data?.u16(IFLA_MACVLAN_FLAGS));
}

function setIf(out: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) out[key] = value;
}

/** RTM_GETLINK dump request body (all links). */
export function encodeLinkDumpRequest(): Buffer {
  return encodeIfInfo({});
}

/** RTM_GETLINK for one link, by index or by name. */
export function encodeLinkGetRequest(target: { index: number } | { name: string }): Buffer {
  if ('index' in target) return encodeIfInfo({ index: target.index });
  return Buffer.concat([encodeIfInfo({}), attrString(IFLA_IFNAME, target.name, IFNAMSIZ)]);
}

export interface MacvlanSpec {
  readonly name: string;
  readonly parentIndex: number;
  readonly mode: MacvlanMode;
  /** MAC of the new link, e.g. 00:00:5e:00:01:VRID for a VRRP VMAC. */
  readonly mac?: string;
  readonly mtu?: number;
  /** Bring the link up at creation (IFF_UP). */
  readonly up?: boolean;
}

/** RTM_NEWLINK (with NLM_F_CREATE|NLM_F_EXCL) body creating a macvlan on `parentIndex`. */
export function encodeMacvlanCreate(spec: MacvlanSpec): Buffer {
  const mode = macvlanModes.get(spec.mode);
  if (mode === undefined) throw new NetlinkEncodeError(`unknown macvlan mode ${spec.mode}`);
  // Attribute order and plain (non-NLA_F_NESTED) containers as ip(8) sends them.
  const attrs: Buffer[] = [];
  if (spec.mac !== undefined) attrs.push(attr(IFLA_ADDRESS, macToBytes(spec.mac)));
  attrs.push(attrU32(IFLA_LINK, spec.parentIndex), attrString(IFLA_IFNAME, spec.name, IFNAMSIZ));
  if (spec.mtu !== undefined) attrs.push(attrU32(IFLA_MTU, spec.mtu));
  attrs.push(attrContainer(IFLA_LINKINFO, [
    attr(IFLA_INFO_KIND, Buffer.from('macvlan')), // unterminated, as ip(8) sends it
    attrContainer(IFLA_INFO_DATA, [attrU32(IFLA_MACVLAN_MODE, mode)]),
  ]));
  const up = spec.up === true ? IFF_UP : 0;
  return Buffer.concat([encodeIfInfo({ flags: up, change: up }), ...attrs]);
}

/** RTM_DELLINK body for a link index. */
export function encodeLinkDelete(index: number): Buffer {
  return encodeIfInfo({ index });
}

/** RTM_NEWLINK body that sets a link up or down (ifi_change = IFF_UP). */
export function encodeLinkSetUp(index: number, up: boolean): Buffer {
  return encodeIfInfo({ index, flags: up ? IFF_UP : 0, change: IFF_UP });
}
