/**
 * The whole IPv4 datagram keepalived sends (keepalived-behaviour §5.1), for sockets opened with
 * IP_HDRINCL: a 20-byte header (TOS 0xC0, identification, no DF, TTL 255, protocol 112, or 51
 * when an AH header follows), the optional AH header (RFC 2402/4302, 24 bytes with a 96-bit ICV)
 * and the VRRP message. Decoding never throws.
 */
import { createHmac } from 'node:crypto';
import { formatIPv4, parseIPv4 } from '../proto/inet-address.js';
import { decodeIpv4Header, IPV4_HEADER_LENGTH, nextIpIdentification, writeIpv4Header, type Ipv4DecodeResult, type Ipv4HeaderFields } from '../proto/ipv4-header.js';
import { encodeVrrpMessage, passAuthData } from './packet-codec.js';
import {
  AH_PROTOCOL,
  reject,
  VRRP_IP_TOS,
  VRRP_PROTOCOL,
  VRRP_TTL,
  type Decoded,
  type V3Ipv4ChecksumForm,
  type VrrpMessage,
} from './packet-types.js';

export { IPV4_HEADER_LENGTH };
/** AH with a 96-bit ICV: 12 fixed bytes + 12 ICV bytes; its Payload Len field is 24/4 - 2 = 4. */
export const AH_HEADER_LENGTH = 24;
export const AH_ICV_LENGTH = 12;

export interface AhHeader {
  readonly nextHeader: number;
  /** keepalived uses the sender's IPv4 address as SPI. */
  readonly spi: number;
  readonly sequence: number;
  readonly icv: Uint8Array;
}

export interface Ipv4AdvertOptions {
  readonly source: string;
  readonly destination: string;
  /** keepalived starts at 1 and increments per advert, skipping 0. */
  readonly identification: number;
  readonly ttl?: number;
  readonly tos?: number;
  /** Present when the instance uses `auth_type AH`: the AH header is inserted (ICV as given). */
  readonly ah?: { readonly spi: number; readonly sequence: number; readonly icv?: Uint8Array };
}

function writeUint16(out: Uint8Array, at: number, value: number): void {
  out[at] = (value >> 8) & 0xff;
  out[at + 1] = value & 0xff;
}

function writeUint32(out: Uint8Array, at: number, value: number): void {
  writeUint16(out, at, Math.floor(value / 0x10000) & 0xffff);
  writeUint16(out, at + 2, value & 0xffff);
}

function readUint16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

function readUint32(bytes: Uint8Array, at: number): number {
  return readUint16(bytes, at) * 0x10000 + readUint16(bytes, at + 2);
}

/** keepalived's IP identification sequence: 1, 2, ... 0xffff, 1 (0 is skipped). */
export const nextIdentification: (previous: number) => number = nextIpIdentification;

/** Wraps an encoded VRRP message into an IPv4 datagram with a correct header checksum. */
export function encodeIpv4Datagram(vrrp: Uint8Array, options: Ipv4AdvertOptions): Uint8Array {
  const ahLength = options.ah === undefined ? 0 : AH_HEADER_LENGTH;
  const out = new Uint8Array(IPV4_HEADER_LENGTH + ahLength + vrrp.length);
  writeIpv4Header(out, 0, {
    tos: options.tos ?? VRRP_IP_TOS,
    totalLength: out.length,
    identification: options.identification & 0xffff,
    flagsAndFragment: 0, // no DF
    ttl: options.ttl ?? VRRP_TTL,
    protocol: options.ah === undefined ? VRRP_PROTOCOL : AH_PROTOCOL,
    source: parseIPv4(options.source),
    destination: parseIPv4(options.destination),
  });
  if (options.ah !== undefined) {
    out[20] = VRRP_PROTOCOL;
    out[21] = AH_HEADER_LENGTH / 4 - 2;
    writeUint32(out, 24, options.ah.spi);
    writeUint32(out, 28, options.ah.sequence);
    if (options.ah.icv !== undefined) out.set(options.ah.icv.subarray(0, AH_ICV_LENGTH), 32);
  }
  out.set(vrrp, IPV4_HEADER_LENGTH + ahLength);
  return out;
}

/** Encodes a VRRP message (checksum over the same addresses) and its IPv4 datagram. */
export function encodeVrrpIpv4Packet(message: VrrpMessage, options: Ipv4AdvertOptions & { readonly form?: V3Ipv4ChecksumForm }): Uint8Array {
  const checksum = { family: 'ipv4' as const, source: parseIPv4(options.source), destination: parseIPv4(options.destination) };
  const vrrp = encodeVrrpMessage(message, options.form === undefined ? { checksum } : { checksum, form: options.form });
  return encodeIpv4Datagram(vrrp, options);
}

