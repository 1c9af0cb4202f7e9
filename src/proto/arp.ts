/**
 * ARP over Ethernet (RFC 826) and the gratuitous ARP keepalived sends for a VIP: an ARP request
 * broadcast, sender = target = VIP, target hardware ff:ff:ff:ff:ff:ff, sender hardware = the
 * interface (or VMAC) address. Pure.
 */
import { CodecError } from './codec-error.js';
import { BROADCAST_MAC, ETHERNET_HEADER_LENGTH, ETHERTYPE_ARP, ETHERTYPE_IPV4, writeEthernetHeader } from './ethernet.js';

export const ARP_LENGTH = 28;
export const GARP_FRAME_LENGTH = ETHERNET_HEADER_LENGTH + ARP_LENGTH;
export const ARP_OP_REQUEST = 1;
export const ARP_OP_REPLY = 2;
const HTYPE_ETHERNET = 1;

export interface ArpPacket {
  readonly operation: number;
  readonly senderMac: Uint8Array;
  readonly senderIp: Uint8Array;
  readonly targetMac: Uint8Array;
  readonly targetIp: Uint8Array;
}

/** Writes a 28-byte Ethernet/IPv4 ARP body at out[offset]; returns 28. */
export function writeArp(out: Uint8Array, offset: number, arp: ArpPacket): number {
  const view = new DataView(out.buffer, out.byteOffset + offset, ARP_LENGTH);
  view.setUint16(0, HTYPE_ETHERNET);
  view.setUint16(2, ETHERTYPE_IPV4);
  view.setUint8(4, 6);
  view.setUint8(5, 4);
  view.setUint16(6, arp.operation);
  out.set(arp.senderMac.subarray(0, 6), offset + 8);
  out.set(arp.senderIp.subarray(0, 4), offset + 14);
  out.set(arp.targetMac.subarray(0, 6), offset + 18);
  out.set(arp.targetIp.subarray(0, 4), offset + 24);
  return ARP_LENGTH;
}

/** The complete 42-byte gratuitous ARP frame for `vip` announced from `senderMac`. */
export function encodeGratuitousArp(senderMac: Uint8Array, vip: Uint8Array): Buffer {
  if (senderMac.length !== 6) throw new CodecError('ERR_INVALID_MAC', 'sender MAC must have 6 bytes');
  if (vip.length !== 4) throw new CodecError('ERR_INVALID_ADDRESS', 'GARP needs an IPv4 address');
  const frame = Buffer.alloc(GARP_FRAME_LENGTH);
  writeEthernetHeader(frame, 0, { destination: BROADCAST_MAC, source: senderMac, etherType: ETHERTYPE_ARP });
  writeArp(frame, ETHERNET_HEADER_LENGTH, {
    operation: ARP_OP_REQUEST,
    senderMac,
    senderIp: vip,
    targetMac: BROADCAST_MAC,
    targetIp: vip,
  });
  return frame;
}

export type ArpDecodeResult = { readonly ok: true; readonly arp: ArpPacket } | { readonly ok: false; readonly reason: 'too_short' | 'not_ethernet_ipv4' };

/** Decodes an ARP body (not the Ethernet header). */
export function decodeArp(bytes: Uint8Array, offset = 0): ArpDecodeResult {
  if (bytes.length - offset < ARP_LENGTH) return { ok: false, reason: 'too_short' };
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, ARP_LENGTH);
  if (view.getUint16(0) !== HTYPE_ETHERNET || view.getUint16(2) !== ETHERTYPE_IPV4 || view.getUint8(4) !== 6 || view.getUint8(5) !== 4) {
    return { ok: false, reason: 'not_ethernet_ipv4' };
  }
  return {
    ok: true,
    arp: {
      operation: view.getUint16(6),
      senderMac: bytes.slice(offset + 8, offset + 14),
      senderIp: bytes.slice(offset + 14, offset + 18),
      targetMac: bytes.slice(offset + 18, offset + 24),
      targetIp: bytes.slice(offset + 24, offset + 28),
    },
  };
}
