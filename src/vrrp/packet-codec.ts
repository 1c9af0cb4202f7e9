/**
 * Encode and decode of the VRRP message itself (what follows the IP header or the AH header).
 * Syntax only: length, version, type, checksum. Protocol acceptance lives in validate*.ts.
 *
 *  v2: |ver 2|type|VRID|prio|count|auth type|adver int (s)|checksum|addr*4n|auth data 8|
 *  v3: |ver 3|type|VRID|prio|count|rsvd 4 bits + max adver int 12 bits (cs)|checksum|addr*4n or 16n|
 */
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../proto/inet-address.js';
import { VrrpError } from './errors.js';
import { computeVrrpChecksum, verifyVrrpChecksum, VRRP_CHECKSUM_OFFSET } from './packet-checksum.js';
import {
  reject,
  VRRP_HEADER_LENGTH,
  VRRP_TYPE_ADVERTISEMENT,
  VRRP_V2_AUTH_DATA_LENGTH,
  VRRP_V3_MAX_INTERVAL_CS,
  type ChecksumContext,
  type ChecksumFormSeen,
  type Decoded,
  type V3Ipv4ChecksumAccept,
  type V3Ipv4ChecksumForm,
  type VrrpFamily,
  type VrrpMessage,
  type VrrpVersion,
} from './packet-types.js';

/** The 8 fixed bytes, read without judging them (receive validation decides in its own order). */
export interface VrrpRawHeader {
  readonly version: number;
  readonly type: number;
  readonly vrid: number;
  readonly priority: number;
  readonly count: number;
  /** v2: auth type; v3: reserved 4 bits (high nibble) and interval (low 12 bits) share 16 bits. */
  readonly byte4: number;
  readonly byte5: number;
  readonly checksum: number;
}

export function readVrrpHeader(bytes: Uint8Array): VrrpRawHeader | undefined {
  if (bytes.length < VRRP_HEADER_LENGTH) return undefined;
  const at = (i: number): number => bytes[i] ?? 0;
  return {
    version: at(0) >> 4,
    type: at(0) & 0x0f,
    vrid: at(1),
    priority: at(2),
    count: at(3),
    byte4: at(4),
    byte5: at(5),
    checksum: (at(6) << 8) | at(7),
  };
}

export function addressLength(family: VrrpFamily): number {
  return family === 'ipv4' ? 4 : 16;
}

/** Exact VRRP message length: 8 + count x address length (+ 8 auth bytes for v2). */
export function vrrpMessageLength(version: VrrpVersion, family: VrrpFamily, count: number): number {
  const auth = version === 2 ? VRRP_V2_AUTH_DATA_LENGTH : 0;
  return VRRP_HEADER_LENGTH + count * addressLength(family) + auth;
}

/** The address list of a message whose length was checked. */
export function readAddresses(bytes: Uint8Array, family: VrrpFamily, count: number): string[] {
  const size = addressLength(family);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = VRRP_HEADER_LENGTH + i * size;
    out.push(family === 'ipv4' ? formatIPv4(bytes, at) : formatIPv6(bytes, at));
  }
  return out;
}

/** Builds the message from a decoded header whose length, version and type were checked. */
export function messageFromHeader(bytes: Uint8Array, header: VrrpRawHeader, family: VrrpFamily): VrrpMessage {
  const addresses = readAddresses(bytes, family, header.count);
  const base = { vrid: header.vrid, priority: header.priority, addresses };
  if (header.version === 2) {
    const authAt = VRRP_HEADER_LENGTH + header.count * 4;
    const authData = bytes.slice(authAt, authAt + VRRP_V2_AUTH_DATA_LENGTH);
    return { ...base, version: 2, authType: header.byte4, advertIntervalS: header.byte5, authData };
  }
  const maxAdvertIntervalCs = ((header.byte4 & 0x0f) << 8) | header.byte5;
  return { ...base, version: 3, maxAdvertIntervalCs, reserved: header.byte4 >> 4 };
}

export interface DecodeOptions {
  readonly family: VrrpFamily;
  /** IP addresses for the v3 pseudo-header checksums (required to verify v3). */
  readonly checksum?: ChecksumContext;
  /** v3 over IPv4: which checksum forms to accept (default keepalived's: pseudo-header). */
  readonly accept?: V3Ipv4ChecksumAccept;
}

export interface DecodedVrrp {
  readonly message: VrrpMessage;
  readonly checksumForm: ChecksumFormSeen;
}

/**
 * Decodes a VRRP message of exactly `bytes.length` bytes. Never throws: every failure is a
 * typed rejection, checked in this order: length, version, exact length, type, checksum.
 */
