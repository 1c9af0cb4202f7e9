/**
 * Receive validation of one advert for one instance, in keepalived's order (keepalived-behaviour
 * §5.4), pure: bytes and metadata in, a validated advert (plus warnings that keepalived only logs)
 * or a typed rejection out. The codec's pieces are reused so that syntax errors are charged to the
 * counter keepalived would charge when a packet has several faults.
 */
import { parseIp } from '../proto/inet-address.js';
import { verifyVrrpChecksum } from './packet-checksum.js';
import { messageFromHeader, passAuthData, readVrrpHeader, vrrpMessageLength, type VrrpRawHeader } from './packet-codec.js';
import { verifyAhIcv, type AhHeader } from './packet-ipv4.js';
import {
  AUTH_TYPE_AH,
  AUTH_TYPE_NONE,
  AUTH_TYPE_PASS,
  reject,
  VRRP_TTL,
  VRRP_V2_AUTH_DATA_LENGTH,
  VRRP_TYPE_ADVERTISEMENT,
  type ChecksumFormSeen,
  type Decoded,
  type VrrpFamily,
  type VrrpMessage,
  type VrrpVersion,
} from './packet-types.js';
import { isOwner, type VrrpAuth, type VrrpInstanceParams } from './params.js';

/** A received VRRP message with what the socket layer reports around it. */
export interface ReceivedPacket {
  readonly family: VrrpFamily;
  /** The VRRP message (after the IP header, and after the AH header when present). */
  readonly vrrp: Uint8Array;
  /** IPv4 TTL or IPv6 hop limit. */
  readonly ttl: number;
  readonly source: string;
  readonly destination: string;
  /** IPv4 only: the AH header, when the datagram had one. */
  readonly ah?: AhHeader;
  /** IPv4 only: the whole datagram, needed to verify an AH ICV. */
  readonly datagram?: Uint8Array;
}

/** Problems keepalived logs (and counts) but that do not drop the advert. */
export type VrrpWarning = 'advert_interval_mismatch';

/** An advert accepted for the state machine. */
export interface ValidatedAdvert {
  readonly version: VrrpVersion;
  readonly vrid: number;
  readonly priority: number;
  readonly source: string;
  /** v3: Max Adver Int; v2: Adver Int x 100. */
  readonly advertIntervalCs: number;
  readonly addresses: readonly string[];
  readonly checksumForm: ChecksumFormSeen;
  readonly warnings: readonly VrrpWarning[];
}

export interface ValidationContext {
  readonly params: VrrpInstanceParams;
  /** False in INIT, FAULT and STOP (and during vrrp_startup_delay): adverts are ignored. */
  readonly listening: boolean;
  /** The current master's address (skip_check_adv_addr skips the address check for it). */
  readonly masterAddress?: string;
}

type Check = Decoded<true>;
const PASS: Check = { ok: true, value: true };

function isMulticast(address: string): boolean {
  const bytes = parseIp(address);
  return bytes.length === 4 ? (bytes[0] ?? 0) >> 4 === 0xe : bytes[0] === 0xff;
}

function checkTtl(packet: ReceivedPacket, params: VrrpInstanceParams): Check {
  if (params.unicastPeers.length === 0) {
    return packet.ttl === VRRP_TTL ? PASS : reject('ip_ttl_err', `TTL ${packet.ttl}`);
  }
  const peer = params.unicastPeers.find((p) => p.address === packet.source);
  if (peer === undefined) return PASS;
  if (peer.minTtl !== undefined && packet.ttl < peer.minTtl) return reject('ip_ttl_err', `TTL ${packet.ttl} < ${peer.minTtl}`);
  if (peer.maxTtl !== undefined && packet.ttl > peer.maxTtl) return reject('ip_ttl_err', `TTL ${packet.ttl} > ${peer.maxTtl}`);
  return PASS;
}

