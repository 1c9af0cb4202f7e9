/**
 * The AH Integrity Check Value of VRRPv2 `auth_type AH` (RFC 2338 §5.3.6.2 with RFC 2402 AH),
 * as keepalived-behaviour §5.1 describes keepalived's (code-derived, not yet checked against a
 * capture): HMAC-MD5 truncated to 96 bits, keyed with the 8-byte NUL-padded auth_pass, over the
 * IPv4 header with its mutable fields zeroed (TOS, flags/fragment, header checksum; TTL only for
 * unicast), the AH header with a zero ICV, and the VRRP message. Pure (node:crypto is
 * deterministic).
 */
import { createHmac } from 'node:crypto';
import { passAuthData } from './packet-codec.js';
import { AH_HEADER_LENGTH, AH_ICV_LENGTH, IPV4_HEADER_LENGTH } from './packet-ipv4.js';

const ICV_OFFSET = IPV4_HEADER_LENGTH + 12;

/** The bytes the ICV covers: the datagram with mutable fields and the ICV zeroed. */
function icvInput(datagram: Uint8Array, zeroTtl: boolean): Uint8Array {
  const copy = datagram.slice();
  copy[1] = 0; // TOS
  copy[6] = 0; // flags and fragment offset
  copy[7] = 0;
  if (zeroTtl) copy[8] = 0;
  copy[10] = 0; // header checksum
  copy[11] = 0;
  copy.fill(0, ICV_OFFSET, ICV_OFFSET + AH_ICV_LENGTH);
  return copy;
}

/** HMAC-MD5-96 of an IPv4 datagram that carries a 24-byte AH header after a 20-byte IP header. */
export function computeAhIcv(datagram: Uint8Array, password: string, zeroTtl: boolean): Uint8Array {
  const digest = createHmac('md5', passAuthData(password)).update(icvInput(datagram, zeroTtl)).digest();
  return Uint8Array.from(digest.subarray(0, AH_ICV_LENGTH));
}

/** Writes the ICV into a datagram built with an AH header (in place); returns the datagram. */
export function signAhDatagram(datagram: Uint8Array, password: string, zeroTtl: boolean): Uint8Array {
  datagram.set(computeAhIcv(datagram, password, zeroTtl), ICV_OFFSET);
  return datagram;
}

/** True when the datagram's ICV matches (false for datagrams too short to carry AH). */
export function verifyAhIcv(datagram: Uint8Array, password: string, zeroTtl: boolean): boolean {
  if (datagram.length < IPV4_HEADER_LENGTH + AH_HEADER_LENGTH) return false;
  const expected = computeAhIcv(datagram, password, zeroTtl);
  return expected.every((byte, i) => byte === datagram[ICV_OFFSET + i]);
}
