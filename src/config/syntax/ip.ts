/**
 * IP addresses and prefixes as keepalived reads them (inet_pton semantics: IPv4 is exactly four
 * decimal octets without leading zeros, IPv6 has no zone index). Pure; no DNS. Bytes and
 * canonical text come from the one codec, src/proto/inet-address.ts.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../../proto/inet-address.js';

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  /** Canonical text (IPv6 compressed, lowercase). */
  readonly text: string;
  /** 4 or 16 bytes, network order. */
  readonly bytes: Uint8Array;
}

export interface IpPrefix extends IpAddress {
  readonly prefixLength: number;
  /** True when the prefix length was written explicitly ("/24"). */
  readonly explicitPrefix: boolean;
}

/** Parses a bare address (no prefix). Undefined when it is not a valid IPv4/IPv6 address. */
export function parseIp(text: string): IpAddress | undefined {
  if (isIPv4(text)) return { family: 4, text, bytes: parseIPv4(text) };
  if (!text.includes('%') && isIPv6(text)) {
    const bytes = parseIPv6(text);
    return { family: 6, text: formatIPv6(bytes), bytes };
  }
  return undefined;
}

/** Parses `ADDR[/LEN]`; LEN must be decimal and <= 32/128. Undefined when invalid. */
export function parseIpPrefix(text: string): IpPrefix | undefined {
  const slash = text.indexOf('/');
  const addr = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!addr) return undefined;
  const maxLen = addr.family === 4 ? 32 : 128;
  if (slash < 0) return { ...addr, prefixLength: maxLen, explicitPrefix: false };
  const lenText = text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(lenText)) return undefined;
  const prefixLength = Number.parseInt(lenText, 10);
  if (prefixLength > maxLen) return undefined;
  return { ...addr, prefixLength, explicitPrefix: true };
}

export function isMulticast(a: IpAddress): boolean {
  const first = a.bytes[0] ?? 0;
  return a.family === 4 ? first >= 224 && first <= 239 : first === 0xff;
}

export function isLinkLocal6(a: IpAddress): boolean {
  return a.family === 6 && a.bytes[0] === 0xfe && ((a.bytes[1] ?? 0) & 0xc0) === 0x80;
}

/** Text of an address with the given family, or undefined (used for "family mismatch" checks). */
export function familyOf(text: string): IpFamily | undefined {
  return parseIp(text)?.family;
}

/** Sets (fill true) or clears the host bits of an IPv4 address for `brd +`/`brd -`. */
export function hostBits4(a: IpAddress, prefixLength: number, fill: boolean): IpAddress {
  const v = ((a.bytes[0] ?? 0) << 24 | (a.bytes[1] ?? 0) << 16 | (a.bytes[2] ?? 0) << 8 | (a.bytes[3] ?? 0)) >>> 0;
  const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
  const r = (fill ? (v | ~mask) : (v & mask)) >>> 0;
  const bytes = Uint8Array.of(r >>> 24, (r >>> 16) & 255, (r >>> 8) & 255, r & 255);
  return { family: 4, text: formatIPv4(bytes), bytes };
}

/** "192.0.2.1" or "192.0.2.0/24" (prefix omitted when it is the full length). */
export function formatPrefix(p: IpPrefix): string {
  const maxLen = p.family === 4 ? 32 : 128;
  return p.prefixLength === maxLen ? p.text : `${p.text}/${p.prefixLength}`;
}
