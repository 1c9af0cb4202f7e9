/**
 * IPv4 header (RFC 791), 20 bytes without options on encode; options are skipped on decode.
 * Pure and allocation-free on encode (writes into a caller buffer).
 */
import { internetChecksum } from './checksum.js';

export const IPV4_HEADER_LENGTH = 20;
export const IPV4_FLAG_DONT_FRAGMENT = 0x4000;

export interface Ipv4HeaderFields {
  /** Type of service byte (keepalived sends VRRP with 0xC0, "internetwork control"). */
  readonly tos: number;
  /** Whole datagram length, header included. */
  readonly totalLength: number;
  readonly identification: number;
  /** 16-bit flags (3 bits) + fragment offset (13 bits). */
  readonly flagsAndFragment: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly source: Uint8Array;
  readonly destination: Uint8Array;
}

/** Writes a 20-byte header with its checksum at out[offset]; returns the header length. */
export function writeIpv4Header(out: Uint8Array, offset: number, fields: Ipv4HeaderFields): number {
  const view = new DataView(out.buffer, out.byteOffset + offset, IPV4_HEADER_LENGTH);
  view.setUint8(0, 0x45); // version 4, IHL 5 words
  view.setUint8(1, fields.tos);
  view.setUint16(2, fields.totalLength);
  view.setUint16(4, fields.identification);
  view.setUint16(6, fields.flagsAndFragment);
  view.setUint8(8, fields.ttl);
  view.setUint8(9, fields.protocol);
  view.setUint16(10, 0);
  out.set(fields.source.subarray(0, 4), offset + 12);
  out.set(fields.destination.subarray(0, 4), offset + 16);
  view.setUint16(10, internetChecksum(out, offset, offset + IPV4_HEADER_LENGTH));
  return IPV4_HEADER_LENGTH;
}

export type Ipv4RejectReason = 'too_short' | 'bad_version' | 'bad_header_length' | 'bad_total_length' | 'bad_checksum';

export interface Ipv4Header extends Ipv4HeaderFields {
  readonly headerLength: number;
  readonly checksum: number;
}

export type Ipv4DecodeResult = { readonly ok: true; readonly header: Ipv4Header } | { readonly ok: false; readonly reason: Ipv4RejectReason };

/** Decodes and checks an IPv4 header (version, IHL, total length within bytes, checksum). */
export function decodeIpv4Header(bytes: Uint8Array, offset = 0): Ipv4DecodeResult {
  if (bytes.length - offset < IPV4_HEADER_LENGTH) return { ok: false, reason: 'too_short' };
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, bytes.length - offset);
  const first = view.getUint8(0);
  if (first >> 4 !== 4) return { ok: false, reason: 'bad_version' };
  const headerLength = (first & 0x0f) * 4;
  if (headerLength < IPV4_HEADER_LENGTH || headerLength > view.byteLength) return { ok: false, reason: 'bad_header_length' };
  const totalLength = view.getUint16(2);
  if (totalLength < headerLength || totalLength > view.byteLength) return { ok: false, reason: 'bad_total_length' };
  if (internetChecksum(bytes, offset, offset + headerLength) !== 0) return { ok: false, reason: 'bad_checksum' };
  return {
    ok: true,
    header: {
      headerLength,
      tos: view.getUint8(1),
      totalLength,
      identification: view.getUint16(4),
      flagsAndFragment: view.getUint16(6),
      ttl: view.getUint8(8),
      protocol: view.getUint8(9),
      checksum: view.getUint16(10),
      source: bytes.slice(offset + 12, offset + 16),
      destination: bytes.slice(offset + 16, offset + 20),
    },
  };
}

/**
 * The next IP identification after `previous`, as keepalived numbers its adverts: starts at 1,
 * increments per datagram, wraps 0xffff -> 1 (0 is skipped).
 */
export function nextIpIdentification(previous: number): number {
  const next = (previous + 1) & 0xffff;
  return next === 0 ? 1 : next;
}
