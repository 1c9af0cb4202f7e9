/** Shared fixtures of the probe unit tests: config spans/timing, a real-timer clock, loopback UDP servers. */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { CheckerTiming } from '../../../../src/config/model/lvs.js';
import type { Span } from '../../../../src/config/diagnostics.js';
import type { ProbeClock } from '../../../../src/check/probes/udp-exchange.js';

export const span = { file: 'keepalived.conf', line: 1 } as unknown as Span;

export function timing(connectTimeoutMs = 1_000): CheckerTiming {
  return { delayLoopMs: 60_000, connectTimeoutMs, retry: 1, delayBeforeRetryMs: 1_000, warmupMs: 0, alpha: false, logAllFailures: false };
}

/** A clock on real timers that counts what it armed and cleared (to prove probes clean up). */
export class CountingClock implements ProbeClock {
  armed = 0;
  cleared = 0;
  setTimer(callback: () => void, delayMs: number): unknown {
    this.armed++;
    return setTimeout(callback, delayMs);
  }
  clearTimer(handle: unknown): void {
    this.cleared++;
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  }
}

export const signal = (): AbortSignal => new AbortController().signal;

export type UdpHandler = (msg: Buffer, reply: (bytes: Uint8Array) => void, from: RemoteInfo) => void;

/** A UDP server on 127.0.0.1 (or ::1) with a swappable handler. */
export class LoopbackUdpServer {
  handler: UdpHandler = () => undefined;
  readonly received: Buffer[] = [];
  private constructor(private readonly socket: Socket, readonly port: number) {}

  static async start(family: 4 | 6 = 4): Promise<LoopbackUdpServer> {
    const socket = createSocket(family === 4 ? 'udp4' : 'udp6');
    await new Promise<void>((resolve) => socket.bind(0, family === 4 ? '127.0.0.1' : '::1', resolve));
    const server = new LoopbackUdpServer(socket, socket.address().port);
    socket.on('message', (msg, from) => {
      server.received.push(msg);
      server.handler(msg, (bytes) => socket.send(bytes, from.port, from.address), from);
    });
    return server;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** A UDP port on 127.0.0.1 that nobody listens on (bound, then closed). */
export async function closedUdpPort(): Promise<number> {
  const s = await LoopbackUdpServer.start();
  const port = s.port;
  await s.close();
  return port;
}
