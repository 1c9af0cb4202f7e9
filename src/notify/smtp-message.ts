/**
 * keepalived's e-mail alerts (smtp_alert), pure: the settings from global_defs, the message text
 * and the SMTP dialogue as a state machine fed with the server's bytes.
 *
 * What keepalived 2.2.7 sends (captured with a sink on loopback, one connection per alert):
 *   HELO <smtp_helo_name | host name>
 *   MAIL FROM:<notification_email_from | user@host name>
 *   RCPT TO:<address>                          one per notification_email entry, as written
 *   DATA
 *   Date: Wed, 25 Nov 2026 17:17:25 +0000
 *   From: <from>
 *   Subject: <subject>
 *   X-Mailer: Keepalived
 *   To: <address>, <address>
 *   (empty line)
 *   <body>
 *   (empty line)
 *   .
 *   QUIT
 * every line ending CRLF, each command sent after the previous reply (220 banner, 250, 354).
 */
import type { GlobalModel } from '../config/model/global.js';

export interface SmtpServer {
  readonly host: string;
  readonly port: number;
}

export interface SmtpAlertSettings {
  readonly server: SmtpServer;
  readonly heloName: string;
  readonly from: string;
  readonly to: readonly string[];
  /** smtp_connect_timeout: bounds the connection and each wait for a reply. */
  readonly timeoutMs: number;
  readonly routerId: string;
}

export interface SmtpMail {
  readonly heloName: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly body: string;
  readonly date: Date;
}

/**
 * The alert settings, or undefined when no mail can be sent (no smtp_server or no
 * notification_email). Defaults as keepalived 2.2.7: HELO with the host name, From
 * `<user>@<host name>` (the user the daemon runs as).
 */
export function smtpAlertSettings(
  global: Pick<GlobalModel, 'smtpServer' | 'notificationEmails' | 'notificationEmailFrom' | 'smtpHeloName' | 'smtpConnectTimeoutS' | 'routerId'>,
  host: { readonly hostname: string; readonly user: string },
): SmtpAlertSettings | undefined {
  if (global.smtpServer === undefined || global.notificationEmails.length === 0) return undefined;
  return {
    server: global.smtpServer,
    heloName: global.smtpHeloName ?? host.hostname,
    from: global.notificationEmailFrom ?? `${host.user}@${host.hostname}`,
    to: global.notificationEmails,
    timeoutMs: global.smtpConnectTimeoutS * 1000,
    routerId: global.routerId,
  };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** RFC 5322 date in local time, as strftime("%a, %d %b %Y %T %z"). */
export function rfc5322Date(d: Date): string {
  const offsetMin = -d.getTimezoneOffset();
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${DAYS[d.getDay()] ?? ''}, ${pad(d.getDate())} ${MONTHS[d.getMonth()] ?? ''} ${d.getFullYear()} `
    + `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

/** One header value on one line (a CR or LF in config text must not start a new header). */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

/** What follows DATA, up to and including the terminating ".\r\n" (body lines dot-stuffed). */
export function mailData(m: SmtpMail): string {
  const body = m.body.split(/\r?\n/).map((l) => (l.startsWith('.') ? `.${l}` : l)).join('\r\n');
  return [
    `Date: ${rfc5322Date(m.date)}`,
    `From: ${oneLine(m.from)}`,
    `Subject: ${oneLine(m.subject)}`,
    'X-Mailer: Keepalived',
    `To: ${m.to.map(oneLine).join(', ')}`,
    '',
    body,
    '',
    '.',
    '',
  ].join('\r\n');
}

/** Parses what has arrived of one reply: its final code once complete ("250-" lines continue). */
export function smtpReply(text: string): { readonly code: number } | 'partial' | { readonly error: string } {
  let rest = text;
  for (;;) {
    const nl = rest.indexOf('\n');
    if (nl < 0) return 'partial';
    const line = rest.slice(0, nl).replace(/\r$/, '');
    const m = /^(\d{3})([ -]|$)/.exec(line);
    if (m === null) return { error: `malformed reply ${JSON.stringify(line.slice(0, 60))}` };
    if (m[2] !== '-') return { code: Number(m[1]) };
    rest = rest.slice(nl + 1);
  }
}

export type SmtpStep =
  | { readonly kind: 'wait' }
  | { readonly kind: 'write'; readonly text: string }
  /** The server took the message; `text` (QUIT) is still to be written. */
  | { readonly kind: 'sent'; readonly text: string }
  | { readonly kind: 'failed'; readonly reason: string };

/** One reply per stage is a bounded thing. */
export const MAX_REPLY_BYTES = 8 * 1024;

type Stage = 'banner' | 'helo' | 'mail' | 'rcpt' | 'data' | 'body' | 'done';

/** The client side of one mail transaction: feed the server's bytes, write what it returns. */
export class SmtpDialogue {
  private stage: Stage = 'banner';
  private rcpt = 0;
  private buffered = '';

  constructor(private readonly mail: SmtpMail) {}

  /** What we are waiting for (for timeout messages). */
  get waitingFor(): string {
    return this.stage;
  }

  receive(chunk: string): SmtpStep {
    if (this.stage === 'done') return { kind: 'wait' };
    this.buffered += chunk;
    if (this.buffered.length > MAX_REPLY_BYTES) return this.fail(`reply over ${MAX_REPLY_BYTES} bytes`);
    const reply = smtpReply(this.buffered);
    if (reply === 'partial') return { kind: 'wait' };
    if ('error' in reply) return this.fail(reply.error);
    this.buffered = '';
    return this.advance(reply.code);
  }

  private advance(code: number): SmtpStep {
    const m = this.mail;
    switch (this.stage) {
      case 'banner':
        if (code !== 220) return this.fail(`banner ${code}, expected 220`);
        this.stage = 'helo';
        return { kind: 'write', text: `HELO ${oneLine(m.heloName)}\r\n` };
      case 'helo':
        if (code !== 250) return this.fail(`HELO answered ${code}`);
        this.stage = 'mail';
        return { kind: 'write', text: `MAIL FROM:<${oneLine(m.from)}>\r\n` };
      case 'mail':
      case 'rcpt': {
        if (code !== 250 && !(this.stage === 'rcpt' && code === 251)) return this.fail(`${this.stage === 'mail' ? 'MAIL FROM' : 'RCPT TO'} answered ${code}`);
        const next = m.to[this.rcpt];
        if (next !== undefined) {
          this.stage = 'rcpt';
          this.rcpt++;
          return { kind: 'write', text: `RCPT TO:<${oneLine(next)}>\r\n` };
        }
        this.stage = 'data';
        return { kind: 'write', text: 'DATA\r\n' };
      }
      case 'data':
        if (code !== 354) return this.fail(`DATA answered ${code}`);
        this.stage = 'body';
        return { kind: 'write', text: mailData(m) };
      case 'body':
        if (code !== 250) return this.fail(`message answered ${code}`);
        this.stage = 'done';
        return { kind: 'sent', text: 'QUIT\r\n' };
      default:
        return { kind: 'wait' };
    }
  }

  private fail(reason: string): SmtpStep {
    this.stage = 'done';
    return { kind: 'failed', reason };
  }
}
