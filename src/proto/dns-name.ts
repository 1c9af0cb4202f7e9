/**
 * DNS domain names on the wire (RFC 1035 §3.1, §4.1.4): length-prefixed labels ending with the
 * root label (a zero byte); a decoder follows compression pointers (two bytes 0b11xxxxxx) with a
 * loop guard. Pure.
 */
import { CodecError } from './codec-error.js';

export const MAX_LABEL_LENGTH = 63;
export const MAX_NAME_LENGTH = 255;
/** More pointer hops than a 255-byte name can need: a loop. */
const MAX_POINTER_HOPS = 128;

/**
 * Encodes a name as DNS_CHECK sends it: "." and "" are the root; a trailing dot is optional.
 * Rejects empty labels, labels over 63 bytes and names over 255 bytes.
 */
export function encodeName(name: string): Uint8Array {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const labels = trimmed === '' ? [] : trimmed.split('.');
  const parts: number[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'latin1');
    if (bytes.length === 0) throw new CodecError('ERR_INVALID_FIELD', `empty label in DNS name '${name}'`);
    if (bytes.length > MAX_LABEL_LENGTH) throw new CodecError('ERR_INVALID_FIELD', `label over ${MAX_LABEL_LENGTH} bytes in DNS name '${name}'`);
    parts.push(bytes.length, ...bytes);
  }
  parts.push(0);
  if (parts.length > MAX_NAME_LENGTH) throw new CodecError('ERR_INVALID_FIELD', `DNS name over ${MAX_NAME_LENGTH} bytes: '${name}'`);
  return Uint8Array.from(parts);
}

export type DecodedName = { readonly ok: true; readonly name: string; readonly next: number } | { readonly ok: false };

/**
 * Decodes the name at `offset`. `next` is the offset after the name as it appears there (after
 * the first pointer, if any). The root is returned as ".", other names without a trailing dot.
 */
export function decodeName(bytes: Uint8Array, offset: number): DecodedName {
  const labels: string[] = [];
  let at = offset;
  let next: number | undefined;
  let wireLength = 1;
  for (let hops = 0; hops <= MAX_POINTER_HOPS; ) {
    const len = bytes[at];
    if (len === undefined) return { ok: false };
    if (len === 0) {
      return { ok: true, name: labels.length === 0 ? '.' : labels.join('.'), next: next ?? at + 1 };
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      const low = bytes[at + 1];
      if (low === undefined) return { ok: false };
      next ??= at + 2;
      at = ((len & 0x3f) << 8) | low;
      hops++;
      continue;
    }
    if (kind !== 0) return { ok: false }; // 0x40 / 0x80: extended label types, not supported
    if (at + 1 + len > bytes.length) return { ok: false };
    wireLength += 1 + len;
    if (wireLength > MAX_NAME_LENGTH) return { ok: false };
    labels.push(Buffer.from(bytes.subarray(at + 1, at + 1 + len)).toString('latin1'));
    at += 1 + len;
  }
  return { ok: false };
}