export function decodeVrrpMessage(bytes: Uint8Array, options: DecodeOptions): Decoded<DecodedVrrp> {
  const header = readVrrpHeader(bytes);
  if (header === undefined) return reject('packet_len_err', `${bytes.length} bytes, fewer than the 8-byte header`);
  if (header.version !== 2 && header.version !== 3) return reject('version_mismatch', `version ${header.version}`);
  if (header.version === 2 && options.family === 'ipv6') return reject('version_mismatch', 'VRRPv2 over IPv6');
  const expected = vrrpMessageLength(header.version, options.family, header.count);
  if (bytes.length !== expected) return reject('packet_len_err', `${bytes.length} bytes, expected ${expected}`);
  if (header.type !== VRRP_TYPE_ADVERTISEMENT) return reject('invalid_type_rcvd', `type ${header.type}`);
  const form = verifyVrrpChecksum(bytes, header.version, options.checksum, options.accept ?? 'pseudo-header');
  if (form === undefined) return reject('checksum_err', `checksum 0x${header.checksum.toString(16)}`);
  return { ok: true, value: { message: messageFromHeader(bytes, header, options.family), checksumForm: form } };
}

export interface EncodeOptions {
  /** IP addresses for the v3 checksum (v3 over IPv6 and the IPv4 pseudo-header form need it). */
  readonly checksum?: ChecksumContext;
  /** v3 over IPv4 (default keepalived's `pseudo-header`). */
  readonly form?: V3Ipv4ChecksumForm;
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new VrrpError('ERR_VRRP_FIELD_RANGE', `${name} ${value} is outside ${min}..${max}`);
  }
}

function writeAddresses(out: Uint8Array, addresses: readonly string[], family: VrrpFamily): void {
  addresses.forEach((text, i) => {
    const isV6 = text.includes(':');
    if (isV6 !== (family === 'ipv6')) throw new VrrpError('ERR_VRRP_ADDRESS', `${text} is not an ${family} address`);
    out.set(isV6 ? parseIPv6(text) : parseIPv4(text), VRRP_HEADER_LENGTH + i * addressLength(family));
  });
}

/** Family of a message from its first address (IPv4 when the list is empty). */
export function messageFamily(message: VrrpMessage): VrrpFamily {
  return message.addresses[0]?.includes(':') === true ? 'ipv6' : 'ipv4';
}

/** Encodes a message with its checksum. Throws VrrpError on out-of-range fields. */
export function encodeVrrpMessage(message: VrrpMessage, options: EncodeOptions = {}): Uint8Array {
  const family = options.checksum?.family ?? messageFamily(message);
  checkRange('VRID', message.vrid, 1, 255);
  checkRange('priority', message.priority, 0, 255);
  checkRange('address count', message.addresses.length, 0, 255);
  const out = new Uint8Array(vrrpMessageLength(message.version, family, message.addresses.length));
  out[0] = (message.version << 4) | VRRP_TYPE_ADVERTISEMENT;
  out[1] = message.vrid;
  out[2] = message.priority;
  out[3] = message.addresses.length;
  if (message.version === 2) {
    if (family === 'ipv6') throw new VrrpError('ERR_VRRP_ADDRESS', 'VRRPv2 carries IPv4 addresses only');
    checkRange('auth type', message.authType, 0, 255);
    checkRange('advert interval (s)', message.advertIntervalS, 0, 255);
    out[4] = message.authType;
    out[5] = message.advertIntervalS;
    out.set(message.authData.subarray(0, VRRP_V2_AUTH_DATA_LENGTH), out.length - VRRP_V2_AUTH_DATA_LENGTH);
  } else {
    checkRange('max advert interval (cs)', message.maxAdvertIntervalCs, 0, VRRP_V3_MAX_INTERVAL_CS);
    out[4] = message.maxAdvertIntervalCs >> 8; // reserved bits are zero on send
    out[5] = message.maxAdvertIntervalCs & 0xff;
  }
  writeAddresses(out, message.addresses, family);
  const form = options.form ?? 'pseudo-header';
  if (message.version === 3 && options.checksum === undefined && (family === 'ipv6' || form === 'pseudo-header')) {
    throw new VrrpError('ERR_VRRP_CHECKSUM_CONTEXT', 'a VRRPv3 pseudo-header checksum needs the IP source and destination');
  }
  const sum = computeVrrpChecksum(out, message.version, form, options.checksum);
  out[VRRP_CHECKSUM_OFFSET] = sum >> 8;
  out[VRRP_CHECKSUM_OFFSET + 1] = sum & 0xff;
  return out;
}

/** The 8 PASS authentication bytes: the first 8 characters, NUL padded (keepalived truncates). */
export function passAuthData(password: string): Uint8Array {
  const out = new Uint8Array(VRRP_V2_AUTH_DATA_LENGTH);
  out.set(new TextEncoder().encode(password).subarray(0, VRRP_V2_AUTH_DATA_LENGTH));
  return out;
}
