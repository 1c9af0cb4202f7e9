/**
 * IPv4 / IPv6 / MAC address text <-> bytes (pure). Formatting follows RFC 5952 for IPv6 (lower
 * case, the longest run of two or more zero groups compressed, the first run on a tie).
 */
import { CodecError } from './codec-error.js';

export const IPV4_LENGTH = 4;
export const IPV6_LENGTH = 16;
export const MAC_LENGTH = 6;

const IPV4_PART = /^(0|[1-9][0-9]{0,2})$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Parses dotted-quad IPv4 ("192.0.2.1") into 4 bytes. Throws CodecError ERR_INVALID_ADDRESS. */
export function parseIPv4(text: string): Uint8Array {
  const out = new Uint8Array(IPV4_LENGTH);
  if (!parseIPv4Into(text, out, 0)) throw new CodecError('ERR_INVALID_ADDRESS', `invalid IPv4 address: ${text}`);
  return out;
}

function parseIPv4Into(text: string, out: Uint8Array, offset: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? '';
    if (!IPV4_PART.test(part)) return false;
    const value = Number(part);
    if (value > 255) return false;
    out[offset + i] = value;
  }
  return true;
}

/** Parses IPv6 text (with "::", embedded IPv4, and an ignored "%scope" suffix) into 16 bytes. */
export function parseIPv6(text: string): Uint8Array {
  const out = new Uint8Array(IPV6_LENGTH);
  const percent = text.indexOf('%');
  const body = percent >= 0 ? text.slice(0, percent) : text;
  if (!parseIPv6Into(body, out)) throw new CodecError('ERR_INVALID_ADDRESS', `invalid IPv6 address: ${text}`);
  return out;
}

function parseIPv6Into(text: string, out: Uint8Array): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const head = parseGroups(halves[0] ?? '', out, 0, halves.length === 1);
  if (head < 0) return false;
  if (halves.length === 1) return head === IPV6_LENGTH;
  const tail = new Uint8Array(IPV6_LENGTH);
  const tailLength = parseGroups(halves[1] ?? '', tail, 0, true);
  if (tailLength < 0 || head + tailLength > IPV6_LENGTH - 2) return false;
  out.set(tail.subarray(0, tailLength), IPV6_LENGTH - tailLength);
  return true;
}

/** Parses colon-separated groups into `out`; returns bytes written or -1. */
function parseGroups(text: string, out: Uint8Array, offset: number, ipv4Allowed: boolean): number {
  if (text === '') return 0;
  const groups = text.split(':');
  let at = offset;
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i] ?? '';
    if (ipv4Allowed && i === groups.length - 1 && group.includes('.')) {
      if (at + 4 > IPV6_LENGTH || !parseIPv4Into(group, out, at)) return -1;
      return at + 4 - offset;
    }
    if (!IPV6_GROUP.test(group) || at + 2 > IPV6_LENGTH) return -1;
    const value = parseInt(group, 16);
    out[at] = value >> 8;
    out[at + 1] = value & 0xff;
    at += 2;
  }
  return at - offset;
}

/** Parses either family; the result length (4 or 16) tells which. */
export function parseIp(text: string): Uint8Array {
  return text.includes(':') ? parseIPv6(text) : parseIPv4(text);
}

export function formatIPv4(bytes: Uint8Array, offset = 0): string {
  if (bytes.length < offset + IPV4_LENGTH) throw new CodecError('ERR_BUFFER_TOO_SHORT', 'IPv4 address needs 4 bytes');
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

export function formatIPv6(bytes: Uint8Array, offset = 0): string {
  if (bytes.length < offset + IPV6_LENGTH) throw new CodecError('ERR_BUFFER_TOO_SHORT', 'IPv6 address needs 16 bytes');
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((bytes[offset + 2 * i] ?? 0) << 8) | (bytes[offset + 2 * i + 1] ?? 0));
  const [runStart, runLength] = longestZeroRun(groups);
  if (runLength < 2) return groups.map((g) => g.toString(16)).join(':');
  const head = groups.slice(0, runStart).map((g) => g.toString(16)).join(':');
  const tail = groups.slice(runStart + runLength).map((g) => g.toString(16)).join(':');
  return `${head}::${tail}`;
}

function longestZeroRun(groups: readonly number[]): [number, number] {
  let bestStart = -1;
  let bestLength = 0;
  let start = -1;
  for (let i = 0; i <= groups.length; i++) {
    if (i < groups.length && groups[i] === 0) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && i - start > bestLength) {
      bestStart = start;
      bestLength = i - start;
    }
    start = -1;
  }
  return [bestStart, bestLength];
}

/** Formats 4 or 16 bytes as an address of the matching family. */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === IPV4_LENGTH) return formatIPv4(bytes);
  if (bytes.length === IPV6_LENGTH) return formatIPv6(bytes);
  throw new CodecError('ERR_INVALID_ADDRESS', `an IP address has 4 or 16 bytes, not ${bytes.length}`);
}

/** Parses "00:00:5e:00:01:2a" (also with "-") into 6 bytes. */
export function parseMac(text: string): Uint8Array {
  const parts = text.split(/[:-]/);
  const out = new Uint8Array(MAC_LENGTH);
  if (parts.length !== MAC_LENGTH) throw new CodecError('ERR_INVALID_MAC', `invalid MAC address: ${text}`);
  parts.forEach((part, i) => {
    if (!/^[0-9a-fA-F]{1,2}$/.test(part)) throw new CodecError('ERR_INVALID_MAC', `invalid MAC address: ${text}`);
    out[i] = parseInt(part, 16);
  });
  return out;
}

export function formatMac(bytes: Uint8Array, offset = 0): string {
  if (bytes.length < offset + MAC_LENGTH) throw new CodecError('ERR_BUFFER_TOO_SHORT', 'MAC address needs 6 bytes');
  const parts: string[] = [];
  for (let i = 0; i < MAC_LENGTH; i++) parts.push((bytes[offset + i] ?? 0).toString(16).padStart(2, '0'));
  return parts.join(':');
}

/** Ethernet multicast MAC of an IPv6 group: 33:33 + the low 32 bits (RFC 2464 §7). */
export function ipv6MulticastMac(group: Uint8Array): Uint8Array {
  return Uint8Array.of(0x33, 0x33, group[12] ?? 0, group[13] ?? 0, group[14] ?? 0, group[15] ?? 0);
}

/** Ethernet multicast MAC of an IPv4 group: 01:00:5e + the low 23 bits (RFC 1112 §6.4). */
export function ipv4MulticastMac(group: Uint8Array): Uint8Array {
  return Uint8Array.of(0x01, 0x00, 0x5e, (group[1] ?? 0) & 0x7f, group[2] ?? 0, group[3] ?? 0);
}