/** The IPv4 header fields (addresses as text and bytes), the AH header if any, the VRRP bytes. */
export interface Ipv4Datagram extends Omit<Ipv4HeaderFields, 'source' | 'destination'> {
  readonly source: string;
  readonly destination: string;
  readonly sourceBytes: Uint8Array;
  readonly destinationBytes: Uint8Array;
  readonly ah?: AhHeader;
  /** The VRRP message: what follows the IP (and AH) header, up to the IP total length. */
  readonly vrrp: Uint8Array;
}

function decodeAh(bytes: Uint8Array, at: number, end: number): Decoded<AhHeader> {
  if (end - at < 12) return reject('packet_len_err', 'truncated AH header');
  const length = ((bytes[at + 1] ?? 0) + 2) * 4;
  if (length !== AH_HEADER_LENGTH || end - at < length) return reject('packet_len_err', `AH length ${length}`);
  const nextHeader = bytes[at] ?? 0;
  if (nextHeader !== VRRP_PROTOCOL) return reject('ip_header_err', `AH next header ${nextHeader}`);
  const icv = bytes.slice(at + 12, at + AH_HEADER_LENGTH);
  return { ok: true, value: { nextHeader, spi: readUint32(bytes, at + 4), sequence: readUint32(bytes, at + 8), icv } };
}

/**
 * Decodes a received IPv4 datagram carrying VRRP (protocol 112, or 51 with AH). Bytes beyond
 * the IP total length (Ethernet padding) are ignored. Never throws.
 */
export function decodeIpv4Datagram(bytes: Uint8Array): Decoded<Ipv4Datagram> {
  const decoded = decodeIpv4Header(bytes);
  if (!decoded.ok) return rejectHeader(decoded.reason, bytes);
  const { header } = decoded;
  const { headerLength, totalLength, protocol } = header;
  if (protocol !== VRRP_PROTOCOL && protocol !== AH_PROTOCOL) return reject('ip_header_err', `protocol ${protocol}`);
  let ah: AhHeader | undefined;
  if (protocol === AH_PROTOCOL) {
    const decodedAh = decodeAh(bytes, headerLength, totalLength);
    if (!decodedAh.ok) return decodedAh;
    ah = decodedAh.value;
  }
  const datagram: Ipv4Datagram = {
    tos: header.tos,
    totalLength,
    identification: header.identification,
    flagsAndFragment: header.flagsAndFragment,
    ttl: header.ttl,
    protocol,
    source: formatIPv4(header.source),
    destination: formatIPv4(header.destination),
    sourceBytes: header.source,
    destinationBytes: header.destination,
    vrrp: bytes.slice(headerLength + (ah === undefined ? 0 : AH_HEADER_LENGTH), totalLength),
  };
  return { ok: true, value: ah === undefined ? datagram : { ...datagram, ah } };
}

/** Maps the IPv4 codec's rejection to keepalived's counters (length errors vs header errors). */
function rejectHeader(reason: Extract<Ipv4DecodeResult, { ok: false }>['reason'], bytes: Uint8Array): Decoded<never> {
  const first = bytes[0] ?? 0;
  const headerLength = (first & 0x0f) * 4;
  switch (reason) {
    case 'too_short':
      return reject('packet_len_err', `${bytes.length} bytes, no IPv4 header`);
    case 'bad_version':
      return reject('ip_header_err', `version/IHL byte 0x${first.toString(16)}`);
    case 'bad_header_length':
      if (headerLength < IPV4_HEADER_LENGTH) return reject('ip_header_err', `version/IHL byte 0x${first.toString(16)}`);
      return reject('packet_len_err', `IP header length ${headerLength}, ${bytes.length} bytes received`);
    case 'bad_total_length':
      return reject('packet_len_err', `IP total length ${readUint16(bytes, 2)}, ${bytes.length} bytes received`);
    case 'bad_checksum':
      return reject('ip_header_err', 'IPv4 header checksum');
  }
}

// AH Integrity Check Value -------------------------------------------------------------------
/*
 * The AH Integrity Check Value of VRRPv2 `auth_type AH` (RFC 2338 §5.3.6.2 with RFC 2402 AH),
 * as keepalived-behaviour §5.1 describes keepalived's (multicast form byte-identical to adverts
 * captured from keepalived 2.2.7; the unicast TTL rule is not verified): HMAC-MD5 truncated to 96 bits, keyed with the 8-byte NUL-padded auth_pass, over the
 * IPv4 header with its mutable fields zeroed (TOS, flags/fragment, header checksum; TTL only for
 * unicast), the AH header with a zero ICV, and the VRRP message. Pure (node:crypto is
 * deterministic).
 */
const ICV_OFFSET = IPV4_HEADER_LENGTH + 12;

/** The bytes the ICV covers: the datagram with mutable fields and the ICV zeroed. */
function icvInput(datagram: Uint8Array, zeroTtl: boolean): Uint8Array {
  // Uint8Array.from: Buffer#slice would be a view, and the zeroing below would mangle the caller's packet
  const copy = Uint8Array.from(datagram);
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
