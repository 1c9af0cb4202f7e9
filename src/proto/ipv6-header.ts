/** IPv6 fixed header (RFC 8200 §3), 40 bytes. Pure. */
export const IPV6_HEADER_LENGTH = 40;

export interface Ipv6HeaderFields {
  readonly trafficClass: number;
  readonly flowLabel: number;
  readonly payloadLength: number;
  readonly nextHeader: number;
  readonly hopLimit: number;
  readonly source: Uint8Array;
  readonly destination: Uint8Array;
}

/** Writes the 40-byte header at out[offset]; returns 40. */
export function writeIpv6Header(out: Uint8Array, offset: number, fields: Ipv6HeaderFields): number {
  const view = new DataView(out.buffer, out.byteOffset + offset, IPV6_HEADER_LENGTH);
  const word = ((6 << 28) | ((fields.trafficClass & 0xff) << 20) | (fields.flowLabel & 0xfffff)) >>> 0;
  view.setUint32(0, word);
  view.setUint16(4, fields.payloadLength);
  view.setUint8(6, fields.nextHeader);
  view.setUint8(7, fields.hopLimit);
  out.set(fields.source.subarray(0, 16), offset + 8);
  out.set(fields.destination.subarray(0, 16), offset + 24);
  return IPV6_HEADER_LENGTH;
}

export type Ipv6DecodeResult =
  | { readonly ok: true; readonly header: Ipv6HeaderFields }
  | { readonly ok: false; readonly reason: 'too_short' | 'bad_version' | 'bad_payload_length' };

export function decodeIpv6Header(bytes: Uint8Array, offset = 0): Ipv6DecodeResult {
  if (bytes.length - offset < IPV6_HEADER_LENGTH) return { ok: false, reason: 'too_short' };
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, bytes.length - offset);
  const word = view.getUint32(0);
  if (word >>> 28 !== 6) return { ok: false, reason: 'bad_version' };
  const payloadLength = view.getUint16(4);
  if (payloadLength > view.byteLength - IPV6_HEADER_LENGTH) return { ok: false, reason: 'bad_payload_length' };
  return {
    ok: true,
    header: {
      trafficClass: (word >>> 20) & 0xff,
      flowLabel: word & 0xfffff,
      payloadLength,
      nextHeader: view.getUint8(6),
      hopLimit: view.getUint8(7),
      source: bytes.slice(offset + 8, offset + 24),
      destination: bytes.slice(offset + 24, offset + 40),
    },
  };
}
