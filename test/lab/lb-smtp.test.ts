/**
 * smtp_alert_checker in the daemon: keepalived-ts runs the checkers only (-C, lb_data_plane none)
 * on a lab host with two TCP real servers (quorum 2) and mails to the SMTP sink of the VRRP smtp
 * lab on the host's loopback. Stopping one real server sends "Realserver ... - DOWN" and
 * "Virtualserver ... - DOWN" (quorum lost); starting it again "... - UP" twice, one mail each.
 * keepalived 2.2.7's checker cannot start on this kernel (no IPVS), so the wording checked here
 * is the one keepalived documents, not a recording.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Lab, type LabHost, type LabProcess } from '../support/lab/index.js';
import { spawnDaemon, stopDaemon, waitCheckersActive } from '../support/lab-daemon.js';
import { Scratch, waitLog } from './vrrp-support.js';

const SINK = fileURLToPath(new URL('../support/smtp-sink.js', import.meta.url));
const DELAY_LOOP_S = 1;
const RETRY = 1;
const CONNECT_TIMEOUT_S = 1;
/** A real server's state change is seen within delay_loop x (retry + 1) + connect_timeout; +2 s for the mail. */
const MAIL_BOUND_MS = (DELAY_LOOP_S * (RETRY + 1) + CONNECT_TIMEOUT_S + 2) * 1000;

function config(host: string): string {
  const rs = [8081, 8082].map((port) => `  real_server ${host} ${port} {
    weight 1
    TCP_CHECK {
      connect_timeout ${CONNECT_TIMEOUT_S}
      retry ${RETRY}
      delay_before_retry 1
    }
  }
`).join('');
  return `global_defs {
  router_id lab-lb
  notification_email {
    ops@example.com
  }
  notification_email_from kad@example.com
  smtp_server 127.0.0.1 2525
  smtp_helo_name helo.example
  smtp_connect_timeout 5
  smtp_alert_checker
  lb_data_plane none
}
virtual_server 192.0.2.100 80 {
  delay_loop ${DELAY_LOOP_S}
  lb_algo rr
  lb_kind NAT
  protocol TCP
  quorum 2
${rs}}
`;
}

/** A TCP server on the host's address that accepts and closes (the checker's RST is no crash). */
function listener(host: LabHost, port: number): LabProcess {
  const code = `require('net').createServer((s) => { s.on('error', () => undefined); s.end(); }).listen(${port}, '${host.ipv4}', () => console.log('listening'))`;
  return host.spawn(process.execPath, ['-e', code]);
}

/** Subject and "=> ... <=" body of each finished session, in order. */
function mails(sink: LabProcess): string[] {
  return sink.stdoutLines
    .map((l) => JSON.parse(l) as { event: string; raw?: string })
    .filter((m) => m.event === 'session' && m.raw !== undefined && m.raw !== '')
    .map((m) => `${/^Subject: (.*)\r$/m.exec(m.raw ?? '')?.[1] ?? '?'} | ${/^(=> .* <=)\r$/m.exec(m.raw ?? '')?.[1] ?? '?'}`);
}

async function waitMails(sink: LabProcess, count: number, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  while (mails(sink).length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return mails(sink);
}

test('smtp_alert_checker: a real server DOWN then UP mails the real server and the quorum change once each', { timeout: 40_000 }, async (t) => {
  const lab = await Lab.create({ hosts: 1 });
  const scratch = new Scratch();
  try {
    const host = lab.host(1);
    const sink = host.spawnNode(SINK, ['127.0.0.1', '2525']);
    await waitLog(sink, /"listening"/, 5_000);
    const stays = listener(host, 8081);
    let goes = listener(host, 8082);
    await waitLog(stays, /listening/, 5_000);
    await waitLog(goes, /listening/, 5_000);
    scratch.file('keepalived.conf', config(host.ipv4));
    const daemon = spawnDaemon(host, scratch.dir, ['-C']);
    await waitCheckersActive(daemon, 2);
    await new Promise((r) => setTimeout(r, DELAY_LOOP_S * 1000 * 2));
    assert.deepEqual(mails(sink), [], 'the initial state mails nothing');

    goes.signal('SIGTERM');
    await goes.exited;
    const rs = `[${host.ipv4}]:tcp:8082`;
    const vs = '[192.0.2.100]:tcp:80';
    const down = await waitMails(sink, 2, MAIL_BOUND_MS);
    // one connection per mail, sent concurrently: the sessions may finish in either order
    assert.deepEqual([...down].sort(), [
      `[lab-lb] Realserver ${rs} of virtual server ${vs} - DOWN | => TCP CHECK failed on service <=`,
      `[lab-lb] Virtualserver ${vs} - DOWN | => Lost quorum 2+0=2 <= 1 <=`,
    ].sort(), [...daemon.stdoutLines, ...daemon.stderrLines].slice(-20).join('\n'));

    goes = listener(host, 8082);
    await waitLog(goes, /listening/, 5_000);
    const all = await waitMails(sink, 4, MAIL_BOUND_MS);
    assert.deepEqual(all.slice(2).sort(), [
      `[lab-lb] Realserver ${rs} of virtual server ${vs} - UP | => TCP CHECK succeed on service <=`,
      `[lab-lb] Virtualserver ${vs} - UP | => Gained quorum 2+0=2 <= 2 <=`,
    ].sort());
    const raw = (JSON.parse(sink.stdoutLines.find((l) => l.includes('"session"')) ?? '{}') as { raw?: string }).raw ?? '';
    assert.match(raw, /^HELO helo\.example\r\nMAIL FROM:<kad@example\.com>\r\nRCPT TO:<ops@example\.com>\r\nDATA\r\n/);
    t.diagnostic(all.join('\n'));
    await stopDaemon(daemon);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(mails(sink).length, 4, 'stopping mails nothing');
  } finally {
    await lab.destroy();
    scratch.cleanup();
  }
});
