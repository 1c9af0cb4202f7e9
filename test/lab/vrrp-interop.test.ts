/**
 * keepalived-ts and the real keepalived 2.2.7 in one virtual router (lab hosts h1 = 192.0.2.1,
 * h2 = 192.0.2.2 on one bridge). `ip addr` in each namespace says who holds the VIP; tshark on
 * the bridge judges our adverts and GARPs. Each scenario has its own lab, torn down on failure.
 * advert_int 1: Master_Down is about 3.4-3.6 s.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { field, Lab, type LabHost } from '../support/lab/index.js';
import { holdsVip, Scratch, startDaemon, stopGracefully, waitLog, waitVip, type Flavour, type InstanceConf } from './vrrp-support.js';

const VIP = '192.0.2.100';
const ELECTION_MS = 6_000;
const TAKEOVER_MS = 2_500;

interface Bed {
  lab: Lab;
  scratch: Scratch;
  h1: LabHost;
  h2: LabHost;
}

async function withLab(body: (bed: Bed) => Promise<void>): Promise<void> {
  const lab = await Lab.create({ hosts: 2 });
  const scratch = new Scratch();
  try {
    await body({ lab, scratch, h1: lab.host(1), h2: lab.host(2) });
  } finally {
    await lab.destroy();
    scratch.cleanup();
  }
}

const MASTER_LINE = /\(VI_1\) Entering MASTER STATE/;
const BACKUP_LINE = /\(VI_1\) Entering BACKUP STATE/;

/**
 * The better node (priority 150, `better` flavour on h1) wins the election, the other stays
 * BACKUP; SIGTERM of the master hands the VIP over; the master's return preempts it back.
 */
type Conf = Omit<InstanceConf, 'priority'>;

async function electionAndTakeover(better: Flavour, worse: Flavour, conf: Conf | ((host: 1 | 2) => Conf), vip: string, report: (line: string) => void): Promise<void> {
  const confOf = typeof conf === 'function' ? conf : (): Conf => conf;
  await withLab(async ({ scratch, h1, h2 }) => {
    // the better node starts first (Node's start-up takes longer than keepalived's: started at
    // once, a keepalived backup may time out first and hold the VIP for a moment, as VRRP allows)
    let master = startDaemon(better, h1, scratch, { ...confOf(1), priority: 150 }, 'h1');
    await waitLog(master, /\(VI_1\) Entering BACKUP STATE \(init\)/, 5_000);
    const backup = startDaemon(worse, h2, scratch, { ...confOf(2), priority: 100 }, 'h2');
    await waitLog(master, MASTER_LINE, ELECTION_MS);
    await waitVip(h1, vip, true, 2_000);
    await waitLog(backup, BACKUP_LINE, 2_000);
    assert.equal(await holdsVip(h2, vip), false, 'the backup does not hold the VIP');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(await holdsVip(h2, vip), false, 'the backup stays backup while adverts flow');
    const backupLog = backup.stdoutLines.concat(backup.stderrLines);
    assert.equal(backupLog.some((l) => MASTER_LINE.test(l)), false, `the backup never became master:\n${backupLog.join('\n')}\n--- master ---\n${master.stderrLines.join('\n')}`);

    const stopAt = performance.now();
    await stopGracefully(master);
    assert.equal(await holdsVip(h1, vip), false, 'the stopped master removed its VIP');
    const takeoverMs = await waitVip(h2, vip, true, TAKEOVER_MS);
    assert.ok(takeoverMs < TAKEOVER_MS, `takeover after priority 0 took ${takeoverMs} ms`);
    report(`${worse} held the VIP ${Math.round(performance.now() - stopAt)} ms after SIGTERM to ${better}`);

    const restartAt = performance.now();
    master = startDaemon(better, h1, scratch, { ...confOf(1), priority: 150 }, 'h1b');
    await waitLog(master, MASTER_LINE, ELECTION_MS);
    await waitVip(h1, vip, true, 2_000);
    report(`${better} preempted back ${Math.round(performance.now() - restartAt)} ms after its restart`);
    await waitVip(h2, vip, false, 2_000).catch((e: Error) => {
      throw new Error(`${e.message}\n--- ${worse} ---\n${backup.stdoutLines.concat(backup.stderrLines).slice(-15).join('\n')}`);
    });
    await stopGracefully(master);
    await stopGracefully(backup);
  });
}

test('v2 PASS: keepalived-ts master, keepalived backup; SIGTERM hands over; preemption back', { timeout: 40_000 }, async (t) => {
  await electionAndTakeover('ts', 'keepalived', { vips: [`${VIP}/24`], authPass: 'lab-pw' }, VIP, (line) => t.diagnostic(line));
});

test('v2 PASS: keepalived master, keepalived-ts backup; SIGTERM hands over; preemption back', { timeout: 40_000 }, async (t) => {
  await electionAndTakeover('keepalived', 'ts', { vips: [`${VIP}/24`], authPass: 'lab-pw' }, VIP, (line) => t.diagnostic(line));
});

test('v2 AH: keepalived-ts master, keepalived backup; SIGTERM hands over; preemption back', { timeout: 40_000 }, async (t) => {
  await electionAndTakeover('ts', 'keepalived', { vips: [`${VIP}/24`], authType: 'AH', authPass: 'ah-pw' }, VIP, (line) => t.diagnostic(line));
});

