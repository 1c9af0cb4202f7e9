/**
 * Unsolicited ICMPv6 Neighbour Advertisement (RFC 4861 §4.4, §7.2.6) as keepalived sends it for an
 * IPv6 VIP: a complete Ethernet frame to 33:33:00:00:00:01, IPv6 from the VIP to ff02::1 with hop
 * limit 255, NA with the Override flag (Router flag when asked), Solicited clear, and a target
 * link-layer address option. Pure.
 */
import { CodecError } from './codec-error.js';
import { ipv6UpperLayerChecksum } from './checksum.js';
import { ETHERNET_HEADER_LENGTH, ETHERTYPE_IPV6, writeEthernetHeader } from './ethernet.js';
import { IPV6_HEADER_LENGTH, writeIpv6Header } from './ipv6-header.js';

export const ICMPV6_NEXT_HEADER = 58;
export const ICMPV6_NEIGHBOR_ADVERTISEMENT = 136;
export const NA_FLAG_ROUTER = 0x80;
export const NA_FLAG_SOLICITED = 0x40;
export const NA_FLAG_OVERRIDE = 0x20;
export const ND_OPTION_TARGET_LINK_LAYER = 2;
/** NA body (24) + target link-layer address option (8). */
export const NA_MESSAGE_LENGTH = 32;
export const NA_FRAME_LENGTH = ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH + NA_MESSAGE_LENGTH;

const ALL_NODES: Uint8Array = Uint8Array.of(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
const ALL_NODES_MAC: Uint8Array = Uint8Array.of(0x33, 0x33, 0, 0, 0, 1);

export interface UnsolicitedNaOptions {
  /** Ethernet source and target link-layer address (interface MAC or VMAC). */
  readonly sourceMac: Uint8Array;
  /** The advertised address (the VIP); also the IPv6 source. */
  readonly target: Uint8Array;
  /** Sets the Router flag (keepalived does when forwarding is enabled on the interface). */
  readonly router: boolean;
}

/** Writes the 32-byte NA message (checksum computed over the pseudo-header) at out[offset]. */
export function writeNeighborAdvertisement(
  out: Uint8Array,
  offset: number,
  flags: number,
  target: Uint8Array,
  linkLayer: Uint8Array,
): number {
  out.fill(0, offset, offset + NA_MESSAGE_LENGTH);
  out[offset] = ICMPV6_NEIGHBOR_ADVERTISEMENT;
  out[offset + 4] = flags;
  out.set(target.subarray(0, 16), offset + 8);
  out[offset + 24] = ND_OPTION_TARGET_LINK_LAYER;
  out[offset + 25] = 1; // option length in units of 8 bytes
  out.set(linkLayer.subarray(0, 6), offset + 26);
  return NA_MESSAGE_LENGTH;
}

/** The complete 86-byte unsolicited NA frame. */
export function encodeUnsolicitedNa(options: UnsolicitedNaOptions): Buffer {
  if (options.sourceMac.length !== 6) throw new CodecError('ERR_INVALID_MAC', 'source MAC must have 6 bytes');
  if (options.target.length !== 16) throw new CodecError('ERR_INVALID_ADDRESS', 'NA needs an IPv6 target');
  const frame = Buffer.alloc(NA_FRAME_LENGTH);
  writeEthernetHeader(frame, 0, { destination: ALL_NODES_MAC, source: options.sourceMac, etherType: ETHERTYPE_IPV6 });
  writeIpv6Header(frame, ETHERNET_HEADER_LENGTH, {
    trafficClass: 0,
    flowLabel: 0,
    payloadLength: NA_MESSAGE_LENGTH,
    nextHeader: ICMPV6_NEXT_HEADER,
    hopLimit: 255,
    source: options.target,
    destination: ALL_NODES,
  });
  const at = ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH;
  const flags = NA_FLAG_OVERRIDE | (options.router ? NA_FLAG_ROUTER : 0);
  writeNeighborAdvertisement(frame, at, flags, options.target, options.sourceMac);
  const checksum = ipv6UpperLayerChecksum(options.target, ALL_NODES, ICMPV6_NEXT_HEADER, frame, at, at + NA_MESSAGE_LENGTH);
  frame.writeUInt16BE(checksum, at + 2);
  return frame;
}

export interface NeighborAdvertisement {
  readonly flags: number;
  readonly target: Uint8Array;
  /** Target link-layer address option, when present. */
  readonly targetLinkLayer: Uint8Array | undefined;
}

export type NaDecodeResult = { readonly ok: true; readonly na: NeighborAdvertisement } | { readonly ok: false; readonly reason: 'too_short' | 'not_na' | 'bad_option' };

/** Decodes an NA message (ICMPv6 part only; the checksum is the caller's business). */
export function decodeNeighborAdvertisement(bytes: Uint8Array, offset = 0, end = bytes.length): NaDecodeResult {
  if (end - offset < 24) return { ok: false, reason: 'too_short' };
  if (bytes[offset] !== ICMPV6_NEIGHBOR_ADVERTISEMENT || bytes[offset + 1] !== 0) return { ok: false, reason: 'not_na' };
  let targetLinkLayer: Uint8Array | undefined;
  for (let at = offset + 24; at + 2 <= end; ) {
    const length = (bytes[at + 1] ?? 0) * 8;
    if (length === 0 || at + length > end) return { ok: false, reason: 'bad_option' };
    if (bytes[at] === ND_OPTION_TARGET_LINK_LAYER && length >= 8) targetLinkLayer = bytes.slice(at + 2, at + 8);
    at += length;
  }
  return { ok: true, na: { flags: bytes[offset + 4] ?? 0, target: bytes.slice(offset + 8, offset + 24), targetLinkLayer } };
}
