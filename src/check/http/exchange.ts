/**
 * One HTTP exchange on an open socket: write the request, feed the answer to a ResponseReader
 * until it is complete, the peer closes, the body cap is hit, nothing arrives for `readTimeoutMs`
 * (re-armed on every read, like keepalived's read timer) or the signal aborts.
 */
import type net from 'node:net';
import type { CheckClock, CheckTimer } from '../clock.js';
import { classifySocketError } from '../connect.js';
import type { ProbeFailure } from '../probe.js';
import { ResponseReader } from './response.js';

export type ExchangeOutcome =
  | { readonly ok: true; readonly reader: ResponseReader; /** true when the peer closed first */ readonly closed: boolean }
  | { readonly ok: false; readonly failure: ProbeFailure; readonly reason: string; readonly reader: ResponseReader };

export function exchange(socket: net.Socket, request: Buffer, reader: ResponseReader, clock: CheckClock, readTimeoutMs: number, signal: AbortSignal): Promise<ExchangeOutcome> {
  return new Promise((resolve) => {
    let timer: CheckTimer | undefined;
    let done = false;
    const finish = (outcome: ExchangeOutcome): void => {
      if (done) return;
      done = true;
      if (timer) clock.clearTimer(timer);
      signal.removeEventListener('abort', onAbort);
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.removeListener('error', onError);
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(outcome);
    };
    const rearm = (): void => {
      if (timer) clock.clearTimer(timer);
      timer = clock.setTimer(() => finish({ ok: false, failure: 'read-timeout', reason: `no data for ${readTimeoutMs} ms`, reader }), readTimeoutMs);
    };
    const onData = (data: Buffer): void => {
      const state = reader.push(data);
      if (state === 'complete') finish({ ok: true, reader, closed: false });
      else if (state === 'too-large') finish({ ok: false, failure: 'body-too-large', reason: `body larger than the cap (${reader.bodyBytes} bytes kept)`, reader });
      else if (state === 'bad-header') finish({ ok: false, failure: 'bad-response', reason: 'no end of HTTP header', reader });
      else rearm();
    };
    const onEnd = (): void => finish({ ok: true, reader, closed: true });
    const onError = (err: NodeJS.ErrnoException): void => finish({ ok: false, ...classifySocketError(err), reader });
    const onAbort = (): void => finish({ ok: false, failure: 'internal', reason: 'aborted', reader });
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
    rearm();
    socket.write(request);
  });
}
