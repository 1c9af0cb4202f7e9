/**
 * The datagram transport under the netlink client: the native AF_NETLINK socket in production,
 * a fake kernel in tests. Sending never blocks; datagrams arrive through the `start` callback
 * from the event loop.
 */
import { loadNative, isNativeError, NativeAddon } from '../native.js';
import {
  AF_NETLINK, MSG_DONTWAIT, MSG_TRUNC, NETLINK_ADD_MEMBERSHIP, NETLINK_CAP_ACK, NETLINK_EXT_ACK, SO_RCVBUF,
  SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_RAW, SOL_NETLINK, SOL_SOCKET,
} from './constants.js';
import { NetlinkSocketError } from './errors.js';

export interface NetlinkTransport {
  /** Sends one datagram (one or more messages) to the kernel. Throws NetlinkSocketError. */
  send(datagram: Buffer): void;
  /** Starts delivering received datagrams and socket errors (ENOBUFS = lost messages). */
  start(onDatagram: (datagram: Buffer) => void, onError: (error: NetlinkSocketError) => void): void;
  /** Joins a multicast group (RTNLGRP_* or a genl group id). */
  addMembership(group: number): void;
  close(): void;
}

export interface NativeTransportOptions {
  /** SO_RCVBUF in bytes (monitoring sockets want a large one). */
  readonly receiveBufferBytes?: number;
  /** Size of the receive buffer passed to recvmsg (a datagram larger than this is reported). */
  readonly datagramBytes?: number;
  readonly addon?: NativeAddon;
}

/** struct sockaddr_nl { u16 nl_family; u16 nl_pad; u32 nl_pid; u32 nl_groups; } */
export function sockaddrNl(pid: number, groups: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16LE(AF_NETLINK, 0);
  b.writeUInt32LE(pid >>> 0, 4);
  b.writeUInt32LE(groups >>> 0, 8);
  return b;
}

function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(value, 0);
  return b;
}

function socketError(what: string, e: unknown): NetlinkSocketError {
  if (e instanceof NetlinkSocketError) return e;
  const name = isNativeError(e) ? e.code : undefined;
  return new NetlinkSocketError(`${what}: ${e instanceof Error ? e.message : String(e)}`, name);
}

/** AF_NETLINK socket over the native addon. */
export class NativeNetlinkTransport implements NetlinkTransport {
  private readonly addon: NativeAddon;
  private readonly fd: number;
  private readonly kernel = sockaddrNl(0, 0);
  private readonly buffer: Buffer;
  private poll: { close(): void } | undefined;
  private closed = false;

  constructor(protocol: number, options: NativeTransportOptions = {}) {
    try {
      this.addon = options.addon ?? loadNative();
    } catch (e) {
      throw socketError('loading the native addon', e);
    }
    this.buffer = Buffer.alloc(options.datagramBytes ?? 256 * 1024);
    try {
      this.fd = this.addon.socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    } catch (e) {
      throw socketError(`socket(AF_NETLINK, ${protocol})`, e);
    }
    try {
      this.addon.bind(this.fd, sockaddrNl(0, 0));
      this.optional(NETLINK_EXT_ACK, 1);
      this.optional(NETLINK_CAP_ACK, 1);
      if (options.receiveBufferBytes !== undefined) this.addon.setsockopt(this.fd, SOL_SOCKET, SO_RCVBUF, int32(options.receiveBufferBytes));
    } catch (e) {
      this.addon.close(this.fd);
      throw socketError('netlink socket setup', e);
    }
  }

  /** Options that older kernels lack: failure only loses extended ACK details. */
  private optional(name: number, value: number): void {
    try {
      this.addon.setsockopt(this.fd, SOL_NETLINK, name, int32(value));
    } catch {
      // kernel without this option: acks stay plain
    }
  }

  send(datagram: Buffer): void {
    if (this.closed) throw new NetlinkSocketError('send on a closed netlink socket', 'EBADF');
    try {
      const sent = this.addon.sendmsg(this.fd, datagram, this.kernel, null, 0);
      if (sent !== datagram.length) throw new NetlinkSocketError(`short netlink send (${sent} of ${datagram.length})`, undefined);
    } catch (e) {
      throw socketError('netlink sendmsg', e);
    }
  }

  start(onDatagram: (datagram: Buffer) => void, onError: (error: NetlinkSocketError) => void): void {
    this.poll = this.addon.poll(this.fd, (err) => {
      if (err !== null) onError(new NetlinkSocketError(`netlink poll: ${err}`, undefined));
      else this.drain(onDatagram, onError);
    });
  }

  private drain(onDatagram: (datagram: Buffer) => void, onError: (error: NetlinkSocketError) => void): void {
    for (let i = 0; i < 1024 && !this.closed; i++) {
      let r;
      try {
        r = this.addon.recvmsg(this.fd, this.buffer, 0, MSG_DONTWAIT);
      } catch (e) {
        onError(socketError('netlink recvmsg', e));
        if (isNativeError(e) && e.code === 'ENOBUFS') continue;
        return;
      }
      if (r === null) return;
      if ((r.flags & MSG_TRUNC) !== 0) {
        onError(new NetlinkSocketError(`netlink datagram larger than ${this.buffer.length} bytes was truncated`, 'EMSGSIZE'));
        continue;
      }
      onDatagram(Buffer.from(this.buffer.subarray(0, r.bytes)));
    }
  }

  addMembership(group: number): void {
    try {
      this.addon.setsockopt(this.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, int32(group));
    } catch (e) {
      throw socketError(`joining netlink group ${group}`, e);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.poll?.close();
    this.addon.close(this.fd);
  }
}
