/** SMTP_CHECK against scripted loopback SMTP servers, including hostile ones. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { createSmtpCheckProbe, parseSmtpReply } from '../../../../src/check/probes/smtp-check.js';
import type { SmtpChecker } from '../../../../src/config/model/lvs.js';
import { CountingClock, signal, span, timing } from './helpers.js';

type Script = (socket: Socket, lines: string[]) => void;

describe('SMTP reply parser', () => {
  it('single and multi-line replies, partial input, garbage', () => {
    assert.deepEqual(parseSmtpReply('220 mx ready\r\n'), { done: true, code: 220 });
    assert.deepEqual(parseSmtpReply('250-mx\r\n250-PIPELINING\r\n250 OK\r\n'), { done: true, code: 250 });
    assert.deepEqual(parseSmtpReply('250-mx\r\n25'), { done: false });
    assert.deepEqual(parseSmtpReply('220'), { done: false }, 'a code without its line end is not complete');
    assert.ok('error' in parseSmtpReply('HTTP/1.1 400 Bad Request\r\n'));
    assert.ok('error' in parseSmtpReply('\x00\x01garbage'));
  });
});

describe('SMTP_CHECK probe', () => {
  let server: Server;
  let port = 0;
  let script: Script = () => undefined;
  const sessions: string[][] = [];
  const clock = new CountingClock();
  before(async () => {
    server = createServer((socket) => {
      const lines: string[] = [];
      sessions.push(lines);
      let buf = '';
      socket.on('error', () => undefined);
      socket.on('data', (d) => {
        buf += d.toString('latin1');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          lines.push(buf.slice(0, nl).replace(/\r$/, ''));
          buf = buf.slice(nl + 1);
          script(socket, lines);
        }
      });
      script(socket, lines);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    port = typeof addr === 'object' && addr ? addr.port : 0;
  });
  after(async () => { await new Promise((r) => server.close(r)); });

  const probe = (helo = 'smtpchecker.keepalived.org', timeoutMs = 500) => {
    const checker: SmtpChecker = { type: 'SMTP_CHECK', span, timing: timing(timeoutMs), connection: { connectPort: port }, heloName: helo };
    return createSmtpCheckProbe(checker, { realServer: { address: '127.0.0.1', family: 'inet', port: 25 }, clock })(signal());
  };

  /** A well-behaved server: banner, 250 to HELO, 221 to QUIT. */
  const good: Script = (s, lines) => {
    if (lines.length === 0) s.write('220-mx.example ESMTP\r\n220 ready\r\n');
    else if (lines.at(-1)?.startsWith('HELO')) s.write('250 hello\r\n');
    else if (lines.at(-1) === 'QUIT') s.end('221 bye\r\n');
  };

  it('220 banner, HELO <helo_name> -> 250, then QUIT', async () => {
    script = good;
    const r = await probe('checker.example.org');
    assert.equal(r.ok, true, JSON.stringify(r));
    await new Promise((res) => setTimeout(res, 50));
    assert.deepEqual(sessions.at(-1), ['HELO checker.example.org', 'QUIT']);
  });

  it('a banner other than 220 fails', async () => {
    script = (s, lines) => { if (lines.length === 0) s.write('554 no service\r\n'); };
    const r = await probe();
    assert.equal(!r.ok && r.failure, 'bad-response');
  });

  it('HELO answered with 5xx fails', async () => {
    script = (s, lines) => {
      if (lines.length === 0) s.write('220 ready\r\n');
      else s.write('501 syntax\r\n');
    };
    const r = await probe();
    assert.match(!r.ok ? r.reason : '', /501/);
  });

  it('garbage, silence, a flood and an early close all fail with their kinds', async () => {
    const cases: [Script, string][] = [
      [(s, l) => { if (l.length === 0) s.write('\x00\xff garbage\r\n'); }, 'bad-response'],
      [() => undefined, 'read-timeout'],
      [(s, l) => { if (l.length === 0) s.write('220-' + 'x'.repeat(20_000)); }, 'bad-response'],
      [(s, l) => { if (l.length === 0) s.end('220-partial\r\n'); }, 'reset'],
      [(s, l) => { if (l.length === 0) s.write('220 ok\r\n'); else s.write('250-never ends\r\n'); }, 'read-timeout'],
    ];
    for (const [sc, failure] of cases) {
      script = sc;
      const r = await probe(undefined, 300);
      assert.equal(!r.ok && r.failure, failure, JSON.stringify(r));
    }
  });

  it('a closed port is connect-refused and every timer was cleared', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const addr = closed.address();
    const closedPort = typeof addr === 'object' && addr ? addr.port : 0;
    await new Promise((r) => closed.close(r));
    const checker: SmtpChecker = { type: 'SMTP_CHECK', span, timing: timing(500), connection: { connectPort: closedPort }, heloName: 'x' };
    const r = await createSmtpCheckProbe(checker, { realServer: { address: '127.0.0.1', family: 'inet', port: 25 }, clock })(signal());
    assert.equal(!r.ok && r.failure, 'connect-refused');
    assert.ok(clock.armed > 0);
    assert.equal(clock.armed, clock.cleared);
  });
});
