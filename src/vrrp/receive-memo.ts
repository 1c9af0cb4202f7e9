/**
 * The receive path's memo. A master sends the same advert every interval, so a backup sees the
 * same packet again and again; decoding and validating it (validateAdvert, pure) gives the same
 * verdict each time for the same inputs: the packet (bytes, TTL / hop limit, addresses) and the
 * instance context (params, master address). The memo keeps the last accepted packet with what
 * was made of it; an identical packet in the same context gets that result without the decode
 * (every check ran on its twin). Anything different goes the full way.
 *
 * IPv4: the datagram's identification and header checksum change with every packet; they are left
 * out of the comparison and the header checksum is verified for each packet (as the full decode
 * does). TTL and addresses are in the header. IPv6: the socket reports them beside the payload.
 * The caller never memoises AH packets (sequence number, ICV).
 */
import { internetChecksum } from '../proto/checksum.js';
import type { VrrpFamily } from './packet-types.js';
import type { VrrpInstanceParams } from './params.js';

/** The packet as the memo sees it (a subset of IncomingVrrpPacket). */
export interface MemoPacket {
  readonly family: VrrpFamily;
  readonly bytes: Uint8Array;
  readonly ttl: number;
  readonly source: string;
  readonly destination: string;
}

const IPV4_ID = 4;
const IPV4_CHECKSUM = 10;

export class ReceiveMemo<T> {
  private bytes = new Uint8Array(64);
  private length = -1;
  private family: VrrpFamily = 'ipv4';
  private ttl = -1;
  private source = '';
  private destination = '';
  private params: VrrpInstanceParams | undefined;
  private masterAddress: string | undefined;
  private result: T | undefined;

  /** The result remembered for an identical packet in the same context, or undefined. */
  lookup(packet: MemoPacket, params: VrrpInstanceParams, masterAddress: string | undefined): T | undefined {
    if (this.result === undefined || params !== this.params || masterAddress !== this.masterAddress || packet.family !== this.family) return undefined;
    const bytes = packet.bytes;
    const n = bytes.length;
    if (n !== this.length) return undefined;
    const saved = this.bytes;
    if (packet.family === 'ipv4') {
      for (let i = 0; i < n; i++) {
        if (bytes[i] !== saved[i] && i !== IPV4_ID && i !== IPV4_ID + 1 && i !== IPV4_CHECKSUM && i !== IPV4_CHECKSUM + 1) return undefined;
      }
      const headerLength = ((bytes[0] ?? 0) & 0x0f) * 4;
      return internetChecksum(bytes, 0, headerLength) === 0 ? this.result : undefined;
    }
    for (let i = 0; i < n; i++) if (bytes[i] !== saved[i]) return undefined;
    if (packet.ttl !== this.ttl || packet.source !== this.source || packet.destination !== this.destination) return undefined;
    return this.result;
  }

  /** Remembers an accepted packet (copied: the socket reuses its buffer) and its result. */
  remember(packet: MemoPacket, params: VrrpInstanceParams, masterAddress: string | undefined, result: T): void {
    const bytes = packet.bytes;
    if (this.bytes.length < bytes.length) this.bytes = new Uint8Array(bytes.length);
    this.bytes.set(bytes);
    this.length = bytes.length;
    this.family = packet.family;
    if (packet.family === 'ipv6') {
      this.ttl = packet.ttl;
      this.source = packet.source;
      this.destination = packet.destination;
    }
    this.params = params;
    this.masterAddress = masterAddress;
    this.result = result;
  }

  clear(): void {
    this.result = undefined;
    this.length = -1;
  }
}
