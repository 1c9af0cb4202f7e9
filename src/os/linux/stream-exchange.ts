/**
 * The Linux StreamPort (src/check/stream-port.ts): short TCP exchanges on the native addon, for
 * thousands of health checks per second on one core.
 *
 * - Every stream is a non-blocking socket in ONE private epoll set; only the epoll fd is watched
 *   by libuv, and one callback drains every ready socket (epollWaitInto) per loop turn.
 * - Connect is optimistic: right after connect() returns EINPROGRESS the request is sent; on a
 *   fast path (loopback, LAN) the handshake is already done and no writability wait is needed.
 *   When send would block, the socket waits for EPOLLOUT and SO_ERROR tells the outcome.
 * - Data is read into one receive buffer shared by all streams (sinks copy what they keep).
 * - A stream costs socket, connect, send, epoll_ctl, recv and close: no per-stream libuv handle.
 */
import { isIPv6 } from 'node:net';
import type { StreamConnector, StreamEndpoint, StreamError, StreamHandle, StreamPort, StreamSink } from '../../check/stream-port.js';
import { CheckError } from '../../check/errors.js';
import { AF_INET, AF_INET6, EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLL_CTL_ADD, EPOLL_CTL_MOD, SOCK_STREAM, SOL_SOCKET, SO_ERROR, SO_LINGER } from './linux-constants.js';
import { isNativeError, loadNative, type NativeAddon, type PollHandle } from './native.js';
import { sockaddrIn, sockaddrIn6 } from './sockaddr.js';

const RECEIVE_BUFFER_BYTES = 64 * 1024;
/** Reads per ready socket and turn, so one endless sender cannot starve the others. */
const MAX_READS_PER_TURN = 8;
const MAX_SENDS_PER_TURN = 8;
/** epoll drains per callback (1024 sockets each), a bound on one callback's work. */
const MAX_DRAINS_PER_CALLBACK = 4;
const READ_EVENTS = EPOLLIN | EPOLLRDHUP;
/** struct linger { l_onoff 1, l_linger 0 }. */
const LINGER_ZERO = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);

interface Addresses {
  readonly family: number;
  readonly remote: Buffer;
  readonly local: Buffer | undefined;
}

function encode(address: string, port: number): { family: number; sockaddr: Buffer } {
  const [host = '', scope] = address.split('%');
  if (isIPv6(host)) {
    const index = scope === undefined ? 0 : /^\d+$/.test(scope) ? Number(scope) : loadNative().ifNameToIndex(scope);
    return { family: AF_INET6, sockaddr: sockaddrIn6(host, index, port) };
  }
  return { family: AF_INET, sockaddr: sockaddrIn(host, port) };
}

function addressesOf(e: StreamEndpoint): Addresses {
  try {
    const remote = encode(e.address, e.port);
    const anyLocal = remote.family === AF_INET6 ? '::' : '0.0.0.0';
    const local = e.bindTo !== undefined || e.bindPort !== undefined ? encode(e.bindTo ?? anyLocal, e.bindPort ?? 0) : undefined;
    if (local !== undefined && local.family !== remote.family) throw new Error(`bindto ${e.bindTo ?? ''} is not of the family of ${e.address}`);
    return { family: remote.family, remote: remote.sockaddr, local: local?.sockaddr };
  } catch (err) {
    throw new CheckError('CHECK_BAD_TARGET', `cannot connect to ${e.address}:${e.port}: ${(err as Error).message}`, { cause: err });
  }
}

function streamError(err: unknown): StreamError {
  if (isNativeError(err)) return { code: err.code, message: err.message };
  return { code: 'EUNKNOWN', message: (err as Error).message ?? String(err) };
}

class Stream implements StreamHandle {
  connected = false;
  closed = false;
  sentBytes = 0;
  constructor(readonly owner: EpollStreamPort, readonly fd: number, readonly request: Uint8Array, readonly sink: StreamSink) {}

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.owner.forget(this);
  }
}

const CLOSED_HANDLE: StreamHandle = { close: () => undefined };

export class EpollStreamPort implements StreamPort {
  private readonly native: NativeAddon;
  /** Open streams by fd (an array: fds are small and dense; no hashing per event). */
  private readonly streams: (Stream | undefined)[] = [];
  private open_ = 0;
  private readonly receiveBuffer = Buffer.allocUnsafe(RECEIVE_BUFFER_BYTES);
  private readonly ready = new Int32Array(2 * 1024);
  private epfd = -1;
  private poller: PollHandle | undefined;

  /**
   * @param abortiveClose close with SO_LINGER 0 (RST) as HAProxy's checks do: no FIN exchange and
   *   no TIME_WAIT socket per check on either side (keepalived closes gracefully).
   */
  constructor(native: NativeAddon = loadNative(), private readonly abortiveClose = true) {
    this.native = native;
  }

  connector(endpoint: StreamEndpoint): StreamConnector {
    const addresses = addressesOf(endpoint);
    return { open: (request, sink) => this.open(addresses, request, sink) };
  }

  /** Streams open right now. */
  openCount(): number {
    return this.open_;
  }