test('v3 IPv4: keepalived-ts master, keepalived backup; SIGTERM hands over; preemption back', { timeout: 40_000 }, async (t) => {
  await electionAndTakeover('ts', 'keepalived', { version: 3, vips: [`${VIP}/24`] }, VIP, (line) => t.diagnostic(line));
});

test('v3 IPv6 (link-local first VIP): keepalived master, keepalived-ts backup; SIGTERM hands over; preemption back', { timeout: 40_000 }, async (t) => {
  await electionAndTakeover('keepalived', 'ts', { version: 3, vips: ['fe80::100/64', '2001:db8::100/64'] }, '2001:db8::100', (line) => t.diagnostic(line));
});

test('v3 IPv6: keepalived-ts master, keepalived backup; SIGTERM hands over; preemption back', { timeout: 40_000 }, async (t) => {
  await electionAndTakeover('ts', 'keepalived', { version: 3, vips: ['fe80::100/64', '2001:db8::100/64'] }, '2001:db8::100', (line) => t.diagnostic(line));
});

test('v2 unicast peers: keepalived-ts master, keepalived backup; SIGTERM hands over; preemption back', { timeout: 40_000 }, async (t) => {
  const unicast = (h: 1 | 2): Conf => ({ vips: [`${VIP}/24`], unicastSrc: `192.0.2.${h}`, unicastPeers: [`192.0.2.${3 - h}`] });
  await electionAndTakeover('ts', 'keepalived', unicast, VIP, (line) => t.diagnostic(line));
});

test('tshark: our v2, v3 IPv4 adverts have a good checksum; our GARP is a well-formed ARP request', { timeout: 40_000 }, async () => {
  for (const version of [2, 3] as const) {
    await withLab(async ({ lab, scratch, h1 }) => {
      const capture = await lab.capture('bridge', undefined, 'ip proto 112 or arp');
      const ours = startDaemon('ts', h1, scratch, { priority: 150, version, vips: [`${VIP}/24`] }, `h1v${version}`);
      await waitLog(ours, MASTER_LINE, ELECTION_MS);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const { packets, verbose } = await capture.stop();
      const adverts = packets.filter((p) => field(p, 'ip.proto') === '112' && field(p, 'ip.src') === h1.ipv4);
      assert.ok(adverts.length >= 2, `captured ${adverts.length} v${version} adverts`);
      for (const p of adverts) {
        assert.equal(field(p, 'vrrp.version'), String(version));
        assert.equal(field(p, 'vrrp.checksum.status'), '1', 'tshark: Checksum Status: Good');
        assert.equal(field(p, 'ip.ttl'), '255');
      }
      const text = await verbose();
      assert.match(text, /Checksum Status: Good/);
      assert.doesNotMatch(text, /Checksum Status: Bad/);
      const garps = packets.filter((p) => field(p, 'arp.opcode') === '1' && field(p, 'arp.src.proto_ipv4') === VIP);
      assert.ok(garps.length >= 5, `captured ${garps.length} GARPs (garp_master_repeat 5)`);
      for (const p of garps) {
        assert.equal(field(p, 'arp.dst.proto_ipv4'), VIP);
        assert.equal(field(p, 'eth.dst'), 'ff:ff:ff:ff:ff:ff');
        assert.equal(field(p, 'arp.src.hw_mac'), h1.mac);
        assert.equal(fieldExpert(p), undefined, 'no tshark expert warning (malformed)');
      }
      await stopGracefully(ours);
    });
  }
});

test('tshark: our v3 IPv6 adverts have a good checksum (kernel-filled) and our unsolicited NAs are well formed', { timeout: 20_000 }, async () => {
  await withLab(async ({ lab, scratch, h1 }) => {
    const vip = '2001:db8::100';
    const capture = await lab.capture('bridge', undefined, 'ip6 proto 112 or icmp6');
    const ours = startDaemon('ts', h1, scratch, { priority: 150, version: 3, vips: ['fe80::100/64', `${vip}/64`] }, 'h1v6');
    await waitLog(ours, MASTER_LINE, ELECTION_MS);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const { packets, verbose } = await capture.stop();
    const adverts = packets.filter((p) => field(p, 'ipv6.nxt') === '112' && field(p, 'ipv6.src') === h1.linkLocal);
    assert.ok(adverts.length >= 2, `captured ${adverts.length} IPv6 adverts`);
    for (const p of adverts) {
      assert.equal(field(p, 'vrrp.version'), '3');
      assert.equal(field(p, 'vrrp.checksum.status'), '1', 'tshark: Checksum Status: Good');
      assert.equal(field(p, 'ipv6.hlim'), '255');
      assert.equal(field(p, 'ipv6.dst'), 'ff02::12');
    }
    assert.doesNotMatch(await verbose(), /Checksum Status: Bad/);
    const nas = packets.filter((p) => field(p, 'icmpv6.type') === '136' && field(p, 'icmpv6.nd.na.target_address') === vip);
    assert.ok(nas.length >= 5, `captured ${nas.length} unsolicited NAs for ${vip}`);
    for (const p of nas) {
      assert.equal(field(p, 'ipv6.dst'), 'ff02::1');
      assert.equal(field(p, 'icmpv6.opt.linkaddr'), h1.mac);
      assert.equal(field(p, 'icmpv6.checksum.status'), '1');
    }
    await stopGracefully(ours);
  });
});

function fieldExpert(p: unknown): string | undefined {
  return field(p, '_ws.malformed') ?? field(p, '_ws.expert');
}
