/**
 * IP address text <-> bytes (network order), without touching the kernel. IPv6 text follows
 * RFC 5952 (lower case, longest zero run compressed, first on ties, not a single group).
 */
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
  const parts = text.split('.');
  if (parts.length !== 4) throw new NetlinkEncodeError(`"${text}" is not an IPv4 address`);
  return Buffer.from(parts.map((p) => {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new NetlinkEncodeError(`"${text}" is not an IPv4 address`);
    return Number(p);
  }));
}

export function ipv6ToBytes(text: string): Buffer {
  const bad = (): never => { throw new NetlinkEncodeError(`"${text}" is not an IPv6 address`); };
  let body = text;
  const lastColon = body.lastIndexOf(':');
  if (body.slice(lastColon + 1).includes('.')) {
    const v4 = ipv4ToBytes(body.slice(lastColon + 1));
    body = `${body.slice(0, lastColon + 1)}${v4.readUInt16BE(0).toString(16)}:${v4.readUInt16BE(2).toString(16)}`;
  }
  const halves = body.split('::');
  if (halves.length > 2) bad();
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : bad())));
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (halves.length === 2 && head.length + rest.length > 7) bad();
  const groups = halves.length === 2 ? [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest] : head;
  if (groups.length !== 8) bad();
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** Bytes (4 or 16) to text; anything else is a decode error. */
export function bytesToIp(bytes: Buffer, offset = 0): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  if (bytes.length === 16) return ipv6Text(bytes);
  throw new NetlinkDecodeError(`address of ${bytes.length} bytes`, offset);
}

/** Decode for a known family: IPVS sends a 16-byte union nf_inet_addr even for IPv4. */
export function bytesToIpOfFamily(bytes: Buffer, family: number, offset = 0): string {
  if (family === AF_INET && bytes.length >= 4) return bytesToIp(bytes.subarray(0, 4), offset);
  if (family === AF_INET6 && bytes.length >= 16) return bytesToIp(bytes.subarray(0, 16), offset);
  throw new NetlinkDecodeError(`address of ${bytes.length} bytes for family ${family}`, offset);
}

function ipv6Text(bytes: Buffer): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(bytes.readUInt16BE(i * 2));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestLen < 2) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
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
