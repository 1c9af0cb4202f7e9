/**
 * DNS messages (RFC 1035), the part DNS_CHECK needs: a query with one question and RD set, and a
 * decoder of answers (header, questions, resource records with compressed names). Pure: bytes in,
 * typed value or typed rejection out; never throws on hostile input (CodecError only from the
 * encoder, for a name that cannot be encoded).
 *
 * Header (12 bytes):  id(16) | QR(1) opcode(4) AA TC RD RA Z(3) rcode(4) | qd an ns ar counts(16 each)
 */
import { CodecError } from './codec-error.js';
import { decodeName, encodeName } from './dns-name.js';

export const DNS_HEADER_LENGTH = 12;
export const DNS_CLASS_IN = 1;
const FLAG_QR = 0x8000;
const FLAG_RD = 0x0100;
const MAX_RECORDS = 1024;

export const DNS_TYPES = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, MX: 15, TXT: 16, AAAA: 28, RRSIG: 46, DNSKEY: 48,
} as const;
export type DnsTypeName = keyof typeof DNS_TYPES;

export interface DnsQuery {
  readonly id: number;
  readonly name: string;
  readonly type: number;
}

/** Encodes a standard query, RD set, class IN. */
export function encodeDnsQuery(query: DnsQuery): Uint8Array {
  if (!Number.isInteger(query.id) || query.id < 0 || query.id > 0xffff) {
    throw new CodecError('ERR_INVALID_FIELD', `DNS id out of range: ${query.id}`);
  }
  const name = encodeName(query.name);
  const out = new Uint8Array(DNS_HEADER_LENGTH + name.length + 4);
  const view = new DataView(out.buffer);
  view.setUint16(0, query.id);
  view.setUint16(2, FLAG_RD);
  view.setUint16(4, 1); // qdcount
  out.set(name, DNS_HEADER_LENGTH);
  view.setUint16(DNS_HEADER_LENGTH + name.length, query.type);
  view.setUint16(DNS_HEADER_LENGTH + name.length + 2, DNS_CLASS_IN);
  return out;
}

export interface DnsHeader {
  readonly id: number;
  readonly isResponse: boolean;
  readonly opcode: number;
  readonly authoritative: boolean;
  readonly truncated: boolean;
  readonly recursionDesired: boolean;
  readonly recursionAvailable: boolean;
  readonly rcode: number;
  readonly questionCount: number;
  readonly answerCount: number;
  readonly authorityCount: number;
  readonly additionalCount: number;
}

export type DnsRejection = 'too-short' | 'bad-name' | 'truncated-record' | 'too-many-records';
export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: DnsRejection; readonly at: number };

export function decodeDnsHeader(bytes: Uint8Array): Decoded<DnsHeader> {
  if (bytes.length < DNS_HEADER_LENGTH) return { ok: false, reason: 'too-short', at: bytes.length };
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = v.getUint16(2);
  return {
    ok: true,
    value: {
      id: v.getUint16(0),
      isResponse: (flags & FLAG_QR) !== 0,
      opcode: (flags >> 11) & 0x0f,
      authoritative: (flags & 0x0400) !== 0,
      truncated: (flags & 0x0200) !== 0,
      recursionDesired: (flags & FLAG_RD) !== 0,
      recursionAvailable: (flags & 0x0080) !== 0,
      rcode: flags & 0x0f,
      questionCount: v.getUint16(4),
      answerCount: v.getUint16(6),
      authorityCount: v.getUint16(8),
      additionalCount: v.getUint16(10),
    },
  };
}