  /** Closes every stream (without sink calls) and the epoll set. The port reopens on next use. */
  close(): void {
    for (const s of this.streams.slice()) s?.close();
    this.poller?.close();
    this.poller = undefined;
    if (this.epfd >= 0) this.native.close(this.epfd);
    this.epfd = -1;
  }

  /** Called by Stream.close. */
  forget(s: Stream): void {
    if (this.streams[s.fd] === s) {
      this.streams[s.fd] = undefined;
      this.open_--;
    }
    try {
      if (this.abortiveClose) this.native.setsockopt(s.fd, SOL_SOCKET, SO_LINGER, LINGER_ZERO);
    } catch {
      // a failed socket may refuse options: a normal close is fine then
    }
    try {
      this.native.close(s.fd);
    } catch {
      // already closed: nothing to release
    }
  }

  private open(a: Addresses, request: Uint8Array, sink: StreamSink): StreamHandle {
    let fd = -1;
    try {
      this.ensureEpoll();
      fd = this.native.socket(a.family, SOCK_STREAM, 0);
      if (a.local !== undefined) this.native.bind(fd, a.local);
      this.native.connectStart(fd, a.remote);
    } catch (err) {
      if (fd >= 0) this.native.close(fd);
      sink.onError(streamError(err), false);
      return CLOSED_HANDLE;
    }
    const s = new Stream(this, fd, request, sink);
    while (this.streams.length <= fd) this.streams.push(undefined);
    this.streams[fd] = s;
    this.open_++;
    if (this.trySend(s)) this.watch(s, EPOLL_CTL_ADD);
    return s;
  }

  private ensureEpoll(): void {
    if (this.epfd >= 0) return;
    this.epfd = this.native.epollCreate();
    this.poller = this.native.poll(this.epfd, () => this.drain());
  }

  /** Sends what is left of the request; false when the stream ended (closed or failed). */
  private trySend(s: Stream): boolean {
    try {
      // One send normally; a partial write (full socket buffer) loops a bounded number of times.
      for (let i = 0; i < MAX_SENDS_PER_TURN && (s.sentBytes < s.request.length || !s.connected); i++) {
        const n = this.native.send(s.fd, s.sentBytes === 0 ? s.request : s.request.subarray(s.sentBytes));
        if (n < 0) return true; // still connecting, or the socket buffer is full
        s.sentBytes += n;
        s.connected = true;
      }
      if (s.sentBytes < s.request.length) return true;
    } catch (err) {
      this.fail(s, err);
      return false;
    }
    if (s.sink.onConnected()) {
      s.close();
      return false;
    }
    return true;
  }

  private watch(s: Stream, op: number): void {
    const done = s.connected && s.sentBytes >= s.request.length;
    try {
      this.native.epollCtl(this.epfd, op, s.fd, done ? READ_EVENTS : EPOLLOUT);
    } catch (err) {
      this.fail(s, err);
    }
  }

  private drain(): void {
    for (let round = 0; round < MAX_DRAINS_PER_CALLBACK; round++) {
      const n = this.native.epollWaitInto(this.epfd, this.ready);
      for (let i = 0; i < n; i++) this.dispatch(this.ready[2 * i] ?? -1, this.ready[2 * i + 1] ?? 0);
      if (n < this.ready.length / 2) return;
    }
  }

  private dispatch(fd: number, events: number): void {
    const s = this.streams[fd];
    if (s === undefined || s.closed) return;
    if (!s.connected || s.sentBytes < s.request.length) {
      if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) !== 0) this.onWritable(s);
      return;
    }
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) !== 0) this.onReadable(s);
  }

  private onWritable(s: Stream): void {
    const wasConnected = s.connected;
    if (!wasConnected) {
      const err = this.native.getsockopt(s.fd, SOL_SOCKET, SO_ERROR, 4).readInt32LE(0);
      if (err !== 0) {
        this.failCode(s, err);
        return;
      }
    }
    if (this.trySend(s) && s.connected && s.sentBytes >= s.request.length) this.watch(s, EPOLL_CTL_MOD);
  }

  private onReadable(s: Stream): void {
    for (let i = 0; i < MAX_READS_PER_TURN && !s.closed; i++) {
      let n: number;
      try {
        n = this.native.recv(s.fd, this.receiveBuffer);
      } catch (err) {
        this.fail(s, err);
        return;
      }
      if (n < 0) return;
      if (n === 0) {
        s.close();
        s.sink.onEnd();
        return;
      }
      if (s.sink.onData(this.receiveBuffer.subarray(0, n))) s.close();
    }
  }

  private fail(s: Stream, err: unknown): void {
    const connected = s.connected;
    s.close();
    s.sink.onError(streamError(err), connected);
  }

  /** SO_ERROR value -> the error the failed connect would have thrown. */
  private failCode(s: Stream, errno: number): void {
    const code = ERRNO_NAMES[errno] ?? `ERRNO${errno}`;
    s.close();
    s.sink.onError({ code, message: `connect ${code}` }, false);
  }
}

const ERRNO_NAMES: Readonly<Record<number, string>> = {
  110: 'ETIMEDOUT', 111: 'ECONNREFUSED', 113: 'EHOSTUNREACH', 101: 'ENETUNREACH', 104: 'ECONNRESET', 99: 'EADDRNOTAVAIL', 32: 'EPIPE',
};
