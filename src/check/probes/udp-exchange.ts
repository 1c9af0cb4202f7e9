/**
 * One UDP request/answer exchange for the datagram probes (UDP_CHECK, DNS_CHECK), and the target
 * and clock types shared by the probes of this directory.
 *
 * The socket is CONNECTED to the target, as keepalived's is: the kernel then hands us the ICMP
 * port/host unreachable for our datagram as ECONNREFUSED/EHOSTUNREACH on the socket, and drops
 * datagrams from any other source. Each received datagram goes to `judge`, which either settles
 * the attempt or asks to keep waiting (keepalived ignores, e.g., a DNS answer with a foreign id).
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { CheckerConnection, Endpoint } from '../../config/model/lvs.js';
import type { ProbeFailure, ProbeResult } from '../probe.js';

/** Structurally compatible with the daemon's Clock. */
export interface ProbeClock {
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

export interface ProbeTarget {
  readonly address: string;
  readonly port: number;
  readonly bindTo?: string;
  readonly bindPort?: number;
}

/** connect_ip / connect_port / bindto / bind_port override the real server's endpoint. */
export function probeTarget(realServer: Endpoint, connection: CheckerConnection): ProbeTarget {
  return {
    address: connection.connectIp ?? realServer.address,
    port: connection.connectPort ?? realServer.port,
    ...(connection.bindTo !== undefined ? { bindTo: connection.bindTo } : {}),
    ...(connection.bindPort !== undefined ? { bindPort: connection.bindPort } : {}),
  };
}

/** What a probe wants done with one received datagram. */
export type Verdict = { readonly settle: ProbeResult } | { readonly ignore: string };

export interface UdpExchange {
  readonly target: ProbeTarget;
  readonly payload: Uint8Array;
  readonly timeoutMs: number;
  readonly clock: ProbeClock;
  readonly signal: AbortSignal;
  readonly judge: (datagram: Buffer) => Verdict;
  /** Failure kind of a timeout after some datagrams were ignored. */
  readonly ignoredFailure?: ProbeFailure;
}

/** Socket errors that mean the target said "nobody here" (ICMP unreachable). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);

export function udpExchange(x: UdpExchange): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let socket: Socket | undefined;
    let lastIgnored: string | undefined;
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      x.clock.clearTimer(timer);
      x.signal.removeEventListener('abort', onAbort);
      try {
        socket?.close();
      } catch {
        // already closed
      }
      resolve(result);
    };
    const onAbort = (): void => finish({ ok: false, failure: 'internal', reason: 'aborted' });
    const timer = x.clock.setTimer(() => {
      if (lastIgnored !== undefined) finish({ ok: false, failure: x.ignoredFailure ?? 'bad-response', reason: `timeout; ignored: ${lastIgnored}` });
      else finish({ ok: false, failure: 'no-reply', reason: `no reply within ${x.timeoutMs} ms` });
    }, x.timeoutMs);
    if (x.signal.aborted) return onAbort();
    x.signal.addEventListener('abort', onAbort, { once: true });
    try {
      socket = createSocket({ type: isIPv6(x.target.address) ? 'udp6' : 'udp4' });
    } catch (error) {
      return finish({ ok: false, failure: 'internal', reason: `socket: ${(error as Error).message}` });
    }
    socket.on('error', (error: NodeJS.ErrnoException) => finish(socketFailure(error)));
    socket.on('message', (datagram: Buffer) => {
      const verdict = x.judge(datagram);
      if ('settle' in verdict) finish(verdict.settle);
      else lastIgnored = verdict.ignore;
    });
    const connectAndSend = (): void => {
      socket?.connect(x.target.port, x.target.address, () => {
        socket?.send(x.payload, (error) => {
          if (error) finish(socketFailure(error as NodeJS.ErrnoException));
        });
      });
    };
    if (x.target.bindTo !== undefined || x.target.bindPort !== undefined) {
      socket.bind({ port: x.target.bindPort ?? 0, ...(x.target.bindTo !== undefined ? { address: x.target.bindTo } : {}) }, connectAndSend);
    } else connectAndSend();
  });
}

function socketFailure(error: NodeJS.ErrnoException): ProbeResult {
  const code = error.code ?? 'EIO';
  if (UNREACHABLE.has(code)) return { ok: false, failure: 'connect-refused', reason: `${code} (ICMP unreachable)` };
  return { ok: false, failure: 'connect-error', reason: `${code}: ${error.message}` };
}
