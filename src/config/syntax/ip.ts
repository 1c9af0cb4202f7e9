/**
 * IP addresses and prefixes as keepalived reads them (inet_pton semantics: IPv4 is exactly four
 * decimal octets without leading zeros, IPv6 has no zone index). Pure; no DNS.
 */
import { isIPv4, isIPv6 } from 'node:net';

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

function ipv4Bytes(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map((p) => Number.parseInt(p, 10)));
}

function ipv6Bytes(text: string): Uint8Array {
  let s = text;
  const out = new Uint8Array(16);
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  let tailV4: Uint8Array | undefined;
  if (v4?.[1]) {
    tailV4 = ipv4Bytes(v4[1]);
    s = s.slice(0, s.length - v4[1].length) + '0:0';
  }
  const [head = '', tail] = s.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = [...headParts, ...new Array<string>(8 - headParts.length - tailParts.length).fill('0'), ...tailParts];
  groups.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  if (tailV4) out.set(tailV4, 12);
  return out;
}

function ipv6Text(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Parses a bare address (no prefix). Undefined when it is not a valid IPv4/IPv6 address. */
export function parseIp(text: string): IpAddress | undefined {
  if (isIPv4(text)) return { family: 4, text, bytes: ipv4Bytes(text) };
  if (!text.includes('%') && isIPv6(text)) {
    const bytes = ipv6Bytes(text);
    return { family: 6, text: ipv6Text(bytes), bytes };
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
  const text = [r >>> 24, (r >>> 16) & 255, (r >>> 8) & 255, r & 255].join('.');
  return { family: 4, text, bytes: ipv4Bytes(text) };
}

/** "192.0.2.1" or "192.0.2.0/24" (prefix omitted when it is the full length). */
export function formatPrefix(p: IpPrefix): string {
  const maxLen = p.family === 4 ? 32 : 128;
  return p.prefixLength === maxLen ? p.text : `${p.text}/${p.prefixLength}`;
}
