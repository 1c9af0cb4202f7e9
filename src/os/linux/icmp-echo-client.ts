/**
 * IcmpEchoClient: ICMP / ICMPv6 echo probes over one raw socket per client (one per family is
 * enough for the whole daemon). Every probe gets its own sequence number under the client's
 * identifier plus a random 8-byte token in the payload; a reply is matched on source address,
 * identifier, sequence and token, so concurrent probes never mix and another process's pings
 * are ignored. Timeouts use the injected clock; nothing here reads the real time by itself.
 *
 * Usage:
 *   const icmp = IcmpEchoClient.open({ family: 4, clock, rng });
 *   const r = await icmp.probe('192.0.2.2', 1000);  // { ok: true, rttMs } | { ok: false, reason }
 *   icmp.close();
 */
import { loadNative, type NativeAddon } from './native.js';
import * as K from './linux-constants.js';
import { sockaddrIn, sockaddrIn6 } from './sockaddr.js';
import { LinuxSocket } from './socket.js';
import { SocketError } from './socket-error.js';
import { decodeEchoReply, encodeEchoRequest, type IpFamily } from '../../proto/icmp-echo.js';
import { parseIPv4, parseIPv6 } from '../../proto/inet-address.js';

/** Structurally compatible with the daemon's Clock. */
export interface EchoClock {
  monotonicMs(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

/** Returns a uniformly random integer in [0, 2^32). */
export type Uint32Source = () => number;

export interface IcmpEchoOptions {
  readonly family: IpFamily;
  readonly clock: EchoClock;
  readonly random: Uint32Source;
  /** SO_BINDTODEVICE, and the scope of IPv6 link-local targets. */
  readonly interfaceName?: string;
  readonly native?: NativeAddon;
}

export type EchoResult =
  | { readonly ok: true; readonly rttMs: number }
  | { readonly ok: false; readonly reason: 'timeout' | 'closed' | 'send_failed'; readonly code?: string };

interface Pending {
  readonly source: Uint8Array;
  readonly token: Buffer;
  readonly sentAtMs: number;
  readonly timer: unknown;
  readonly resolve: (result: EchoResult) => void;
}

const TOKEN_BYTES = 8;
const MAX_REPLIES_PER_WAKEUP = 64;

export class IcmpEchoClient {
  readonly identifier: number;
  private sequence = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly receiveBuffer = Buffer.alloc(2048);
  private readonly name = Buffer.alloc(32);
  private readonly meta = new Int32Array(3);

  private constructor(private readonly socket: LinuxSocket, private readonly options: IcmpEchoOptions, private readonly scopeId: number) {
    this.identifier = options.random() & 0xffff;
    socket.startReading(() => this.drain(), () => this.failAll('closed'));
  }

  static open(options: IcmpEchoOptions): IcmpEchoClient {
    const native = options.native ?? loadNative();
    let scopeId = 0;
    if (options.interfaceName !== undefined) {
      scopeId = native.ifNameToIndex(options.interfaceName);
      if (scopeId === 0) throw new SocketError('ENODEV', 'if_nametoindex', `no such interface: ${options.interfaceName}`);
    }
    const v4 = options.family === 4;
    const socket = LinuxSocket.open(v4 ? K.AF_INET : K.AF_INET6, K.SOCK_RAW, v4 ? K.IPPROTO_ICMP : K.IPPROTO_ICMPV6, native);
    try {
      if (options.interfaceName !== undefined) socket.bindToDevice(options.interfaceName);
      installReplyFilter(socket, options.family);
      return new IcmpEchoClient(socket, options, scopeId);
    } catch (error) {
      socket.close();
      throw error;
    }
  }

  /** Number of probes waiting for a reply. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends one echo request to `target` and resolves when it is answered or timeoutMs passes. */
  probe(target: string, timeoutMs: number, payloadBytes = 56): Promise<EchoResult> {
    if (this.socket.closed) return Promise.resolve({ ok: false, reason: 'closed' });
    const family = this.options.family;
    const source = family === 4 ? parseIPv4(target) : parseIPv6(target);
    const sequence = this.nextSequence();
    const token = this.makeToken(Math.max(payloadBytes, TOKEN_BYTES));
    const request = encodeEchoRequest(family, this.identifier, sequence, token);
    const address = family === 4 ? sockaddrIn(source) : sockaddrIn6(source, this.scopeId);
    try {
      this.socket.send(request, address, null, 0);
    } catch (error) {
      const code = error instanceof SocketError ? error.code : 'EIO';
      return Promise.resolve({ ok: false, reason: 'send_failed', code });
    }
    return new Promise((resolve) => {
      const timer = this.options.clock.setTimer(() => this.settle(sequence, { ok: false, reason: 'timeout' }), timeoutMs);
      this.pending.set(sequence, { source, token, sentAtMs: this.options.clock.monotonicMs(), timer, resolve });
    });
  }

  /** Closes the socket; probes still waiting resolve with reason 'closed'. */
  close(): void {
    this.failAll('closed');
    this.socket.close();
  }

  private nextSequence(): number {
    for (let i = 0; i < 0x10000; i++) {
      this.sequence = (this.sequence + 1) & 0xffff;
      if (!this.pending.has(this.sequence)) return this.sequence;
    }
    throw new SocketError('EAGAIN', 'probe', 'all 65536 sequence numbers are in flight');
  }

  private makeToken(length: number): Buffer {
    const token = Buffer.alloc(length);
    for (let at = 0; at + 4 <= TOKEN_BYTES; at += 4) token.writeUInt32BE(this.options.random() >>> 0, at);
    return token;
  }

  private settle(sequence: number, result: EchoResult): void {
    const entry = this.pending.get(sequence);
    if (!entry) return;
    this.pending.delete(sequence);
    this.options.clock.clearTimer(entry.timer);
    entry.resolve(result);
  }

  private failAll(reason: 'closed'): void {
    for (const sequence of [...this.pending.keys()]) this.settle(sequence, { ok: false, reason });
  }

  private drain(): void {
    for (let i = 0; i < MAX_REPLIES_PER_WAKEUP && !this.socket.closed; i++) {
      const bytes = this.socket.receiveInto(this.receiveBuffer, this.name, null, this.meta, 0);
      if (bytes < 0) return;
      this.handleReply(Math.min(bytes, this.receiveBuffer.length));
    }
  }

  private handleReply(length: number): void {
    const v4 = this.options.family === 4;
    const offset = v4 ? ((this.receiveBuffer[0] ?? 0) & 0x0f) * 4 : 0;
    const decoded = decodeEchoReply(this.options.family, this.receiveBuffer, offset, length);
    if (!decoded.ok || decoded.echo.identifier !== this.identifier) return;
    const entry = this.pending.get(decoded.echo.sequence);
    if (!entry || !bytesEqual(decoded.echo.payload, entry.token, TOKEN_BYTES)) return;
    const from = v4 ? this.name.subarray(4, 8) : this.name.subarray(8, 24);
    if (!bytesEqual(from, entry.source, entry.source.length)) return;
    this.settle(decoded.echo.sequence, { ok: true, rttMs: this.options.clock.monotonicMs() - entry.sentAtMs });
  }
}

/** Lets only echo replies reach the socket (ICMP_FILTER / ICMP6_FILTER). */
function installReplyFilter(socket: LinuxSocket, family: IpFamily): void {
  if (family === 4) {
    socket.setIntOption(K.SOL_RAW, K.ICMP_FILTER, ~(1 << 0)); // block every type except 0
    return;
  }
  const filter = Buffer.alloc(32, 0xff); // 256 bits, a set bit blocks the type
  filter.writeUInt32LE((0xffffffff & ~(1 << (129 & 31))) >>> 0, (129 >> 5) * 4);
  socket.setOption(K.IPPROTO_ICMPV6, K.ICMP6_FILTER, filter);
}

function bytesEqual(a: Uint8Array, b: Uint8Array, length: number): boolean {
  if (a.length < length || b.length < length) return false;
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return false;
  return true;
}
