/**
 * Netlink request/response engine over a NetlinkTransport: sequence numbers, acknowledged
 * requests, multipart dumps, kernel errors with errno names and extended ACK text, and
 * unsolicited (multicast) messages for monitoring. Fully asynchronous.
 */
import {
  NETLINK_GENERIC, NETLINK_ROUTE, NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR,
  NLMSG_NOOP, NLMSG_OVERRUN,
} from './constants.js';
import {
  NetlinkDecodeError, NetlinkDumpInterruptedError, NetlinkKernelError, NetlinkSocketError, NetlinkTimeoutError,
} from './errors.js';
import { decodeAck, decodeDone, decodeMessages, encodeMessage, NetlinkMessage } from './message.js';
import { NativeNetlinkTransport, NativeTransportOptions, NetlinkTransport } from './transport.js';

/** Timer port (the daemon passes its Clock; defaults to the event loop's timers). */
export interface TimerPort {
  setTimer(delayMs: number, callback: () => void): unknown;
  clearTimer(handle: unknown): void;
}

const loopTimers: TimerPort = {
  setTimer: (delayMs, callback) => setTimeout(callback, delayMs),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface NetlinkClientOptions {
  readonly timeoutMs?: number;
  readonly timers?: TimerPort;
  /** Attempts for a dump the kernel marks NLM_F_DUMP_INTR (default 3). */
  readonly dumpAttempts?: number;
}

interface Pending {
  readonly dump: boolean;
  readonly describe: string;
  readonly messages: NetlinkMessage[];
  interrupted: boolean;
  timer: unknown;
  resolve(messages: NetlinkMessage[]): void;
  reject(error: Error): void;
}

export type NotificationHandler = (message: NetlinkMessage) => void;
export type SocketErrorHandler = (error: NetlinkSocketError | NetlinkDecodeError) => void;

export class NetlinkClient {
  private readonly pending = new Map<number, Pending>();
  private readonly notificationHandlers = new Set<NotificationHandler>();
  private readonly errorHandlers = new Set<SocketErrorHandler>();
  private readonly timeoutMs: number;
  private readonly timers: TimerPort;
  private readonly dumpAttempts: number;
  private seq = 0;
  private closed = false;

  constructor(private readonly transport: NetlinkTransport, options: NetlinkClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.timers = options.timers ?? loopTimers;
    this.dumpAttempts = options.dumpAttempts ?? 3;
    transport.start((d) => this.onDatagram(d), (e) => this.handleSocketError(e));
  }

  /** Opens an rtnetlink (NETLINK_ROUTE) client on a native socket. */
  static openRoute(options: NetlinkClientOptions & NativeTransportOptions = {}): NetlinkClient {
    return new NetlinkClient(new NativeNetlinkTransport(NETLINK_ROUTE, options), options);
  }

  /** Opens a generic netlink (NETLINK_GENERIC) client on a native socket. */
  static openGeneric(options: NetlinkClientOptions & NativeTransportOptions = {}): NetlinkClient {
    return new NetlinkClient(new NativeNetlinkTransport(NETLINK_GENERIC, options), options);
  }

  /** Sends a request with NLM_F_ACK; resolves with any reply messages once the kernel acks. */
  request(type: number, payload: Buffer, flags = 0, describe = `netlink request type ${type}`): Promise<NetlinkMessage[]> {
    return this.send(type, NLM_F_REQUEST | NLM_F_ACK | flags, payload, false, describe);
  }

  /** Sends a dump request; resolves with every message before NLMSG_DONE (retrying interrupted dumps). */
  async dump(type: number, payload: Buffer, describe = `netlink dump type ${type}`): Promise<NetlinkMessage[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.send(type, NLM_F_REQUEST | NLM_F_DUMP, payload, true, describe);
      } catch (e) {
        if (!(e instanceof NetlinkDumpInterruptedError) || attempt >= this.dumpAttempts) {
          throw e instanceof NetlinkDumpInterruptedError ? new NetlinkDumpInterruptedError(describe, attempt) : e;
        }
      }
    }
  }

  /** Joins a multicast group; its messages go to the notification handlers. */
  subscribe(group: number): void {
    this.transport.addMembership(group);
  }

  onNotification(handler: NotificationHandler): () => void {
    this.notificationHandlers.add(handler);
    return () => this.notificationHandlers.delete(handler);
  }

  /** Socket-level trouble; ENOBUFS means notifications were lost and state must be re-dumped. */
  onSocketError(handler: SocketErrorHandler): () => void {
    this.errorHandlers.add(handler);
    return () => this.errorHandlers.delete(handler);
  }

  private handleSocketError(error: NetlinkSocketError): void {
    // A lost datagram may have been an answer: fail what is waiting rather than time out later.
    this.failAll(error);
    for (const h of this.errorHandlers) h(error);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new NetlinkSocketError('netlink client closed', 'EBADF'));
    this.transport.close();
  }

  private nextSeq(): number {
    do {
      this.seq = (this.seq + 1) >>> 0;
    } while (this.seq === 0 || this.pending.has(this.seq));
    return this.seq;
  }

  private send(type: number, flags: number, payload: Buffer, dump: boolean, describe: string): Promise<NetlinkMessage[]> {
    if (this.closed) return Promise.reject(new NetlinkSocketError(`${describe}: client closed`, 'EBADF'));
    const seq = this.nextSeq();
    return new Promise<NetlinkMessage[]>((resolve, reject) => {
      const p: Pending = { dump, describe, messages: [], interrupted: false, timer: undefined, resolve, reject };
      p.timer = this.timers.setTimer(this.timeoutMs, () => this.settle(seq, new NetlinkTimeoutError(describe, this.timeoutMs)));
      this.pending.set(seq, p);
      try {
        this.transport.send(encodeMessage({ type, flags, seq }, payload));
      } catch (e) {
        this.settle(seq, e instanceof Error ? e : new NetlinkSocketError(String(e), undefined));
      }
    });
  }

  private settle(seq: number, outcome: Error | NetlinkMessage[]): void {
    const p = this.pending.get(seq);
    if (p === undefined) return;
    this.pending.delete(seq);
    this.timers.clearTimer(p.timer);
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  }

  private failAll(error: Error): void {
    for (const seq of [...this.pending.keys()]) this.settle(seq, error);
  }

  private onDatagram(datagram: Buffer): void {
    let messages: NetlinkMessage[];
    try {
      messages = decodeMessages(datagram);
    } catch (e) {
      if (e instanceof NetlinkDecodeError) for (const h of this.errorHandlers) h(e);
      return;
    }
    for (const m of messages) this.onMessage(m);
  }

  private onMessage(m: NetlinkMessage): void {
    const p = m.seq === 0 ? undefined : this.pending.get(m.seq);
    if (p === undefined) {
      if (m.type !== NLMSG_ERROR && m.type !== NLMSG_DONE && m.type !== NLMSG_NOOP) {
        for (const h of this.notificationHandlers) h(m);
      }
      return;
    }
    try {
      this.onResponse(m, p);
    } catch (e) {
      this.settle(m.seq, e instanceof Error ? e : new Error(String(e)));
    }
  }

  private onResponse(m: NetlinkMessage, p: Pending): void {
    if ((m.flags & NLM_F_DUMP_INTR) !== 0) p.interrupted = true;
    if (m.type === NLMSG_NOOP) return;
    if (m.type === NLMSG_OVERRUN) throw new NetlinkSocketError(`${p.describe}: NLMSG_OVERRUN`, 'ENOBUFS');
    if (m.type === NLMSG_ERROR) {
      const ack = decodeAck(m);
      if (ack.errno !== 0) throw new NetlinkKernelError(ack.errno, ack.extack.message, ack.extack.offset, p.describe);
      this.settle(m.seq, p.messages);
      return;
    }
    if (m.type === NLMSG_DONE && p.dump) {
      const done = decodeDone(m);
      if (done.errno !== 0) throw new NetlinkKernelError(done.errno, done.extack.message, done.extack.offset, p.describe);
      this.settle(m.seq, p.interrupted ? new NetlinkDumpInterruptedError(p.describe, 1) : p.messages);
      return;
    }
    p.messages.push(m);
  }
}
