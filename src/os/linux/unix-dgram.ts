/**
 * UnixDatagramSender: a connected AF_UNIX datagram socket, e.g. to /dev/log for syslog. Sends are
 * non-blocking: a full receiver queue throws SocketError EAGAIN, a missing or dead receiver
 * ECONNREFUSED / ENOENT; reconnect() retries the same path (syslog restarts).
 *
 * Usage:
 *   const log = UnixDatagramSender.open('/dev/log');
 *   log.send(Buffer.from('<30>Keepalived_vrrp[42]: hello'));
 *   log.close();
 */
import { loadNative, type NativeAddon } from './native.js';
import { AF_UNIX, SOCK_DGRAM } from './linux-constants.js';
import { sockaddrUn } from './sockaddr.js';
import { LinuxSocket } from './socket.js';

export class UnixDatagramSender {
  private socket: LinuxSocket;
  private readonly address: Buffer;

  private constructor(readonly path: string, private readonly native: NativeAddon) {
    this.address = sockaddrUn(path);
    this.socket = this.connectNew();
  }

  /** Opens and connects; throws SocketError (ENOENT, ECONNREFUSED, EACCES, ...). */
  static open(path: string, native: NativeAddon = loadNative()): UnixDatagramSender {
    return new UnixDatagramSender(path, native);
  }

  /** Sends one datagram; returns bytes sent. */
  send(message: Buffer): number {
    return this.socket.send(message, null, null, 0);
  }

  /** Closes the current socket and connects a new one to the same path. */
  reconnect(): void {
    const next = this.connectNew();
    this.socket.close();
    this.socket = next;
  }

  close(): void {
    this.socket.close();
  }

  get closed(): boolean {
    return this.socket.closed;
  }

  private connectNew(): LinuxSocket {
    const socket = LinuxSocket.open(AF_UNIX, SOCK_DGRAM, 0, this.native);
    try {
      socket.connect(this.address);
      return socket;
    } catch (error) {
      socket.close();
      throw error;
    }
  }
}
