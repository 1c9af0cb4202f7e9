/**
 * IP address text <-> bytes (network order) for netlink messages: the pure codec of
 * src/proto/inet-address.ts with netlink's error classes and address families.
 */
import { CodecError } from '../../../proto/codec-error.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../../../proto/inet-address.js';
import { AF_INET, AF_INET6 } from './constants.js';
import { NetlinkDecodeError, NetlinkEncodeError } from './errors.js';

export type AddressFamily = typeof AF_INET | typeof AF_INET6;

export interface IpBytes {
  readonly family: AddressFamily;
  readonly bytes: Buffer;
}

export function familyOf(text: string): AddressFamily {
  return text.includes(':') ? AF_INET6 : AF_INET;
}

export function ipToBytes(text: string): IpBytes {
  return text.includes(':') ? { family: AF_INET6, bytes: ipv6ToBytes(text) } : { family: AF_INET, bytes: ipv4ToBytes(text) };
}

export function ipv4ToBytes(text: string): Buffer {
  return toBuffer(() => parseIPv4(text), `"${text}" is not an IPv4 address`);
}

export function ipv6ToBytes(text: string): Buffer {
  // no zone index here: the kernel takes the interface from the message, not the text
  if (text.includes('%')) throw new NetlinkEncodeError(`"${text}" is not an IPv6 address`);
  return toBuffer(() => parseIPv6(text), `"${text}" is not an IPv6 address`);
}

function toBuffer(parse: () => Uint8Array, message: string): Buffer {
  try {
    const bytes = parse();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  } catch (error) {
    if (error instanceof CodecError) throw new NetlinkEncodeError(message);
    throw error;
  }
}

/** Bytes (4 or 16) to text; anything else is a decode error. */
export function bytesToIp(bytes: Buffer, offset = 0): string {
  if (bytes.length === 4) return formatIPv4(bytes);
  if (bytes.length === 16) return formatIPv6(bytes);
  throw new NetlinkDecodeError(`address of ${bytes.length} bytes`, offset);
}

/** Decode for a known family: IPVS sends a 16-byte union nf_inet_addr even for IPv4. */
export function bytesToIpOfFamily(bytes: Buffer, family: number, offset = 0): string {
  if (family === AF_INET && bytes.length >= 4) return bytesToIp(bytes.subarray(0, 4), offset);
  if (family === AF_INET6 && bytes.length >= 16) return bytesToIp(bytes.subarray(0, 16), offset);
  throw new NetlinkDecodeError(`address of ${bytes.length} bytes for family ${family}`, offset);
}

/** Prefix text "192.0.2.0/24" -> address + length (default full length). */
export function parsePrefix(text: string): { address: string; prefixLength: number; family: AddressFamily } {
  const [address = '', len] = text.split('/');
  const family = familyOf(address);
  const max = family === AF_INET ? 32 : 128;
  const prefixLength = len === undefined ? max : Number(len);
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > max || (len !== undefined && !/^\d+$/.test(len))) {
    throw new NetlinkEncodeError(`"${text}" has a bad prefix length`);
  }
  ipToBytes(address);
  return { address, prefixLength, family };
}
