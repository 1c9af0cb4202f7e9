/**
 * LinuxSocket: a typed, closed-state-aware wrapper of one non-blocking socket fd of the addon.
 * Every failure is a SocketError whose `code` is the errno name. After close() every operation
 * throws EBADF without reaching the kernel, so a recycled fd number is never touched.
 */
import { loadNative, type NativeAddon, type PollHandle } from './native.js';
import { SOL_SOCKET, SO_BINDTODEVICE } from './linux-constants.js';
import { intOption } from './sockaddr.js';
import { SocketError } from './socket-error.js';

/** Called on the event loop when the socket is readable; drain with receiveInto until -1. */
export type ReadableHandler = () => void;
export type SocketErrorHandler = (error: SocketError) => void;

export class LinuxSocket {
  private pollHandle: PollHandle | undefined;
  private isClosed = false;

  private constructor(private readonly native: NativeAddon, readonly fd: number, readonly domain: number) {}

  /** socket(2) with SOCK_NONBLOCK|SOCK_CLOEXEC. */
  static open(domain: number, type: number, protocol: number, native: NativeAddon = loadNative()): LinuxSocket {
    return new LinuxSocket(native, call('socket', () => native.socket(domain, type, protocol)), domain);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  setOption(level: number, name: number, value: Buffer): void {
    this.guard('setsockopt');
    call('setsockopt', () => this.native.setsockopt(this.fd, level, name, value));
  }

  setIntOption(level: number, name: number, value: number): void {
    this.setOption(level, name, intOption(value));
  }

  getOption(level: number, name: number, length: number): Buffer {
    this.guard('getsockopt');
    return call('getsockopt', () => this.native.getsockopt(this.fd, level, name, length));
  }

  getIntOption(level: number, name: number): number {
    const value = this.getOption(level, name, 4);
    if (value.length < 4) throw new SocketError('EINVAL', 'getsockopt', 'option shorter than an int');
    return value.readInt32LE(0);
  }

  /** SO_BINDTODEVICE: only traffic of this interface is received; sends leave through it. */
  bindToDevice(ifname: string): void {
    this.setOption(SOL_SOCKET, SO_BINDTODEVICE, Buffer.from(`${ifname}\0`, 'utf8'));
  }

  bind(address: Buffer): void {
    this.guard('bind');
    call('bind', () => this.native.bind(this.fd, address));
  }

  connect(address: Buffer): void {
    this.guard('connect');
    call('connect', () => this.native.connect(this.fd, address));
  }

  localAddress(): Buffer {
    this.guard('getsockname');
    return call('getsockname', () => this.native.getsockname(this.fd));
  }

  /** sendmsg; returns bytes sent. A full send buffer throws EAGAIN. */
  send(data: Buffer, address: Buffer | null = null, control: Buffer | null = null, flags = 0): number {
    this.guard('sendmsg');
    // no closure through call(): this runs for every advert
    try {
      return this.native.sendmsg(this.fd, data, address, control, flags);
    } catch (error) {
      throw toSocketError(error, 'sendmsg');
    }
  }

  /**
   * Allocation-free receive into caller-owned buffers; returns bytes or -1 when nothing waits.
   * meta receives [nameLength, controlLength, msgFlags].
   */
  receiveInto(buffer: Uint8Array, name: Uint8Array | null, control: Uint8Array | null, meta: Int32Array, flags = 0): number {
    this.guard('recvmsg');
    try {
      return this.native.recvmsgInto(this.fd, buffer, name, control, meta, flags);
    } catch (error) {
      throw toSocketError(error, 'recvmsg');
    }
  }

  /**
   * Watches the fd (uv_poll, readable). `onReadable` runs on the event loop; it should drain with
   * receiveInto. A poll error (e.g. the fd went bad) stops watching and is reported to `onError`.
   * An exception escaping `onReadable` is reported to `onError` too; the watch continues.
   */
  startReading(onReadable: ReadableHandler, onError: SocketErrorHandler): void {
    this.guard('poll');
    if (this.pollHandle) throw new SocketError('EEXIST', 'poll', 'socket is already being read');
    this.pollHandle = call('poll', () =>
      this.native.poll(this.fd, (status) => {
        if (status !== null) {
          this.stopReading();
          onError(new SocketError(status, 'poll'));
          return;
        }
        try {
          onReadable();
        } catch (error) {
          onError(toSocketError(error, 'recvmsg'));
        }
      }),
    );
  }

  stopReading(): void {
    this.pollHandle?.close();
    this.pollHandle = undefined;
  }

  /** Stops reading and closes the fd. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.stopReading();
    call('close', () => this.native.close(this.fd));
  }

  private guard(syscall: string): void {
    if (this.isClosed) throw new SocketError('EBADF', syscall, `${syscall} EBADF (socket is closed)`);
  }
}

/** Runs a native call, converting addon errors into SocketError. */
export function call<T>(syscall: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw toSocketError(error, syscall);
  }
}

export function toSocketError(error: unknown, syscall: string): SocketError {
  const converted = SocketError.fromNative(error);
  if (converted instanceof SocketError) return converted;
  const message = converted instanceof Error ? converted.message : String(converted);
  return new SocketError('EIO', syscall, message);
}
