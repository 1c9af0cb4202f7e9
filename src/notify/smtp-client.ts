/**
 * Sends one alert mail: a TCP connection to smtp_server (src/check/connect.ts) driving the pure
 * SmtpDialogue. Fire and forget: nothing awaits it on the VRRP path; the connection and every wait
 * for a reply are bounded by smtp_connect_timeout on the injected clock, so a dead or hanging
 * server costs one socket for that long and delays nothing. Log lines as keepalived 2.2.7:
 *   Remote SMTP server [127.0.0.1]:25 connected.
 *   SMTP alert successfully sent.
 *   Timeout reading data to remote SMTP server [127.0.0.1]:25.
 */
import type { Socket } from 'node:net';
import type { CheckClock, CheckTimer } from '../check/clock.js';
import { connect } from '../check/connect.js';
import { SmtpDialogue, type SmtpMail, type SmtpServer } from './smtp-message.js';

export interface SmtpLog {
  info(message: string): void;
  error(message: string): void;
}

export type SmtpOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export function serverText(s: SmtpServer): string {
  return `[${s.host}]:${s.port}`;
}

/** Resolves when the mail is sent or has failed (never rejects); the result is also logged. */
export async function sendSmtpMail(server: SmtpServer, mail: SmtpMail, timeoutMs: number, clock: CheckClock, log: SmtpLog, signal?: AbortSignal): Promise<SmtpOutcome> {
  const abort = signal ?? new AbortController().signal;
  const where = serverText(server);
  const c = await connect({ address: server.host, port: server.port, connectTimeoutMs: timeoutMs }, clock, abort);
  if (!c.ok) {
    if (abort.aborted) return { ok: false, reason: 'aborted' }; // shutting down: nothing to report
    const why = c.failure === 'connect-timeout' ? `Timeout connecting SMTP server ${where}.` : `Error connecting SMTP server ${where}: ${c.reason}`;
    log.error(why);
    return { ok: false, reason: c.reason };
  }
  log.info(`Remote SMTP server ${where} connected.`);
  return converse(c.socket, new SmtpDialogue(mail), timeoutMs, clock, abort, where, log);
}

function converse(socket: Socket, dialogue: SmtpDialogue, timeoutMs: number, clock: CheckClock, signal: AbortSignal, where: string, log: SmtpLog): Promise<SmtpOutcome> {
  return new Promise((resolve) => {
    let timer: CheckTimer | undefined;
    let settled = false;
    const finish = (outcome: SmtpOutcome, quit?: string): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clock.clearTimer(timer);
      signal.removeEventListener('abort', onAbort);
      socket.on('error', () => undefined);
      if (quit !== undefined) {
        socket.end(quit);
        socket.setTimeout(timeoutMs, () => socket.destroy()); // QUIT sent; never linger
      } else {
        socket.destroy();
      }
      resolve(outcome);
    };
    const arm = (): void => {
      if (timer !== undefined) clock.clearTimer(timer);
      timer = clock.setTimer(() => {
        log.error(`Timeout reading data to remote SMTP server ${where}.`);
        finish({ ok: false, reason: `no ${dialogue.waitingFor} reply within ${timeoutMs} ms` });
      }, timeoutMs);
    };
    const onAbort = (): void => finish({ ok: false, reason: 'aborted' }); // shutting down: not reported
    signal.addEventListener('abort', onAbort, { once: true });
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      if (settled) return;
      const step = dialogue.receive(chunk);
      switch (step.kind) {
        case 'wait': return;
        case 'write':
          arm();
          socket.write(step.text, 'latin1');
          return;
        case 'sent':
          log.info('SMTP alert successfully sent.');
          return finish({ ok: true }, step.text);
        case 'failed':
          log.error(`SMTP alert to ${where} failed: ${step.reason}`);
          return finish({ ok: false, reason: step.reason });
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      log.error(`SMTP connection to ${where} failed: ${e.code ?? e.message}`);
      finish({ ok: false, reason: e.code ?? e.message });
    });
    socket.on('end', () => {
      if (settled) return;
      log.error(`SMTP server ${where} closed the connection while we waited for the ${dialogue.waitingFor} reply`);
      finish({ ok: false, reason: 'closed' });
    });
    arm();
  });
}

/** The AlertMailPort of the daemon: one connection per alert, never awaited; close() aborts what is in flight. */
export class SmtpMailer {
  private readonly inFlight = new Set<AbortController>();

  constructor(
    private readonly clock: CheckClock,
    private readonly log: SmtpLog,
    private readonly now: () => Date = () => new Date(),
  ) {}

  send(settings: { readonly server: SmtpServer; readonly heloName: string; readonly from: string; readonly to: readonly string[]; readonly timeoutMs: number }, subject: string, body: string): void {
    const abort = new AbortController();
    this.inFlight.add(abort);
    const mail: SmtpMail = { heloName: settings.heloName, from: settings.from, to: settings.to, subject, body, date: this.now() };
    void sendSmtpMail(settings.server, mail, settings.timeoutMs, this.clock, this.log, abort.signal).finally(() => this.inFlight.delete(abort));
  }

  close(): void {
    for (const a of this.inFlight) a.abort();
    this.inFlight.clear();
  }
}
