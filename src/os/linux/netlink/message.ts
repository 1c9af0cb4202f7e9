/**
 * struct nlmsghdr codec and the control messages: NLMSG_ERROR (ack or error, with extended ACK
 * TLVs), NLMSG_DONE (end of a multipart dump, carrying the dump's own error) and NLMSG_NOOP.
 *
 * nlmsghdr (16 bytes, host order): u32 nlmsg_len, u16 nlmsg_type, u16 nlmsg_flags, u32 nlmsg_seq,
 * u32 nlmsg_pid. Messages in one datagram are each padded to 4 bytes.
 */
import {
  NLM_F_ACK_TLVS, NLM_F_CAPPED, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, NLMSGERR_ATTR_MISS_TYPE,
  NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS,
} from './constants.js';
import { align4, AttributeReader } from './attributes.js';
import { NetlinkDecodeError, NetlinkEncodeError } from './errors.js';

export interface NetlinkHeader {
  readonly length: number;
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
}

export interface NetlinkMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
  /** Bytes after the 16-byte header, up to nlmsg_len. */
  readonly payload: Buffer;
}

export interface MessageHeaderFields {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid?: number;
}

export function encodeMessage(fields: MessageHeaderFields, payload: Buffer): Buffer {
  const length = NLMSG_HDRLEN + payload.length;
  const out = Buffer.alloc(align4(length));
  out.writeUInt32LE(length, 0);
  writeU16(out, fields.type, 4, 'nlmsg_type');
  writeU16(out, fields.flags, 6, 'nlmsg_flags');
  out.writeUInt32LE(fields.seq >>> 0, 8);
  out.writeUInt32LE((fields.pid ?? 0) >>> 0, 12);
  payload.copy(out, NLMSG_HDRLEN);
  return out;
}

function writeU16(buf: Buffer, value: number, offset: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new NetlinkEncodeError(`${what} ${value} is not a u16`);
  buf.writeUInt16LE(value, offset);
}

export function decodeHeader(buf: Buffer, offset = 0): NetlinkHeader {
  if (buf.length - offset < NLMSG_HDRLEN) throw new NetlinkDecodeError(`${buf.length - offset} bytes is shorter than nlmsghdr`, offset);
  return {
    length: buf.readUInt32LE(offset),
    type: buf.readUInt16LE(offset + 4),
    flags: buf.readUInt16LE(offset + 6),
    seq: buf.readUInt32LE(offset + 8),
    pid: buf.readUInt32LE(offset + 12),
  };
}

/** Splits one received datagram into its messages. */
export function decodeMessages(datagram: Buffer): NetlinkMessage[] {
  const out: NetlinkMessage[] = [];
  let pos = 0;
  while (pos < datagram.length) {
    const h = decodeHeader(datagram, pos);
    if (h.length < NLMSG_HDRLEN || pos + h.length > datagram.length) {
      throw new NetlinkDecodeError(`nlmsg_len ${h.length} does not fit in ${datagram.length - pos} bytes`, pos);
    }
    out.push({ type: h.type, flags: h.flags, seq: h.seq, pid: h.pid, payload: datagram.subarray(pos + NLMSG_HDRLEN, pos + h.length) });
    pos += align4(h.length);
  }
  return out;
}

/** Extended ACK details (NLMSGERR_ATTR_*). */
export interface ExtendedAck {
  readonly message?: string;
  /** Byte offset, within the original request, of the attribute the kernel blamed. */
  readonly offset?: number;
  readonly missingType?: number;
}

/** An NLMSG_ERROR: errno 0 is an acknowledgement, a positive errno is a rejection. */
export interface NetlinkAck {
  /** Positive errno (the kernel sends it negated); 0 for a plain ACK. */
  readonly errno: number;
  readonly request: NetlinkHeader;
  readonly extack: ExtendedAck;
}

export function decodeAck(msg: NetlinkMessage): NetlinkAck {
  if (msg.type !== NLMSG_ERROR) throw new NetlinkDecodeError(`message type ${msg.type} is not NLMSG_ERROR`, 0);
  const p = msg.payload;
  if (p.length < 4 + NLMSG_HDRLEN) throw new NetlinkDecodeError(`NLMSG_ERROR payload of ${p.length} bytes`, NLMSG_HDRLEN);
  const errno = -p.readInt32LE(0) | 0;
  const request = decodeHeader(p, 4);
  const capped = (msg.flags & NLM_F_CAPPED) !== 0 || errno === 0;
  const echoed = capped ? NLMSG_HDRLEN : align4(Math.max(request.length, NLMSG_HDRLEN));
  const tlvStart = 4 + echoed;
  const extack = (msg.flags & NLM_F_ACK_TLVS) !== 0 && tlvStart <= p.length
    ? decodeExtack(p.subarray(tlvStart), NLMSG_HDRLEN + tlvStart)
    : {};
  return { errno, request, extack };
}

/** NLMSG_DONE: payload is an int (0, or the dump's negated errno), optionally followed by TLVs. */
export function decodeDone(msg: NetlinkMessage): { readonly errno: number; readonly extack: ExtendedAck } {
  if (msg.type !== NLMSG_DONE) throw new NetlinkDecodeError(`message type ${msg.type} is not NLMSG_DONE`, 0);
  if (msg.payload.length < 4) return { errno: 0, extack: {} };
  const errno = -msg.payload.readInt32LE(0) | 0;
  const extack = (msg.flags & NLM_F_ACK_TLVS) !== 0 ? decodeExtack(msg.payload.subarray(4), NLMSG_HDRLEN + 4) : {};
  return { errno, extack };
}

function decodeExtack(tlvs: Buffer, baseOffset: number): ExtendedAck {
  const r = AttributeReader.of(tlvs, baseOffset);
  const message = r.string(NLMSGERR_ATTR_MSG);
  const offset = r.u32(NLMSGERR_ATTR_OFFS);
  const missingType = r.u32(NLMSGERR_ATTR_MISS_TYPE);
  return {
    ...(message !== undefined ? { message } : {}),
    ...(offset !== undefined ? { offset } : {}),
    ...(missingType !== undefined ? { missingType } : {}),
  };
}

/** Builds an NLMSG_ERROR the way the kernel does (for fake kernels in tests). */
export function encodeAck(request: NetlinkHeader, errno: number, extackMessage?: string, pid = 0): Buffer {
  const body = Buffer.alloc(4 + NLMSG_HDRLEN);
  body.writeInt32LE(-errno, 0);
  body.writeUInt32LE(request.length, 4);
  body.writeUInt16LE(request.type, 8);
  body.writeUInt16LE(request.flags, 10);
  body.writeUInt32LE(request.seq, 12);
  body.writeUInt32LE(request.pid, 16);
  let flags = NLM_F_CAPPED;
  let payload = body;
  if (extackMessage !== undefined) {
    flags |= NLM_F_ACK_TLVS;
    const text = Buffer.from(`${extackMessage}\0`);
    const tlv = Buffer.alloc(align4(4 + text.length));
    tlv.writeUInt16LE(4 + text.length, 0);
    tlv.writeUInt16LE(NLMSGERR_ATTR_MSG, 2);
    text.copy(tlv, 4);
    payload = Buffer.concat([body, tlv]);
  }
  return encodeMessage({ type: NLMSG_ERROR, flags, seq: request.seq, pid }, payload);
}

export function encodeDone(seq: number, pid = 0): Buffer {
  return encodeMessage({ type: NLMSG_DONE, flags: 0x2, seq, pid }, Buffer.alloc(4));
}
