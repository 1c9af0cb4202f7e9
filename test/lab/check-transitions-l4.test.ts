/**
 * Lab: the real daemon (keepalived-ts -n -l -C, host 1) takes each network checker kind DOWN when
 * its real server fails and UP again when it recovers, honouring retry and delay_before_retry:
 *
 *   TCP_CHECK   nginx (host 2): stopped, restarted
 *   SMTP_CHECK  node SMTP responder (host 2): stopped, restarted; answers 554, answers 220 again
 *   DNS_CHECK   dnsmasq (host 2): stopped, restarted; the name removed (NXDOMAIN) and restored
 *   UDP_CHECK   node UDP echo with require_reply (host 2): stopped (ICMP port unreachable),
 *               restarted; answers wrong bytes, echoes again
 *   PING_CHECK  host 3: eth0 down, up
 *
 * Every VS has alpha, so each real server starts DOWN and its first success logs "Adding service"
 * (the UP start). Bounds come from the configuration (test/support/check-transitions-support.ts);
 * with log_all_failures the daemon logs each retried failure, and where the server stays alive
 * it logs each attempt it answers wrongly: exactly retry + 1 of them before the DOWN line.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab, agentPath, type LabHost, type LabProcess } from '../support/lab/index.js';
import { makeNginxDir, startNginx as spawnNginx } from '../support/lab-daemon.js';
import { countLines, expectDown, expectUp, nextLine, ServiceLog, startDaemon, stopDaemon, upDeadlineMs, type CheckTiming } from '../support/check-transitions-support.js';

const T: CheckTiming = { delayLoopS: 1, attemptS: 1, retry: 2, delayBeforeRetryS: 2 };
const TIMING = `connect_timeout ${T.attemptS}
      retry ${T.retry}
      delay_before_retry ${T.delayBeforeRetryS}
      log_all_failures`;

function vs(vip: string, port: number, protocol: string, rs: string, rsPort: number, checker: string): string {
  return `virtual_server ${vip} ${port} {
  delay_loop ${T.delayLoopS}
  lb_algo rr
  protocol ${protocol}
  alpha
  real_server ${rs} ${rsPort} {
    weight 1
    ${checker} {
      ${TIMING}
    }
  }
}
`;
}

function keepalivedConf(server: string, pingTarget: string): string {
  return [
    vs('192.0.2.201', 80, 'TCP', server, 80, 'TCP_CHECK'),
    vs('192.0.2.202', 25, 'TCP', server, 25, 'SMTP_CHECK'),
    vs('192.0.2.203', 53, 'UDP', server, 53, 'DNS_CHECK').replace('DNS_CHECK {', 'DNS_CHECK {\n      type A\n      name www.lab.test'),
    vs('192.0.2.204', 7, 'UDP', server, 7, 'UDP_CHECK').replace('UDP_CHECK {', 'UDP_CHECK {\n      payload c0ffee01\n      require_reply c0ffee01'),
    vs('192.0.2.205', 80, 'TCP', pingTarget, 80, 'PING_CHECK'),
  ].join('\n');
}

const DNS_GOOD = '192.0.2.77 www.lab.test\n';

describe('lab: checker transitions of the real daemon (TCP, SMTP, DNS, UDP, PING)', { concurrency: true }, () => {
  let lab: Lab;
  let dir: string;
  let server: LabHost;
  let pingTarget: LabHost;
  let daemon: LabProcess;
  let nginx: LabProcess;
  let smtp: LabProcess;
  let udp: LabProcess;
  let dns: LabProcess;

  const rsName = (address: string, proto: string, port: number) => `[${address}]:${proto}:${port}`;
  const service = (type: string, vip: string, proto: string, address: string, port: number, vport = port) =>
    new ServiceLog(daemon, type, rsName(address, proto, port), rsName(vip, proto, vport));
  const startNginx = () => spawnNginx(server, dir);
  const startResponder = async (kind: 'smtp' | 'udp', port: number): Promise<LabProcess> => {
    const p = server.spawnNode(agentPath('check-responders'), [kind, server.ipv4, String(port)]);
    await p.waitForLine(/^ready$/, 10_000);
    return p;
  };
  const startDnsmasq = async (): Promise<LabProcess> => {
    const p = server.spawn('dnsmasq', ['--keep-in-foreground', '--no-resolv', '--no-hosts', '--bind-interfaces', `--listen-address=${server.ipv4}`,
      '--port=53', '--user=root', '--pid-file=', '--local=/test/', `--addn-hosts=${join(dir, 'dns-hosts')}`, '--log-facility=-', '--log-queries']);
    await p.waitForLine(/read .*dns-hosts/, 10_000);
    return p;
  };
  const setMode = async (p: LabProcess, mode: 'good' | 'bad') => {
    const seen = countLines(p, new RegExp(`^mode ${mode}$`));
    p.writeLine(mode);
    await nextLine(p, new RegExp(`^mode ${mode}$`), seen, 2_000);
  };
  /** The UP start of a service (alpha: down until its first success, within warmup = delay_loop). */
  const startsUp = async (log: ServiceLog, checkerUpLine: string) => {
    await daemon.waitForLine(log.upRe, upDeadlineMs(T) + 2_000);
    await daemon.waitForLine((l) => l.endsWith(checkerUpLine), 1_000);
  };

  before(async () => {
    if (process.getuid?.() !== 0) throw new Error('lab tests need root (network namespaces)');
    dir = makeNginxDir('kts-transitions-l4-');
    writeFileSync(join(dir, 'dns-hosts'), DNS_GOOD);
    lab = await Lab.create({ hosts: 3 });
    server = lab.host(2);
    pingTarget = lab.host(3);
    // every refused probe gets its ICMP port unreachable (no per-destination rate limit)
    await server.execOk('sysctl', ['-q', '-w', 'net.ipv4.icmp_ratelimit=0']);
    writeFileSync(join(dir, 'keepalived.conf'), keepalivedConf(server.ipv4, pingTarget.ipv4));
    nginx = startNginx();
    [smtp, udp, dns] = await Promise.all([startResponder('smtp', 25), startResponder('udp', 7), startDnsmasq()]);
    daemon = await startDaemon(lab.host(1), dir, 5);
  });
  after(async () => {
    if (daemon?.running) await stopDaemon(daemon);
    await lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('TCP_CHECK: nginx stopped -> DOWN after the retries; restarted -> UP', async () => {
    const log = service('TCP_CHECK', '192.0.2.201', 'tcp', server.ipv4, 80);
    const success = `TCP connection to ${log.realServer} success.`;
    await startsUp(log, success);
    await expectDown(log, T, async () => void (await nginx.stop()), `TCP_CHECK on service ${log.realServer} failed after ${T.retry} retries.`);
    await expectUp(log, T, async () => void (nginx = startNginx()), success);
  });

  it('SMTP_CHECK: responder stopped -> DOWN, restarted -> UP; banner 554 -> DOWN after retry + 1 bad sessions, 220 -> UP', async () => {
    const log = service('SMTP_CHECK', '192.0.2.202', 'tcp', server.ipv4, 25);
    const success = `Remote SMTP server ${log.realServer} succeed on service.`;
    const failed = `SMTP_CHECK on service ${log.realServer} failed after ${T.retry} retries.`;
    await startsUp(log, success);
    await expectDown(log, T, async () => void (await smtp.stop()), failed);
    await expectUp(log, T, async () => void (smtp = await startResponder('smtp', 25)), success);
    await expectDown(log, T, () => setMode(smtp, 'bad'), failed);
    assert.equal(countLines(smtp, /^ATTEMPT bad$/), T.retry + 1, 'SMTP sessions answered 554 before the DOWN line');
    await expectUp(log, T, () => setMode(smtp, 'good'), success);
    assert.equal(countLines(smtp, /^ATTEMPT bad$/), T.retry + 1, 'no 554 session after DOWN was retried');
  });

  it('DNS_CHECK: dnsmasq stopped -> DOWN, restarted -> UP; NXDOMAIN -> DOWN after retry + 1 answers, name back -> UP', async () => {
    const log = service('DNS_CHECK', '192.0.2.203', 'udp', server.ipv4, 53);
    const success = `DNS_CHECK (${log.realServer}) succeed on service.`;
    const failed = `DNS_CHECK on service ${log.realServer} failed after ${T.retry} retries.`;
    const nxdomain = /config www\.lab\.test is NXDOMAIN/;
    await startsUp(log, success);
    await expectDown(log, T, async () => void (await dns.stop()), failed);
    await expectUp(log, T, async () => void (dns = await startDnsmasq()), success);
    await expectDown(log, T, async () => {
      writeFileSync(join(dir, 'dns-hosts'), '');
      const reads = countLines(dns, /read .*dns-hosts/);
      dns.signal('SIGHUP');
      await nextLine(dns, /read .*dns-hosts/, reads, 2_000);
    }, failed);
    assert.equal(countLines(dns, nxdomain), T.retry + 1, `NXDOMAIN answers before the DOWN line:\n${dns.stderrLines.slice(-12).join('\n')}`);
    await expectUp(log, T, async () => {
      writeFileSync(join(dir, 'dns-hosts'), DNS_GOOD);
      dns.signal('SIGHUP');
    }, success);
  });

  it('UDP_CHECK with require_reply: echo stopped (ICMP unreachable) -> DOWN, restarted -> UP; wrong bytes -> DOWN after retry + 1 replies, echo -> UP', async () => {
    const log = service('UDP_CHECK', '192.0.2.204', 'udp', server.ipv4, 7);
    const success = `UDP connection to ${log.realServer} success.`;
    const failed = `UDP_CHECK on service ${log.realServer} failed after ${T.retry} retries.`;
    await startsUp(log, success);
    const obs = await expectDown(log, T, async () => void (await udp.stop()), failed);
    const refused = log.lines(log.failureRe).slice(-T.retry);
    assert.ok(refused.every((l) => l.includes('connect-refused')), `ICMP port unreachable is the failure:\n${refused.join('\n')}`);
    assert.ok(obs.sinceBreakMs < T.retry * T.delayBeforeRetryS * 1_000 + (T.retry + 1) * T.attemptS * 1_000, 'refusals are not waited for as timeouts');
    await expectUp(log, T, async () => void (udp = await startResponder('udp', 7)), success);
    await expectDown(log, T, () => setMode(udp, 'bad'), failed);
    assert.equal(countLines(udp, /^ATTEMPT bad$/), T.retry + 1, 'datagrams answered with wrong bytes before the DOWN line');
    assert.ok(log.lines(log.failureRe).slice(-T.retry).every((l) => l.includes('bad-response')));
    await expectUp(log, T, () => setMode(udp, 'good'), success);
  });

  it('PING_CHECK: the real server\'s link down -> DOWN after the retries; link up -> UP', async () => {
    const log = service('PING_CHECK', '192.0.2.205', 'tcp', pingTarget.ipv4, 80);
    const success = `ICMP connection to address ${log.realServer} success.`;
    await startsUp(log, success);
    await expectDown(log, T, () => pingTarget.linkDown(), `PING_CHECK on service ${log.realServer} failed after ${T.retry} retries.`);
    await expectUp(log, T, () => pingTarget.linkUp(), success);
  });
});
