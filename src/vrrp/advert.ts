/**
 * Glue between an instance's params and the codec, for the driver: the message an instance
 * sends at a priority, its bytes on the wire, and the receive path (IPv4 datagram or IPv6
 * payload -> validated advert). Pure.
 */
import { parseIp } from '../proto/inet-address.js';
import { encodeVrrpMessage, passAuthData } from './packet-codec.js';
import { decodeIpv4Datagram, encodeVrrpIpv4Packet, signAhDatagram } from './packet-ipv4.js';
import { VRRP_IPV4_GROUP, VRRP_IPV6_GROUP, VRRP_TTL, type Decoded, type VrrpFamily, type VrrpMessage } from './packet-types.js';
import type { VrrpInstanceParams } from './params.js';
import { authTypeCode, validateAdvert, type ReceivedPacket, type ValidatedAdvert } from './validate.js';

/** The advert an instance sends with the given priority (0 = resign). */
export function buildAdvert(params: VrrpInstanceParams, priority: number): VrrpMessage {
  const base = { vrid: params.vrid, priority, addresses: params.vips };
  if (params.version === 3) return { ...base, version: 3, maxAdvertIntervalCs: params.advertIntervalCs, reserved: 0 };
  const authData = params.auth.type === 'PASS' ? passAuthData(params.auth.password) : new Uint8Array(8);
  return { ...base, version: 2, authType: authTypeCode(params.auth), advertIntervalS: params.advertIntervalCs / 100, authData };
}

/** Where adverts go: the multicast group of the family, or each unicast peer. */
export function advertDestinations(params: VrrpInstanceParams): readonly string[] {
  if (params.unicastPeers.length > 0) return params.unicastPeers.map((peer) => peer.address);
  return [params.family === 'ipv4' ? VRRP_IPV4_GROUP : VRRP_IPV6_GROUP];
}

export interface AdvertBytesOptions {
  readonly destination: string;
  /** IPv4 identification (keepalived: 1, 2, ... skipping 0). */
  readonly identification: number;
  /** AH sequence number (auth_type AH only). */
  readonly ahSequence?: number;
}

/**
 * The bytes to send: a whole IPv4 datagram (for IP_HDRINCL) or, for IPv6, the VRRP message
 * with its checksum (the kernel adds the IPv6 header).
 */
export function encodeAdvert(params: VrrpInstanceParams, priority: number, options: AdvertBytesOptions): Uint8Array {
  const message = buildAdvert(params, priority);
  if (params.family === 'ipv6') {
    const checksum = { family: 'ipv6' as const, source: parseIp(params.primaryAddress), destination: parseIp(options.destination) };
    return encodeVrrpMessage(message, { checksum });
  }
  const spi = parseIp(params.primaryAddress).reduce((acc, byte) => acc * 256 + byte, 0);
  const ah = params.auth.type === 'AH' ? { ah: { spi, sequence: options.ahSequence ?? 1 } } : {};
  const datagram = encodeVrrpIpv4Packet(message, {
    source: params.primaryAddress,
    destination: options.destination,
    identification: options.identification,
    form: params.v3ChecksumSend,
    ttl: VRRP_TTL,
    ...ah,
  });
  return params.auth.type === 'AH' ? signAhDatagram(datagram, params.auth.password, params.unicastPeers.length > 0) : datagram;
}

/** The virtual router MAC: 00-00-5E-00-01-{VRID} (IPv4), 00-00-5E-00-02-{VRID} (IPv6). */
export function virtualRouterMac(family: 'ipv4' | 'ipv6', vrid: number): Uint8Array {
  return Uint8Array.of(0x00, 0x00, 0x5e, 0x00, family === 'ipv4' ? 0x01 : 0x02, vrid & 0xff);
}

/** Receive path for IPv4: decode the datagram, then validate the advert for this instance. */
export function receiveIpv4(bytes: Uint8Array, params: VrrpInstanceParams, listening: boolean, masterAddress?: string): Decoded<ValidatedAdvert> {
  const datagram = decodeIpv4Datagram(bytes);
  if (!datagram.ok) return datagram;
  const d = datagram.value;
  const packet: ReceivedPacket = { family: 'ipv4', vrrp: d.vrrp, ttl: d.ttl, source: d.source, destination: d.destination, datagram: bytes.subarray(0, d.totalLength) };
  return validateAdvert(d.ah === undefined ? packet : { ...packet, ah: d.ah }, { params, listening, ...(masterAddress === undefined ? {} : { masterAddress }) });
}

/** The VRID field of a received packet (IPv4: the whole datagram; IPv6: the VRRP message), if it has one. */
export function advertVrid(family: VrrpFamily, bytes: Uint8Array): number | undefined {
  if (family === 'ipv6') return bytes[1];
  const datagram = decodeIpv4Datagram(bytes);
  return datagram.ok ? datagram.value.vrrp[1] : undefined;
}

/** Receive path for IPv6: the socket gives the payload, the hop limit and the addresses. */
export function receiveIpv6(
  payload: Uint8Array,
  meta: { readonly hopLimit: number; readonly source: string; readonly destination: string },
  params: VrrpInstanceParams,
  listening: boolean,
  masterAddress?: string,
): Decoded<ValidatedAdvert> {
  const packet: ReceivedPacket = { family: 'ipv6', vrrp: payload, ttl: meta.hopLimit, source: meta.source, destination: meta.destination };
  return validateAdvert(packet, { params, listening, ...(masterAddress === undefined ? {} : { masterAddress }) });
}
