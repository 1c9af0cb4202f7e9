/**
 * IPVS generic netlink payloads for the sync daemon, timeouts (config), flush, and statistics.
 * IPVS_CMD_ATTR_TIMEOUT_* are u32 seconds at the top level; the daemon is nested in
 * IPVS_CMD_ATTR_DAEMON (state u32, mcast_ifn string, sync_id u32, maxlen u16, group in_addr,
 * port be16, ttl u8).
 */
import { AF_INET } from './constants.js';
import {
  IP_VS_IFNAME_MAXLEN, IP_VS_STATE_BACKUP, IP_VS_STATE_MASTER, IPVS_CMD_ATTR_DAEMON, IPVS_CMD_ATTR_TIMEOUT_TCP,
  IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, IPVS_CMD_ATTR_TIMEOUT_UDP, IPVS_CMD_DEL_DAEMON, IPVS_CMD_FLUSH, IPVS_CMD_GET_CONFIG,
  IPVS_CMD_GET_DAEMON, IPVS_CMD_GET_DEST, IPVS_CMD_GET_SERVICE, IPVS_CMD_NEW_DAEMON, IPVS_CMD_SET_CONFIG,
  IPVS_DAEMON_ATTR_MCAST_GROUP, IPVS_DAEMON_ATTR_MCAST_GROUP6, IPVS_DAEMON_ATTR_MCAST_IFN, IPVS_DAEMON_ATTR_MCAST_PORT,
  IPVS_DAEMON_ATTR_MCAST_TTL, IPVS_DAEMON_ATTR_STATE, IPVS_DAEMON_ATTR_SYNC_ID, IPVS_DAEMON_ATTR_SYNC_MAXLEN,
  IPVS_GENL_VERSION,
} from './ipvs-constants.js';
import { attr, attrBe16, attrContainer, attrString, attrU16, attrU32, attrU8 } from './attributes.js';
import { NetlinkDecodeError } from './errors.js';
import { decodeGenl, encodeGenl } from './genl-codec.js';
import { bytesToIp, ipToBytes } from './ip-address.js';
import { encodeServiceKeyAttr } from './ipvs-codec.js';
import { IpvsDaemon, IpvsServiceKey, IpvsTimeouts } from './ipvs-types.js';

export function encodeGetServices(): Buffer {
  return encodeGenl(IPVS_CMD_GET_SERVICE, IPVS_GENL_VERSION);
}

export function encodeGetDests(key: IpvsServiceKey): Buffer {
  return encodeGenl(IPVS_CMD_GET_DEST, IPVS_GENL_VERSION, [encodeServiceKeyAttr(key)]);
}

export function encodeFlush(): Buffer {
  return encodeGenl(IPVS_CMD_FLUSH, IPVS_GENL_VERSION);
}

export function encodeGetConfig(): Buffer {
  return encodeGenl(IPVS_CMD_GET_CONFIG, IPVS_GENL_VERSION);
}

export function encodeSetConfig(t: IpvsTimeouts): Buffer {
  return encodeGenl(IPVS_CMD_SET_CONFIG, IPVS_GENL_VERSION, [
    attrU32(IPVS_CMD_ATTR_TIMEOUT_TCP, t.tcpSec), attrU32(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, t.tcpFinSec),
    attrU32(IPVS_CMD_ATTR_TIMEOUT_UDP, t.udpSec),
  ]);
}

export function decodeConfigMessage(payload: Buffer): IpvsTimeouts {
  const { attrs } = decodeGenl(payload);
  return {
    tcpSec: attrs.u32(IPVS_CMD_ATTR_TIMEOUT_TCP) ?? 0,
    tcpFinSec: attrs.u32(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN) ?? 0,
    udpSec: attrs.u32(IPVS_CMD_ATTR_TIMEOUT_UDP) ?? 0,
  };
}

