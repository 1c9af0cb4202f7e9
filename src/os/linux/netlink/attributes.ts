/**
 * struct nlattr codec: { u16 nla_len; u16 nla_type; } + payload, padded to 4 bytes.
 * nla_len counts header + payload but not the padding. Integers are host order (little endian
 * on the platforms we run on) unless the attribute is documented as network order.
 */
import { NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_HDRLEN, NLA_TYPE_MASK } from './constants.js';
import { NetlinkDecodeError, NetlinkEncodeError } from './errors.js';

export function align4(length: number): number {
  return (length + 3) & ~3;
}

export interface RawAttribute {
  readonly type: number;
  readonly nested: boolean;
  readonly netByteOrder: boolean;
  readonly value: Buffer;
  /** Offset of the attribute header within the buffer passed to decodeAttributes (+ base). */
  readonly offset: number;
}

/** Splits a run of attributes. Throws NetlinkDecodeError on a length that does not fit. */
export function decodeAttributes(buf: Buffer, baseOffset = 0): RawAttribute[] {
  const out: RawAttribute[] = [];
  let pos = 0;
  while (pos + NLA_HDRLEN <= buf.length) {
    const len = buf.readUInt16LE(pos);
    const rawType = buf.readUInt16LE(pos + 2);
    if (len < NLA_HDRLEN || pos + len > buf.length) {
      throw new NetlinkDecodeError(`attribute type ${rawType & NLA_TYPE_MASK} has bad length ${len}`, baseOffset + pos);
    }
    out.push({
      type: rawType & NLA_TYPE_MASK,
      nested: (rawType & NLA_F_NESTED) !== 0,
      netByteOrder: (rawType & NLA_F_NET_BYTEORDER) !== 0,
      value: buf.subarray(pos + NLA_HDRLEN, pos + len),
      offset: baseOffset + pos,
    });
    pos += align4(len);
  }
  if (pos < buf.length && buf.length - pos >= NLA_HDRLEN) {
    throw new NetlinkDecodeError('trailing bytes after attributes', baseOffset + pos);
  }
  return out;
}

/** Typed, size-checked access to a decoded attribute run (last occurrence wins, as in the kernel). */
export class AttributeReader {
  private readonly byType = new Map<number, RawAttribute>();
  constructor(readonly list: readonly RawAttribute[]) {
    for (const a of list) this.byType.set(a.type, a);
  }
  static of(buf: Buffer, baseOffset = 0): AttributeReader {
    return new AttributeReader(decodeAttributes(buf, baseOffset));
  }
  has(type: number): boolean {
    return this.byType.has(type);
  }
  raw(type: number): RawAttribute | undefined {
    return this.byType.get(type);
  }
  all(type: number): RawAttribute[] {
    return this.list.filter((a) => a.type === type);
  }
  bytes(type: number): Buffer | undefined {
    return this.byType.get(type)?.value;
  }
  u8(type: number): number | undefined {
    return this.sized(type, 1)?.readUInt8(0);
  }
  u16(type: number): number | undefined {
    return this.sized(type, 2)?.readUInt16LE(0);
  }
  be16(type: number): number | undefined {
    return this.sized(type, 2)?.readUInt16BE(0);
  }
  u32(type: number): number | undefined {
    return this.sized(type, 4)?.readUInt32LE(0);
  }
  s32(type: number): number | undefined {
    return this.sized(type, 4)?.readInt32LE(0);
  }
  u64(type: number): bigint | undefined {
    return this.sized(type, 8)?.readBigUInt64LE(0);
  }
  /** A NUL-terminated (or unterminated) string. */
  string(type: number): string | undefined {
    const v = this.bytes(type);
    if (v === undefined) return undefined;
    const end = v.indexOf(0);
    return v.subarray(0, end < 0 ? v.length : end).toString('utf8');
  }
  nested(type: number): AttributeReader | undefined {
    const a = this.byType.get(type);
    return a === undefined ? undefined : AttributeReader.of(a.value, a.offset + NLA_HDRLEN);
  }
  private sized(type: number, size: number): Buffer | undefined {
    const a = this.byType.get(type);
    if (a === undefined) return undefined;
    if (a.value.length < size) {
      throw new NetlinkDecodeError(`attribute type ${type} has ${a.value.length} bytes, needs ${size}`, a.offset);
    }
    return a.value;
  }
}

/** One encoded attribute with padding. */
export function attr(type: number, value: Buffer, flags = 0): Buffer {
  const len = NLA_HDRLEN + value.length;
  if (len > 0xffff) throw new NetlinkEncodeError(`attribute type ${type} too long (${len} bytes)`);
  const out = Buffer.alloc(align4(len));
  out.writeUInt16LE(len, 0);
  out.writeUInt16LE((type | flags) & 0xffff, 2);
  value.copy(out, NLA_HDRLEN);
  return out;
}

export function attrNested(type: number, children: readonly Buffer[]): Buffer {
  return attr(type, Buffer.concat(children), NLA_F_NESTED);
}

/** Nested without NLA_F_NESTED: for families whose parsers predate the flag (IPVS, IFLA_LINKINFO). */
export function attrContainer(type: number, children: readonly Buffer[]): Buffer {
  return attr(type, Buffer.concat(children));
}

export function attrU8(type: number, value: number): Buffer {
  return attr(type, intBytes(value, 1, 'LE', type));
}

export function attrU16(type: number, value: number): Buffer {
  return attr(type, intBytes(value, 2, 'LE', type));
}

export function attrBe16(type: number, value: number): Buffer {
  return attr(type, intBytes(value, 2, 'BE', type));
}

export function attrU32(type: number, value: number): Buffer {
  return attr(type, intBytes(value, 4, 'LE', type));
}

export function attrS32(type: number, value: number): Buffer {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
    throw new NetlinkEncodeError(`attribute type ${type}: ${value} is not a signed 32-bit integer`);
  }
  const b = Buffer.alloc(4);
  b.writeInt32LE(value, 0);
  return attr(type, b);
}

export function attrU64(type: number, value: bigint): Buffer {
  if (value < 0n || value > 0xffffffffffffffffn) throw new NetlinkEncodeError(`attribute type ${type}: ${value} out of u64 range`);
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(value, 0);
  return attr(type, b);
}

/** A NUL-terminated string; `maxBytes` counts the terminator (IFNAMSIZ 16 and the like). */
export function attrString(type: number, value: string, maxBytes?: number): Buffer {
  const bytes = Buffer.from(`${value}\0`, 'utf8');
  if (maxBytes !== undefined && bytes.length > maxBytes) {
    throw new NetlinkEncodeError(`"${value}" is longer than ${maxBytes - 1} bytes`);
  }
  return attr(type, bytes);
}

export function intBytes(value: number, size: 1 | 2 | 4, order: 'LE' | 'BE', what: number | string): Buffer {
  const max = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new NetlinkEncodeError(`${typeof what === 'number' ? `attribute type ${what}` : what}: ${value} is not a u${size * 8}`);
  }
  const b = Buffer.alloc(size);
  if (size === 1) b.writeUInt8(value, 0);
  else if (size === 2) order === 'LE' ? b.writeUInt16LE(value, 0) : b.writeUInt16BE(value, 0);
  else order === 'LE' ? b.writeUInt32LE(value, 0) : b.writeUInt32BE(value, 0);
  return b;
}