/** Steps 1-4: listening, VRID, AH presence, exact length, TTL. */
function checkEnvelope(packet: ReceivedPacket, header: VrrpRawHeader, ctx: ValidationContext): Check {
  const { params } = ctx;
  if (header.vrid !== params.vrid) return reject('unknown_vrid', `VRID ${header.vrid}`);
  if (!ctx.listening) return reject('not_listening');
  if (packet.family === 'ipv4' && (packet.ah !== undefined) !== (params.auth.type === 'AH')) {
    return reject('authtype_mismatch', packet.ah === undefined ? 'AH header missing' : 'unexpected AH header');
  }
  const version: VrrpVersion = header.version === 2 || header.version === 3 ? header.version : params.version;
  const expected = vrrpMessageLength(version, packet.family, header.count);
  if (packet.vrrp.length !== expected) return reject('packet_len_err', `${packet.vrrp.length} bytes, expected ${expected}`);
  return checkTtl(packet, params);
}

// VRRPv2 authentication ------------------------------------------------------------------------

/*
 * VRRPv2 authentication checks (RFC 2338 types kept by keepalived): the auth type must be known
 * (0 none, 1 PASS, 2 AH) and equal ours; PASS compares all 8 data bytes; AH verifies the ICV of
 * the whole datagram (the AH header's presence was checked earlier). The AH sequence number is
 * not checked for replay (that needs per-peer state: the driver's job).
 */

