/**
 * Ancillary data (struct cmsghdr sequences) on 64-bit Linux: a 16-byte header (size_t cmsg_len,
 * int level, int type) followed by data, each element padded to 8 bytes.
 */
import { IPPROTO_IP, IPPROTO_IPV6, IP_PKTINFO, IPV6_HOPLIMIT, IPV6_PKTINFO } from './linux-constants.js';

export const CMSG_HEADER_LENGTH = 16;
const ALIGN = 8;

export function cmsgAlign(length: number): number {
  return (length + ALIGN - 1) & ~(ALIGN - 1);
}

/** CMSG_SPACE: bytes one element with `dataLength` bytes of data occupies. */
export function cmsgSpace(dataLength: number): number {
  return CMSG_HEADER_LENGTH + cmsgAlign(dataLength);
}

export interface ControlMessage {
  readonly level: number;
  readonly type: number;
  readonly data: Uint8Array;
}

/** Encodes control messages for sendmsg. */
export function encodeControl(messages: readonly ControlMessage[]): Buffer {
  const total = messages.reduce((sum, m) => sum + cmsgSpace(m.data.length), 0);
  const out = Buffer.alloc(total);
  let at = 0;
  for (const m of messages) {
    out.writeBigUInt64LE(BigInt(CMSG_HEADER_LENGTH + m.data.length), at);
    out.writeInt32LE(m.level, at + 8);
    out.writeInt32LE(m.type, at + 12);
    out.set(m.data, at + CMSG_HEADER_LENGTH);
    at += cmsgSpace(m.data.length);
  }
  return out;
}

/**
 * Offset of the data of the first element with (level, type) within control[0, length), or -1.
 * Allocation-free (used per received packet). Stops at a malformed element.
 */
export function findControl(control: Buffer, length: number, level: number, type: number): number {
  let at = 0;
  const end = Math.min(length, control.length);
  while (at + CMSG_HEADER_LENGTH <= end) {
    const elementLength = control.readUInt32LE(at); // the high half of the size_t is 0 for sane lengths
    if (elementLength < CMSG_HEADER_LENGTH || at + elementLength > end) return -1;
    if (control.readInt32LE(at + 8) === level && control.readInt32LE(at + 12) === type) return at + CMSG_HEADER_LENGTH;
    at += cmsgAlign(elementLength);
  }
  return -1;
}

/** Decodes every element (diagnostics and tests; allocates). */
export function decodeControl(control: Buffer, length = control.length): ControlMessage[] {
  const out: ControlMessage[] = [];
  let at = 0;
  const end = Math.min(length, control.length);
  while (at + CMSG_HEADER_LENGTH <= end) {
    const elementLength = control.readUInt32LE(at);
    if (elementLength < CMSG_HEADER_LENGTH || at + elementLength > end) break;
    out.push({
      level: control.readInt32LE(at + 8),
      type: control.readInt32LE(at + 12),
      data: control.subarray(at + CMSG_HEADER_LENGTH, at + elementLength),
    });
    at += cmsgAlign(elementLength);
  }
  return out;
}

/** struct in_pktinfo (12 bytes): ifindex, spec_dst, addr (header destination). */
export const IN_PKTINFO = { level: IPPROTO_IP, type: IP_PKTINFO, ifindexOffset: 0, destinationOffset: 8 } as const;
/** struct in6_pktinfo (20 bytes): addr (16), ifindex. */
export const IN6_PKTINFO = { level: IPPROTO_IPV6, type: IPV6_PKTINFO, addressOffset: 0, ifindexOffset: 16 } as const;

/** IPV6_PKTINFO element selecting the source address and outgoing interface of one send. */
export function ipv6PktinfoControl(source: Uint8Array, ifindex: number): ControlMessage {
  const data = Buffer.alloc(20);
  data.set(source, 0);
  data.writeUInt32LE(ifindex, 16);
  return { level: IPPROTO_IPV6, type: IPV6_PKTINFO, data };
}

/** IPV6_HOPLIMIT element (int) setting the hop limit of one send. */
export function ipv6HopLimitControl(hopLimit: number): ControlMessage {
  const data = Buffer.alloc(4);
  data.writeInt32LE(hopLimit, 0);
  return { level: IPPROTO_IPV6, type: IPV6_HOPLIMIT, data };
}
