/**
 * A tiny SMTP sink for tests: answers 220/250/354/250/221 and records each session's raw bytes
 * (client side only). `hang` accepts connections and never says anything. Used in-process by the
 * unit/scenario tiers (loopback) and as a lab agent: `node smtp-sink.js HOST PORT [hang]` prints
 * one JSON line `{"event":"listening"}` then `{"event":"session","raw":"..."}` per finished session.
 */
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface SmtpSink {
  readonly server: Server;
  readonly port: number;
  /** Finished sessions (client bytes, latin1). */
  readonly sessions: string[];
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export function startSmtpSink(host: string, port: number, mode: 'ok' | 'hang' = 'ok', onSession: (raw: string) => void = () => undefined): Promise<SmtpSink> {
  const sessions: string[] = [];
  let accepted = 0;
  const server = createServer((s) => {
    accepted++;
    s.on('error', () => undefined);
    if (mode === 'hang') return;
    let raw = '';
    let pending = '';
    let inData = false;
    s.write('220 sink ESMTP\r\n');
    s.on('data', (d: Buffer) => {
      const text = d.toString('latin1');
      raw += text;
      pending += text;
      for (;;) {
        if (inData) {
          const end = pending.indexOf('\r\n.\r\n');
          if (end < 0) break;
          pending = pending.slice(end + 5);
          inData = false;
          s.write('250 2.0.0 queued\r\n');
          continue;
        }
        const nl = pending.indexOf('\r\n');
        if (nl < 0) break;
        const verb = pending.slice(0, nl).slice(0, 4).toUpperCase();
        pending = pending.slice(nl + 2);
        if (verb === 'DATA') {
          inData = true;
          s.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') {
          s.end('221 bye\r\n');
        } else {
          s.write('250 ok\r\n');
        }
      }
    });
    s.on('close', () => {
      sessions.push(raw);
      onSession(raw);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({
        server,
        port: typeof address === 'object' && address !== null ? address.port : port,
        sessions,
        connections: () => accepted,
        close: () => new Promise((r) => {
          server.close(() => r());
          server.unref();
        }),
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [host = '127.0.0.1', port = '2525', mode = 'ok'] = process.argv.slice(2);
  void startSmtpSink(host, Number(port), mode === 'hang' ? 'hang' : 'ok', (raw) => process.stdout.write(`${JSON.stringify({ event: 'session', raw })}\n`))
    .then(() => process.stdout.write(`${JSON.stringify({ event: 'listening' })}\n`));
}