function stateNumber(state: IpvsDaemon['state']): number {
  return state === 'master' ? IP_VS_STATE_MASTER : IP_VS_STATE_BACKUP;
}

/** NEW_DAEMON: start a sync daemon. */
export function encodeNewDaemon(d: IpvsDaemon): Buffer {
  const attrs = [attrU32(IPVS_DAEMON_ATTR_STATE, stateNumber(d.state)),
    attrString(IPVS_DAEMON_ATTR_MCAST_IFN, d.interface, IP_VS_IFNAME_MAXLEN), attrU32(IPVS_DAEMON_ATTR_SYNC_ID, d.syncId)];
  if (d.syncMaxLen !== undefined) attrs.push(attrU16(IPVS_DAEMON_ATTR_SYNC_MAXLEN, d.syncMaxLen));
  if (d.mcastGroup !== undefined) {
    const g = ipToBytes(d.mcastGroup);
    attrs.push(attr(g.family === AF_INET ? IPVS_DAEMON_ATTR_MCAST_GROUP : IPVS_DAEMON_ATTR_MCAST_GROUP6, g.bytes));
  }
  if (d.mcastPort !== undefined) attrs.push(attrBe16(IPVS_DAEMON_ATTR_MCAST_PORT, d.mcastPort));
  if (d.mcastTtl !== undefined) attrs.push(attrU8(IPVS_DAEMON_ATTR_MCAST_TTL, d.mcastTtl));
  return encodeGenl(IPVS_CMD_NEW_DAEMON, IPVS_GENL_VERSION, [attrContainer(IPVS_CMD_ATTR_DAEMON, attrs)]);
}

/** DEL_DAEMON: stop the master or backup sync daemon. */
export function encodeDelDaemon(state: IpvsDaemon['state']): Buffer {
  return encodeGenl(IPVS_CMD_DEL_DAEMON, IPVS_GENL_VERSION, [
    attrContainer(IPVS_CMD_ATTR_DAEMON, [attrU32(IPVS_DAEMON_ATTR_STATE, stateNumber(state))]),
  ]);
}

export function encodeGetDaemon(): Buffer {
  return encodeGenl(IPVS_CMD_GET_DAEMON, IPVS_GENL_VERSION);
}

export function decodeDaemonMessage(payload: Buffer): IpvsDaemon {
  const d = decodeGenl(payload).attrs.nested(IPVS_CMD_ATTR_DAEMON);
  if (d === undefined) throw new NetlinkDecodeError('IPVS daemon message without IPVS_CMD_ATTR_DAEMON', 20);
  const state = d.u32(IPVS_DAEMON_ATTR_STATE);
  if (state !== IP_VS_STATE_MASTER && state !== IP_VS_STATE_BACKUP) throw new NetlinkDecodeError(`IPVS daemon state ${String(state)}`, 20);
  const group = d.bytes(IPVS_DAEMON_ATTR_MCAST_GROUP) ?? d.bytes(IPVS_DAEMON_ATTR_MCAST_GROUP6);
  const maxLen = d.u16(IPVS_DAEMON_ATTR_SYNC_MAXLEN);
  const port = d.be16(IPVS_DAEMON_ATTR_MCAST_PORT);
  const ttl = d.u8(IPVS_DAEMON_ATTR_MCAST_TTL);
  return {
    state: state === IP_VS_STATE_MASTER ? 'master' : 'backup',
    interface: d.string(IPVS_DAEMON_ATTR_MCAST_IFN) ?? '',
    syncId: d.u32(IPVS_DAEMON_ATTR_SYNC_ID) ?? 0,
    ...(maxLen !== undefined ? { syncMaxLen: maxLen } : {}),
    ...(group !== undefined && group.some((b) => b !== 0) ? { mcastGroup: bytesToIp(group) } : {}),
    ...(port !== undefined ? { mcastPort: port } : {}),
    ...(ttl !== undefined ? { mcastTtl: ttl } : {}),
  };
}
