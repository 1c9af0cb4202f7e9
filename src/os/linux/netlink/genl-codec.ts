/**
 * Generic netlink: struct genlmsghdr { u8 cmd; u8 version; u16 reserved; } followed by
 * attributes, and the controller family (nlctrl, id 0x10) used to resolve family names to ids.
 */
import {
  CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME, CTRL_ATTR_HDRSIZE, CTRL_ATTR_MAXATTR, CTRL_ATTR_MCAST_GROUPS,
  CTRL_ATTR_MCAST_GRP_ID, CTRL_ATTR_MCAST_GRP_NAME, CTRL_ATTR_VERSION, CTRL_CMD_GETFAMILY, GENL_HDRLEN,
} from './constants.js';
import { attrString, AttributeReader } from './attributes.js';
import { NetlinkDecodeError } from './errors.js';

export interface GenlMessage {
  readonly cmd: number;
  readonly version: number;
  readonly attrs: AttributeReader;
}

/** genlmsghdr followed by already encoded attributes. */
export function encodeGenl(cmd: number, version: number, attrs: readonly Buffer[] = []): Buffer {
  const h = Buffer.alloc(GENL_HDRLEN);
  h.writeUInt8(cmd, 0);
  h.writeUInt8(version, 1);
  return Buffer.concat([h, ...attrs]);
}

export function decodeGenl(payload: Buffer): GenlMessage {
  if (payload.length < GENL_HDRLEN) throw new NetlinkDecodeError(`genlmsghdr needs ${GENL_HDRLEN} bytes, got ${payload.length}`, 16);
  return {
    cmd: payload.readUInt8(0),
    version: payload.readUInt8(1),
    attrs: AttributeReader.of(payload.subarray(GENL_HDRLEN), 16 + GENL_HDRLEN),
  };
}

export interface GenlFamily {
  readonly id: number;
  readonly name: string;
  readonly version: number;
  readonly headerSize: number;
  readonly maxAttr: number;
  /** Multicast group name -> group id (for NETLINK_ADD_MEMBERSHIP). */
  readonly multicastGroups: ReadonlyMap<string, number>;
}

/** CTRL_CMD_GETFAMILY (version 1) asking for one family by name. */
export function encodeGetFamily(name: string): Buffer {
  return encodeGenl(CTRL_CMD_GETFAMILY, 1, [attrString(CTRL_ATTR_FAMILY_NAME, name)]);
}

/** Decodes the controller's CTRL_CMD_NEWFAMILY reply. */
export function decodeFamily(payload: Buffer): GenlFamily {
  const { attrs } = decodeGenl(payload);
  const id = attrs.u16(CTRL_ATTR_FAMILY_ID);
  const name = attrs.string(CTRL_ATTR_FAMILY_NAME);
  if (id === undefined || name === undefined) throw new NetlinkDecodeError('family reply without id or name', 20);
  const groups = new Map<string, number>();
  const list = attrs.nested(CTRL_ATTR_MCAST_GROUPS);
  for (const g of list?.list ?? []) {
    const gr = AttributeReader.of(g.value, g.offset + 4);
    const gname = gr.string(CTRL_ATTR_MCAST_GRP_NAME);
    const gid = gr.u32(CTRL_ATTR_MCAST_GRP_ID);
    if (gname !== undefined && gid !== undefined) groups.set(gname, gid);
  }
  return {
    id, name,
    version: attrs.u32(CTRL_ATTR_VERSION) ?? 0,
    headerSize: attrs.u32(CTRL_ATTR_HDRSIZE) ?? 0,
    maxAttr: attrs.u32(CTRL_ATTR_MAXATTR) ?? 0,
    multicastGroups: groups,
  };
}
