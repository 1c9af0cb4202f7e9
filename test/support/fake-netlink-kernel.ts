/**
 * A fake netlink kernel behind the NetlinkTransport port: requests are decoded and handed to a
 * handler that returns reply payloads or an errno; replies arrive asynchronously (next
 * macrotask), acks and NLMSG_DONE are added the way the kernel adds them.
 */
import { NetlinkTransport } from '../../src/os/linux/netlink/transport.js';
import { NetlinkSocketError } from '../../src/os/linux/netlink/errors.js';
import {
  decodeHeader, decodeMessages, encodeAck, encodeDone, encodeMessage, NetlinkHeader, NetlinkMessage,
} from '../../src/os/linux/netlink/message.js';
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_MULTI } from '../../src/os/linux/netlink/constants.js';

export interface Reply {
  readonly type: number;
  readonly payload: Buffer;
  readonly flags?: number;
}

/** errno > 0 rejects; otherwise the replies (for dumps: the entries before NLMSG_DONE). */
export type KernelHandler = (msg: NetlinkMessage) => { errno: number; extack?: string } | Reply[];

export class FakeNetlinkKernel implements NetlinkTransport {
  readonly sent: NetlinkMessage[] = [];
  readonly groups = new Set<number>();
  closed = false;
  /** When true, requests are swallowed (to test timeouts). */
  silent = false;
  private deliver: ((d: Buffer) => void) | undefined;
  private fail: ((e: NetlinkSocketError) => void) | undefined;

  constructor(private readonly handler: KernelHandler) {}

  send(datagram: Buffer): void {
    if (this.closed) throw new NetlinkSocketError('closed', 'EBADF');
    for (const m of decodeMessages(datagram)) {
      this.sent.push(m);
      if (this.silent) continue;
      const header = decodeHeader(datagram);
      const out = this.answer(m, header);
      setImmediate(() => this.deliver?.(out));
    }
  }

  private answer(m: NetlinkMessage, header: NetlinkHeader): Buffer {
    const result = this.handler(m);
    const dump = (m.flags & NLM_F_DUMP) === NLM_F_DUMP;
    if (!Array.isArray(result)) return encodeAck(header, result.errno, result.extack);
    const parts = result.map((r) => encodeMessage({ type: r.type, flags: (r.flags ?? 0) | (dump ? NLM_F_MULTI : 0), seq: m.seq }, r.payload));
    if (dump) parts.push(encodeDone(m.seq));
    else if ((m.flags & NLM_F_ACK) !== 0) parts.push(encodeAck(header, 0));
    return Buffer.concat(parts);
  }

  start(onDatagram: (d: Buffer) => void, onError: (e: NetlinkSocketError) => void): void {
    this.deliver = onDatagram;
    this.fail = onError;
  }

  /** Pushes an unsolicited datagram (a multicast notification). */
  notify(type: number, payload: Buffer): void {
    this.deliver?.(encodeMessage({ type, flags: 0, seq: 0 }, payload));
  }

  /** Delivers raw bytes as if they came from the socket. */
  inject(datagram: Buffer): void {
    this.deliver?.(datagram);
  }

  overrun(): void {
    this.fail?.(new NetlinkSocketError('recvmsg: No buffer space available', 'ENOBUFS'));
  }

  addMembership(group: number): void {
    this.groups.add(group);
  }

  close(): void {
    this.closed = true;
  }
}