export interface DnsQuestion {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

export interface DnsRecord {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttlS: number;
  readonly data: Uint8Array;
  /** Decoded rdata for A/AAAA (address text), NS/CNAME (name), MX (exchange), TXT (strings). */
  readonly text?: string;
}

export interface DnsMessage {
  readonly header: DnsHeader;
  readonly questions: readonly DnsQuestion[];
  readonly answers: readonly DnsRecord[];
  readonly authority: readonly DnsRecord[];
  readonly additional: readonly DnsRecord[];
}

/** Decodes a whole message. */
export function decodeDnsMessage(bytes: Uint8Array): Decoded<DnsMessage> {
  const h = decodeDnsHeader(bytes);
  if (!h.ok) return h;
  const header = h.value;
  const total = header.questionCount + header.answerCount + header.authorityCount + header.additionalCount;
  if (total > MAX_RECORDS) return { ok: false, reason: 'too-many-records', at: 4 };
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = DNS_HEADER_LENGTH;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < header.questionCount; i++) {
    const n = decodeName(bytes, at);
    if (!n.ok) return { ok: false, reason: 'bad-name', at };
    if (n.next + 4 > bytes.length) return { ok: false, reason: 'truncated-record', at: n.next };
    questions.push({ name: n.name, type: v.getUint16(n.next), class: v.getUint16(n.next + 2) });
    at = n.next + 4;
  }
  const sections: DnsRecord[][] = [[], [], []];
  const counts = [header.answerCount, header.authorityCount, header.additionalCount];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < (counts[s] ?? 0); i++) {
      const r = decodeRecord(bytes, v, at);
      if (!r.ok) return r;
      sections[s]?.push(r.value.record);
      at = r.value.next;
    }
  }
  const [answers = [], authority = [], additional = []] = sections;
  return { ok: true, value: { header, questions, answers, authority, additional } };
}

function decodeRecord(bytes: Uint8Array, v: DataView, at: number): Decoded<{ record: DnsRecord; next: number }> {
  const n = decodeName(bytes, at);
  if (!n.ok) return { ok: false, reason: 'bad-name', at };
  const fixed = n.next;
  if (fixed + 10 > bytes.length) return { ok: false, reason: 'truncated-record', at: fixed };
  const type = v.getUint16(fixed);
  const rdLength = v.getUint16(fixed + 8);
  const start = fixed + 10;
  if (start + rdLength > bytes.length) return { ok: false, reason: 'truncated-record', at: start };
  const data = bytes.subarray(start, start + rdLength);
  const text = rdataText(bytes, type, start, rdLength);
  const record: DnsRecord = {
    name: n.name, type, class: v.getUint16(fixed + 2), ttlS: v.getUint32(fixed + 4), data,
    ...(text !== undefined ? { text } : {}),
  };
  return { ok: true, value: { record, next: start + rdLength } };
}

function rdataText(bytes: Uint8Array, type: number, start: number, length: number): string | undefined {
  const data = bytes.subarray(start, start + length);
  switch (type) {
    case DNS_TYPES.A:
      return length === 4 ? Array.from(data).join('.') : undefined;
    case DNS_TYPES.AAAA:
      return length === 16 ? ipv6Text(data) : undefined;
    case DNS_TYPES.NS:
    case DNS_TYPES.CNAME: {
      const n = decodeName(bytes, start);
      return n.ok && n.next <= start + length ? n.name : undefined;
    }
    case DNS_TYPES.MX: {
      const n = length > 2 ? decodeName(bytes, start + 2) : undefined;
      return n?.ok && n.next <= start + length ? n.name : undefined;
    }
    case DNS_TYPES.TXT:
      return txtText(data);
    default:
      return undefined;
  }
}

function ipv6Text(data: Uint8Array): string {
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push((((data[i] ?? 0) << 8) | (data[i + 1] ?? 0)).toString(16));
  return words.join(':');
}

function txtText(data: Uint8Array): string | undefined {
  const parts: string[] = [];
  for (let i = 0; i < data.length; ) {
    const len = data[i] ?? 0;
    if (i + 1 + len > data.length) return undefined;
    parts.push(Buffer.from(data.subarray(i + 1, i + 1 + len)).toString('latin1'));
    i += 1 + len;
  }
  return parts.join('');
}
