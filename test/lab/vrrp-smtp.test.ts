/**
 * smtp_alert against a real SMTP sink on the lab host's loopback: keepalived 2.2.7 and
 * keepalived-ts run the same config (instance and sync group alerts, two recipients, one with a
 * display name) through BACKUP (init) -> MASTER; the sessions they send must be the same bytes,
 * Date header aside.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Lab, type LabHost, type LabProcess } from '../support/lab/index.js';
import { KEEPALIVED_TS_BIN, Scratch, stopGracefully, waitLog } from './vrrp-support.js';

const SINK = fileURLToPath(new URL('../support/smtp-sink.js', import.meta.url));
const CONF = `global_defs {
  router_id lab-rtr
  notification_email {
    ops@example.com
    "Two <two@example.org>"
  }
  notification_email_from kad@example.com
  smtp_server 127.0.0.1 2525
  smtp_helo_name helo.example
  smtp_connect_timeout 5
}
vrrp_sync_group G1 {
  group {
    VI_1
  }
  smtp_alert
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 100
  advert_int 1
  smtp_alert
  virtual_ipaddress {
    192.0.2.100/24
  }
}
`;

function start(flavour: 'ts' | 'keepalived', host: LabHost, scratch: Scratch, tag: string): LabProcess {
  const file = scratch.file(`${tag}.conf`, CONF);
  const args = ['-n', '-l', '-D', '-P', '-f', file, '-p', scratch.path(`${tag}.pid`), '-r', scratch.path(`${tag}-vrrp.pid`)];
  if (flavour === 'ts') return host.spawn(process.execPath, [KEEPALIVED_TS_BIN, '-G', ...args], { TMPDIR: scratch.dir });
  return host.spawn('/usr/sbin/keepalived', args);
}

function sessions(sink: LabProcess): string[] {
  return sink.stdoutLines
    .map((l) => JSON.parse(l) as { event: string; raw?: string })
    .filter((m) => m.event === 'session')
    .map((m) => (m.raw ?? '').replace(/^Date: [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}\r$/m, 'Date: (date)\r'));
}

/** The mails sent (sorted), and the connections that sent nothing (keepalived 2.2.7 opens two as it stops, then exits). */
async function run(flavour: 'ts' | 'keepalived', host: LabHost, scratch: Scratch): Promise<{ mails: string[]; empty: number }> {
  const sink = host.spawnNode(SINK, ['127.0.0.1', '2525']);
  await waitLog(sink, /"listening"/, 5_000);
  const daemon = start(flavour, host, scratch, flavour);
  await waitLog(daemon, /\(VI_1\) Entering MASTER STATE/, 10_000);
  const deadline = Date.now() + 5_000; // smtp_connect_timeout
  while (sessions(sink).length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await stopGracefully(daemon);
  await new Promise((r) => setTimeout(r, 300)); // a mail on stop would show up here
  sink.signal('SIGTERM');
  await sink.exited;
  const all = sessions(sink);
  return { mails: all.filter((s) => s !== '').sort(), empty: all.filter((s) => s === '').length };
}

test('smtp_alert: keepalived-ts sends keepalived 2.2.7\'s mails (instance and group, BACKUP then MASTER), byte for byte but the Date', { timeout: 60_000 }, async (t) => {
  const lab = await Lab.create({ hosts: 1 });
  const scratch = new Scratch();
  try {
    const host = lab.host(1);
    const theirs = await run('keepalived', host, scratch);
    assert.equal(theirs.mails.length, 4, `keepalived 2.2.7 sent ${theirs.mails.length} mails`);
    const ours = await run('ts', host, scratch);
    assert.deepEqual(ours.mails, theirs.mails);
    assert.equal(ours.empty, 0, 'we open no connection we do not use');
    t.diagnostic(`identical sessions: ${theirs.mails.map((s) => /Subject: (.*)\r/.exec(s)?.[1]).join(' | ')}`);
    t.diagnostic(`keepalived 2.2.7 also opened ${theirs.empty} connection(s) that sent nothing (as it stopped)`);
  } finally {
    await lab.destroy();
    scratch.cleanup();
  }
});
