/**
 * SMTP_CHECK: a TCP connection to the target (within connect_timeout), the server's banner must
 * carry code 220, then `HELO <helo_name>` must be answered with 250; the probe then sends QUIT
 * and closes (success does not wait for the 221). Each wait for a reply is bounded by
 * connect_timeout, as keepalived does. Replies may be multi-line ("250-..." continues, "250 "
 * ends); a reply larger than a cap, a line that is not "DDD[ -]...", or a wrong code fails the
 * attempt with 'bad-response'.
 */
import { connect, type Socket } from 'node:net';
import type { Endpoint, SmtpChecker } from '../../config/model/lvs.js';
import type { Probe, ProbeFailure, ProbeResult } from '../probe.js';
import { probeTarget, type ProbeClock, type ProbeTarget } from './udp-exchange.js';

export interface SmtpCheckPorts {
  readonly realServer: Endpoint;
  readonly clock: ProbeClock;
}

/** One SMTP reply is never legitimately this large. */
export const MAX_SMTP_REPLY_BYTES = 8 * 1024;

export function createSmtpCheckProbe(config: SmtpChecker, ports: SmtpCheckPorts): Probe {
  const target = probeTarget(ports.realServer, config.connection);
  return (signal) => new SmtpSession(target, config.heloName, config.timing.connectTimeoutMs, ports.clock, signal).run();
}

/** Reply parser: feed bytes; yields the final code once the last line of a reply has arrived. */
export type ReplyState = { readonly done: false } | { readonly done: true; readonly code: number } | { readonly error: string };

export function parseSmtpReply(text: string): ReplyState {
  let rest = text;
  for (;;) {
    const nl = rest.indexOf('\n');
    if (nl < 0) return rest.length > 0 && !/^\d{0,3}$|^\d{3}[ -]/.test(rest) ? { error: `malformed reply line: ${JSON.stringify(rest.slice(0, 40))}` } : { done: false };
    const line = rest.slice(0, nl).replace(/\r$/, '');
    const m = /^(\d{3})([ -]|$)/.exec(line);
    if (!m) return { error: `malformed reply line: ${JSON.stringify(line.slice(0, 40))}` };
    if (m[2] !== '-') return { done: true, code: Number(m[1]) };
    rest = rest.slice(nl + 1);
  }
}

type Phase = 'connect' | 'banner' | 'helo';

class SmtpSession {
  private socket: Socket | undefined;
  private phase: Phase = 'connect';
  private buffered = '';
  private timer: unknown;
  private settled = false;
  private resolve: (r: ProbeResult) => void = () => undefined;
  private readonly onAbort = (): void => this.fail('internal', 'aborted');

  constructor(
    private readonly target: ProbeTarget,
    private readonly heloName: string,
    private readonly timeoutMs: number,
    private readonly clock: ProbeClock,
    private readonly signal: AbortSignal,
  ) {}

  run(): Promise<ProbeResult> {
    return new Promise((resolve) => {
      this.resolve = resolve;
      if (this.signal.aborted) return this.onAbort();
      this.signal.addEventListener('abort', this.onAbort, { once: true });
      this.arm();
      const socket = connect({
        host: this.target.address,
        port: this.target.port,
        ...(this.target.bindTo !== undefined ? { localAddress: this.target.bindTo } : {}),
        ...(this.target.bindPort !== undefined ? { localPort: this.target.bindPort } : {}),
      });
      this.socket = socket;
      socket.setNoDelay(true);
      socket.on('connect', () => this.enter('banner'));
      socket.on('data', (chunk: Buffer) => this.onData(chunk));
      socket.on('error', (error: NodeJS.ErrnoException) => this.onError(error));
      socket.on('end', () => this.fail('reset', `connection closed by the server while waiting for the ${this.phase} reply`));
    });
  }

  private enter(phase: Phase): void {
    this.phase = phase;
    this.buffered = '';
    this.arm();
  }

  private arm(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = this.clock.setTimer(() => {
      if (this.phase === 'connect') this.fail('connect-timeout', `no connection within ${this.timeoutMs} ms`);
      else this.fail('read-timeout', `no complete ${this.phase} reply within ${this.timeoutMs} ms`);
    }, this.timeoutMs);
  }

  private onData(chunk: Buffer): void {
    if (this.settled || this.phase === 'connect') return;
    this.buffered += chunk.toString('latin1');
    if (this.buffered.length > MAX_SMTP_REPLY_BYTES) return this.fail('bad-response', `reply over ${MAX_SMTP_REPLY_BYTES} bytes`);
    const state = parseSmtpReply(this.buffered);
    if ('error' in state) return this.fail('bad-response', state.error);
    if (!state.done) return;
    if (this.phase === 'banner') {
      if (state.code !== 220) return this.fail('bad-response', `banner code ${state.code}, expected 220`);
      this.enter('helo');
      this.socket?.write(`HELO ${this.heloName}\r\n`);
      return;
    }
    if (state.code !== 250) return this.fail('bad-response', `HELO answered with ${state.code}, expected 250`);
    this.socket?.end('QUIT\r\n');
    this.finish({ ok: true, detail: 'SMTP 220/250' }, false);
  }

  private onError(error: NodeJS.ErrnoException): void {
    const code = error.code ?? 'EIO';
    if (this.phase === 'connect') {
      const refused = code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH';
      return this.fail(refused ? 'connect-refused' : 'connect-error', `${code}: ${error.message}`);
    }
    this.fail(code === 'ECONNRESET' ? 'reset' : 'connect-error', `${code} while waiting for the ${this.phase} reply`);
  }

  private fail(failure: ProbeFailure, reason: string): void {
    this.finish({ ok: false, failure, reason }, true);
  }

  private finish(result: ProbeResult, destroy: boolean): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.signal.removeEventListener('abort', this.onAbort);
    if (destroy) this.socket?.destroy();
    else this.socket?.setTimeout(this.timeoutMs, () => this.socket?.destroy()); // QUIT sent; do not linger
    this.socket?.on('error', () => undefined);
    this.resolve(result);
  }
}
