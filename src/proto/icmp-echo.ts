/**
 * ICMP (RFC 792) and ICMPv6 (RFC 4443) echo request/reply messages. Pure. ICMPv4 carries its own
 * checksum; for ICMPv6 the kernel fills the checksum on raw sockets, so encode leaves it zero
 * unless addresses are given.
 */
import { internetChecksum, ipv6UpperLayerChecksum } from './checksum.js';

export const ICMP_ECHO_REPLY = 0;
export const ICMP_ECHO_REQUEST = 8;
export const ICMPV6_ECHO_REQUEST = 128;
export const ICMPV6_ECHO_REPLY = 129;
export const ECHO_HEADER_LENGTH = 8;

export type IpFamily = 4 | 6;

export interface EchoMessage {
  readonly type: number;
  readonly code: number;
  readonly identifier: number;
  readonly sequence: number;
  readonly payload: Uint8Array;
}

export interface Ipv6ChecksumAddresses {
  readonly source: Uint8Array;
  readonly destination: Uint8Array;
}

/** Encodes an echo request; for IPv6 the checksum is computed only when addresses are given. */
export function encodeEchoRequest(
  family: IpFamily,
  identifier: number,
  sequence: number,
  payload: Uint8Array,
  addresses?: Ipv6ChecksumAddresses,
): Buffer {
  const out = Buffer.alloc(ECHO_HEADER_LENGTH + payload.length);
  out[0] = family === 4 ? ICMP_ECHO_REQUEST : ICMPV6_ECHO_REQUEST;
  out.writeUInt16BE(identifier & 0xffff, 4);
  out.writeUInt16BE(sequence & 0xffff, 6);
  out.set(payload, ECHO_HEADER_LENGTH);
  if (family === 4) out.writeUInt16BE(internetChecksum(out), 2);
  else if (addresses) out.writeUInt16BE(ipv6UpperLayerChecksum(addresses.source, addresses.destination, 58, out), 2);
  return out;
}

export type EchoRejectReason = 'too_short' | 'not_echo_reply' | 'bad_checksum';
export type EchoDecodeResult = { readonly ok: true; readonly echo: EchoMessage } | { readonly ok: false; readonly reason: EchoRejectReason };

/**
 * Decodes an echo reply in bytes[offset, end). For ICMPv4 the checksum is verified; for ICMPv6 the
 * kernel verified it already on a raw socket.
 */
export function decodeEchoReply(family: IpFamily, bytes: Uint8Array, offset = 0, end = bytes.length): EchoDecodeResult {
  if (end - offset < ECHO_HEADER_LENGTH) return { ok: false, reason: 'too_short' };
  const expected = family === 4 ? ICMP_ECHO_REPLY : ICMPV6_ECHO_REPLY;
  if (bytes[offset] !== expected || bytes[offset + 1] !== 0) return { ok: false, reason: 'not_echo_reply' };
  if (family === 4 && internetChecksum(bytes, offset, end) !== 0) return { ok: false, reason: 'bad_checksum' };
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, end - offset);
  return {
    ok: true,
    echo: {
      type: expected,
      code: 0,
      identifier: view.getUint16(4),
      sequence: view.getUint16(6),
      payload: bytes.subarray(offset + ECHO_HEADER_LENGTH, end),
    },
  };
}