/** The v2 Auth Type field for an instance's authentication. */
export function authTypeCode(auth: VrrpAuth): number {
  if (auth.type === 'PASS') return AUTH_TYPE_PASS;
  if (auth.type === 'AH') return AUTH_TYPE_AH;
  return AUTH_TYPE_NONE;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** What checkV2Auth needs of the received packet. */
export interface AuthInput {
  readonly vrrp: Uint8Array;
  readonly datagram?: Uint8Array;
}

/** Checks the v2 auth type and the PASS data or the AH ICV. */
export function checkV2Auth(packet: AuthInput, header: VrrpRawHeader, params: VrrpInstanceParams): Decoded<true> {
  const { vrrp } = packet;
  const received = header.byte4;
  if (received !== AUTH_TYPE_NONE && received !== AUTH_TYPE_PASS && received !== AUTH_TYPE_AH) {
    return reject('invalid_authtype', `auth type ${received}`);
  }
  const ours = authTypeCode(params.auth);
  if (received !== ours) return reject('authtype_mismatch', `auth type ${received}, ours ${ours}`);
  if (params.auth.type === 'PASS') {
    const data = vrrp.subarray(vrrp.length - VRRP_V2_AUTH_DATA_LENGTH);
    if (!sameBytes(data, passAuthData(params.auth.password))) return reject('auth_failure', 'PASS data differs');
  }
  if (params.auth.type === 'AH') {
    const unicast = params.unicastPeers.length > 0;
    if (packet.datagram === undefined) return reject('auth_failure', 'AH: no datagram to verify');
    if (!verifyAhIcv(packet.datagram, params.auth.password, unicast)) return reject('auth_failure', 'AH ICV differs');
  }
  return { ok: true, value: true };
}

/** Steps 5-9: version, v2 authentication and interval, type, v3 interval, checksum. */
function checkMessage(packet: ReceivedPacket, header: VrrpRawHeader, params: VrrpInstanceParams): Decoded<ChecksumFormSeen> {
  if (header.version !== params.version) return reject('version_mismatch', `version ${header.version}, ours ${params.version}`);
  if (header.version === 2) {
    const auth = checkV2Auth(packet, header, params);
    if (!auth.ok) return auth;
    if (header.byte5 * 100 !== params.advertIntervalCs) {
      return reject('advert_interval_err', `interval ${header.byte5} s, ours ${params.advertIntervalCs / 100} s`);
    }
  }
  if (header.type !== VRRP_TYPE_ADVERTISEMENT) return reject('invalid_type_rcvd', `type ${header.type}`);
  if (header.version === 3 && (((header.byte4 & 0x0f) << 8) | header.byte5) === 0) {
    return reject('advert_interval_err', 'Max Adver Int 0 (RFC 9568)');
  }
  const checksum = { family: packet.family, source: parseIp(packet.source), destination: parseIp(packet.destination) };
  const form = verifyVrrpChecksum(packet.vrrp, params.version, checksum, params.v3ChecksumAccept);
  return form === undefined ? reject('checksum_err', `checksum 0x${header.checksum.toString(16)}`) : { ok: true, value: form };
}

/** Steps 10-13: unicast/multicast mode, owner, count 0, unicast source. */
function checkPeer(packet: ReceivedPacket, header: VrrpRawHeader, params: VrrpInstanceParams): Check {
  if (isMulticast(packet.destination) !== (params.unicastPeers.length === 0)) {
    return reject('addr_list_err', `destination ${packet.destination} does not match the ${params.unicastPeers.length === 0 ? 'multicast' : 'unicast'} mode`);
  }
  if (isOwner(params) && params.ownerIgnoreAdverts) return reject('owner_ignore_adverts');
  if (header.version === 3 && header.count === 0 && params.vips.length > 0) return reject('addr_list_err', 'count 0 (RFC 9568)');
  if (params.checkUnicastSrc && params.unicastPeers.length > 0 && !params.unicastPeers.some((p) => p.address === packet.source)) {
    return reject('unicast_src_err', `${packet.source} is not a unicast peer`);
  }
  return PASS;
}

const COUNT_MISMATCH = 'received an unexpected ip number count ';
const ADDRESS_MISSING = 'ip address associated with VRID ';

/** Whether a rejection's detail is keepalived's own log line for an address list mismatch. */
export function isAddressListDetail(detail: string): boolean {
  return detail.startsWith(COUNT_MISMATCH) || detail.startsWith(ADDRESS_MISSING);
}

/**
 * Step 12: keepalived 2.2.7 drops an advert whose address count differs from ours, or that lacks
 * one of our VIPs (measured: v2 and v3, any priority, strict or not), with these log lines.
 */
function addressListProblem(message: VrrpMessage, params: VrrpInstanceParams): string | undefined {
  if (message.addresses.length !== params.vips.length) {
    return `${COUNT_MISMATCH}${message.addresses.length}, expected ${params.vips.length}!`;
  }
  const theirs = new Set(message.addresses.map((address) => parseIp(address).join('.')));
  const missing = params.vips.find((vip) => !theirs.has(parseIp(vip).join('.')));
  return missing === undefined ? undefined : `${ADDRESS_MISSING}${params.vrid} not present in MASTER advert: ${missing}`;
}

function advertIntervalCs(message: VrrpMessage): number {
  return message.version === 2 ? message.advertIntervalS * 100 : message.maxAdvertIntervalCs;
}

/** Validates one received packet for one instance. Never throws on any bytes. */
export function validateAdvert(packet: ReceivedPacket, ctx: ValidationContext): Decoded<ValidatedAdvert> {
  const header = readVrrpHeader(packet.vrrp);
  if (header === undefined) return reject('packet_len_err', `${packet.vrrp.length} bytes, fewer than the 8-byte header`);
  const envelope = checkEnvelope(packet, header, ctx);
  if (!envelope.ok) return envelope;
  const checked = checkMessage(packet, header, ctx.params);
  if (!checked.ok) return checked;
  const peer = checkPeer(packet, header, ctx.params);
  if (!peer.ok) return peer;
  const message = messageFromHeader(packet.vrrp, header, packet.family);
  const warnings: VrrpWarning[] = [];
  if (!(ctx.params.skipCheckAdvAddr && ctx.masterAddress === packet.source)) {
    const problem = addressListProblem(message, ctx.params);
    if (problem !== undefined) return reject('addr_list_err', problem);
  }
  const intervalCs = advertIntervalCs(message);
  if (message.version === 3 && intervalCs !== ctx.params.advertIntervalCs) warnings.push('advert_interval_mismatch');
  return {
    ok: true,
    value: {
      version: message.version,
      vrid: message.vrid,
      priority: message.priority,
      source: packet.source,
      advertIntervalCs: intervalCs,
      addresses: message.addresses,
      checksumForm: checked.value,
      warnings,
    },
  };
}
