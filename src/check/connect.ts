/**
 * Opens the TCP or TLS connection of one attempt (TCP_CHECK, HTTP_GET, SSL_GET, genhash) with
 * Node's net/tls sockets: bindto/bind_port as the local address, connect_timeout on the injected
 * clock, abort by signal. TLS verifies the server only when a CA is given, as keepalived does
 * (chain only, no host-name check); SNI is sent only when a name is given.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { CheckClock } from './clock.js';
import type { ProbeFailure } from './probe.js';

export interface TlsOptions {
  /** SNI server name; omitted = no SNI. */
  readonly servername?: string;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly passphrase?: string;
}

export interface ConnectTarget {
  readonly address: string;
  readonly port: number;
  readonly bindTo?: string;
  readonly bindPort?: number;
  readonly tls?: TlsOptions;
  readonly connectTimeoutMs: number;
}

export type ConnectOutcome =
  | { readonly ok: true; readonly socket: net.Socket }
  | { readonly ok: false; readonly failure: ProbeFailure; readonly reason: string };

export function classifySocketError(err: { readonly code?: string | undefined; readonly message: string }): { failure: ProbeFailure; reason: string } {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { failure: 'connect-refused', reason: `${code}: ${err.message}` };
  if (code === 'ECONNRESET' || code === 'EPIPE') return { failure: 'reset', reason: code };
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /certificate|self.signed|SSL|TLS/i.test(`${code} ${err.message}`)) return { failure: 'tls-error', reason: `${code}: ${err.message}` };
  return { failure: 'connect-error', reason: `${code || 'error'}: ${err.message}` };
}

function socketOptions(t: ConnectTarget): net.NetConnectOpts {
  return {
    host: t.address,
    port: t.port,
    ...(t.bindTo !== undefined ? { localAddress: t.bindTo } : {}),
    ...(t.bindPort !== undefined ? { localPort: t.bindPort } : {}),
    noDelay: true,
  };
}

function tlsConnect(t: ConnectTarget, o: TlsOptions): tls.TLSSocket {
  const verify = o.ca !== undefined;
  return tls.connect({
    ...socketOptions(t),
    ...(o.servername !== undefined && net.isIP(o.servername) === 0 ? { servername: o.servername } : {}),
    ...(o.ca !== undefined ? { ca: o.ca } : {}),
    ...(o.cert !== undefined ? { cert: o.cert } : {}),
    ...(o.key !== undefined ? { key: o.key } : {}),
    ...(o.passphrase !== undefined ? { passphrase: o.passphrase } : {}),
    rejectUnauthorized: verify,
    checkServerIdentity: () => undefined,
  });
}

/** Connects (and completes the TLS handshake when asked); never rejects. */
export function connect(t: ConnectTarget, clock: CheckClock, signal: AbortSignal): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve({ ok: false, failure: 'internal', reason: 'aborted' });
      return;
    }
    const socket = t.tls ? tlsConnect(t, t.tls) : net.connect(socketOptions(t));
    const finish = (outcome: ConnectOutcome): void => {
      clock.clearTimer(timer);
      signal.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
      socket.removeListener(readyEvent, onReady);
      if (!outcome.ok) socket.destroy();
      resolve(outcome);
    };
    const onError = (err: NodeJS.ErrnoException): void => finish({ ok: false, ...classifySocketError(err) });
    const onReady = (): void => finish({ ok: true, socket });
    const onAbort = (): void => finish({ ok: false, failure: 'internal', reason: 'aborted' });
    const readyEvent = t.tls ? 'secureConnect' : 'connect';
    const timer = clock.setTimer(() => finish({ ok: false, failure: 'connect-timeout', reason: `no connection within ${t.connectTimeoutMs} ms` }), t.connectTimeoutMs);
    socket.once('error', onError);
    socket.once(readyEvent, onReady);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
