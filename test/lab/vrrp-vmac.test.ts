/**
 * use_vmac with real daemons (h1 = 192.0.2.1, h2 = 192.0.2.2, client h3 = 192.0.2.3 on one
 * bridge; tshark on the bridge). What keepalived 2.2.7 does, measured in the same lab: the VMAC
 * vrrp.51 is a private-mode macvlan of eth0 with MAC 00:00:5e:00:01:33 created at startup (also
 * on a backup), the VIP lives on it, adverts and GARPs leave with the virtual MAC, IGMP for
 * 224.0.0.18 with the base MAC, the VMAC is deleted on stop. The client's neighbour entry for the
 * VIP is the virtual MAC before and after a failover.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { field, type CapturedPacket, type LabHost } from '../support/lab/index.js';
import { startDaemon, stopGracefully, waitLog, withVrrpLab, type Flavour, type InstanceConf } from './vrrp-support.js';

const VIP = '192.0.2.100';
const VMAC = 'vrrp.51';
const VIRTUAL_MAC = '00:00:5e:00:01:33';
const ELECTION_MS = 6_000;
const TAKEOVER_MS = 2_500;
const MASTER_LINE = /\(VI_1\) Entering MASTER STATE/;
const BACKUP_LINE = /\(VI_1\) Entering BACKUP STATE/;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The VMAC as `ip -d -j link` shows it, or undefined when absent. */
async function vmacLink(host: LabHost, name = VMAC): Promise<Record<string, unknown> | undefined> {
  const r = await host.exec('ip', ['-d', '-j', 'link', 'show', 'dev', name]);
  if (r.exitCode !== 0) return undefined;
  const parsed = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
  return parsed[0];
}

async function vipOnVmac(host: LabHost): Promise<boolean> {
  if ((await vmacLink(host)) === undefined) return false;
  return (await host.addresses(VMAC)).includes(`${VIP}/24`);
}

async function waitVipOnVmac(host: LabHost, wanted: boolean, timeoutMs: number): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if ((await vipOnVmac(host)) === wanted) return Math.round(performance.now() - start);
    await sleep(50);
  }
  throw new Error(`host ${host.index}: VIP ${VIP} ${wanted ? 'never appeared on' : 'never left'} ${VMAC} within ${timeoutMs} ms`);
}

function assertVmac(link: Record<string, unknown> | undefined, host: number): void {
  assert.ok(link, `host ${host} has ${VMAC}`);
  assert.equal(link['address'], VIRTUAL_MAC, `host ${host}: ${VMAC} has the virtual MAC`);
  assert.equal(link['link'], 'eth0', `host ${host}: ${VMAC} sits on eth0`);
  const info = link['linkinfo'] as { info_kind?: string; info_data?: { mode?: string } } | undefined;
  assert.equal(info?.info_kind, 'macvlan');
  assert.equal(info?.info_data?.mode, 'private');
  assert.ok((link['flags'] as string[]).includes('UP'), `host ${host}: ${VMAC} is up`);
}

async function sysctls(host: LabHost, keys: readonly string[]): Promise<Record<string, string>> {
  const r = await host.execOk('sysctl', ['-n', ...keys]);
  const values = r.stdout.trim().split('\n');
  return Object.fromEntries(keys.map((k, i) => [k, values[i] ?? '']));
}

/**
 * The client pings the VIP and returns the MAC its neighbour table holds for it. The nodes must
 * know the client on eth0 already (seedNeighbours): a VIP in eth0's subnet has its replies routed
 * out of eth0, and an ARP request for the client from there ("tell 192.0.2.100", eth0's MAC)
 * would rewrite the client's entry to eth0's MAC. keepalived 2.2.7 does exactly that (measured).
 */
async function clientMacOfVip(client: LabHost): Promise<string | undefined> {
  // right after a takeover the bridge may still send the virtual MAC to the old port until the
  // new master's first GARP/advert: one echo per 200 ms for up to 3 s
  const r = await client.exec('ping', ['-c', '1', '-w', '3', '-i', '0.2', VIP]);
  assert.equal(r.exitCode, 0, `the client reaches ${VIP}:\n${r.stdout}`);
  return (await client.neighbours(VIP))[0]?.lladdr;
}

/** The client talks to each node's own address first, so each node has its MAC on eth0. */
async function seedNeighbours(client: LabHost, nodes: readonly LabHost[]): Promise<void> {
  for (const node of nodes) await client.execOk('ping', ['-c', '1', '-W', '2', node.ipv4]);
}

const conf = (extra: readonly string[] = []): Omit<InstanceConf, 'priority'> => ({ vips: [`${VIP}/24`], extra: ['use_vmac', ...extra] });

async function scenario(master: Flavour, backupFlavour: Flavour, report: (line: string) => void): Promise<void> {
  await withVrrpLab(3, async (lab, scratch) => {
    const [h1, h2, client] = [lab.host(1), lab.host(2), lab.host(3)];
    await seedNeighbours(client, [h1, h2]);
    const capture = await lab.capture('bridge', undefined, 'ip proto 112 or arp or igmp');
    const better = startDaemon(master, h1, scratch, { ...conf(), priority: 150 }, 'h1');
    await waitLog(better, /\(VI_1\) Entering BACKUP STATE \(init\)/, 5_000);
    assertVmac(await vmacLink(h1), 1);
    const backup = startDaemon(backupFlavour, h2, scratch, { ...conf(), priority: 100 }, 'h2');
    await waitLog(better, MASTER_LINE, ELECTION_MS);
    await waitVipOnVmac(h1, true, 2_000);
    await waitLog(backup, BACKUP_LINE, 2_000);
    assertVmac(await vmacLink(h2), 2);
    if (master === 'ts') {
      // the sysctls keepalived 2.2.7 sets (measured): on the VMAC, and arp_ignore/arp_filter on its base
      assert.deepEqual(await sysctls(h1, [
        'net.ipv4.conf.vrrp/51.arp_ignore', 'net.ipv4.conf.vrrp/51.accept_local', 'net.ipv4.conf.vrrp/51.rp_filter',
        'net.ipv4.conf.vrrp/51.promote_secondaries', 'net.ipv6.conf.vrrp/51.disable_ipv6', 'net.ipv6.conf.vrrp/51.addr_gen_mode',
        'net.ipv4.conf.eth0.arp_ignore', 'net.ipv4.conf.eth0.arp_filter',
      ]), {
        'net.ipv4.conf.vrrp/51.arp_ignore': '1', 'net.ipv4.conf.vrrp/51.accept_local': '1', 'net.ipv4.conf.vrrp/51.rp_filter': '0',
        'net.ipv4.conf.vrrp/51.promote_secondaries': '1', 'net.ipv6.conf.vrrp/51.disable_ipv6': '1', 'net.ipv6.conf.vrrp/51.addr_gen_mode': '1',
        'net.ipv4.conf.eth0.arp_ignore': '1', 'net.ipv4.conf.eth0.arp_filter': '1',
      });
    }
    assert.equal(await vipOnVmac(h2), false, 'the backup has the VMAC but not the VIP');
    assert.deepEqual((await h1.addresses('eth0')).filter((a) => a.startsWith(VIP)), [], 'the VIP is not on the base interface');

    const arping = await client.execOk('arping', ['-c', '1', '-w', '2', '-I', 'eth0', VIP]);
    assert.match(arping.stdout, new RegExp(`from ${VIRTUAL_MAC} \\(${VIP.replaceAll('.', '\\.')}\\)`), `arping answer:\n${arping.stdout}`);
    const arps = async (): Promise<string> => (await capture.stop()).packets.filter((p) => field(p, 'arp.opcode') !== undefined)
      .map((p) => `${String(field(p, 'eth.src'))} ${String(field(p, 'arp.opcode'))} ${String(field(p, 'arp.src.proto_ipv4'))} -> ${String(field(p, 'arp.dst.proto_ipv4'))}`).join('\n');
    const mac = await clientMacOfVip(client);
    if (mac !== VIRTUAL_MAC) assert.fail(`the client resolves the VIP to ${String(mac)}, not the virtual MAC; ARP on the bridge:\n${await arps()}`);

    await sleep(1_500);
    const backupLog = backup.stdoutLines.concat(backup.stderrLines);
    assert.equal(backupLog.some((l) => MASTER_LINE.test(l)), false, `the backup hears the master's adverts on its VMAC and stays BACKUP:\n${backupLog.join('\n')}`);
    if (master === 'ts') {
      const table = await h1.exec('nft', ['list', 'table', 'ip', 'keepalived_ts_vmac']);
      assert.match(table.stdout, /"vrrp\.51" : "eth0"/, 'the IGMP rule covers the VMAC');
    }

    const stopAt = performance.now();
    await stopGracefully(better);
    assert.equal(await vmacLink(h1), undefined, `${master} removed ${VMAC} on stop`);
    assert.notEqual((await h1.exec('nft', ['list', 'table', 'ip', 'keepalived_ts_vmac'])).exitCode, 0, 'and its nftables table');
    const takeoverMs = await waitVipOnVmac(h2, true, TAKEOVER_MS);
    report(`${backupFlavour} held the VIP on its ${VMAC} ${Math.round(performance.now() - stopAt)} ms after SIGTERM to ${master} (poll ${takeoverMs} ms)`);
    assert.equal(await clientMacOfVip(client), VIRTUAL_MAC, 'after the failover the client still has the virtual MAC for the VIP (and reaches the new master)');

    await sleep(1_200); // an advert or two from the new master
    const { packets } = await capture.stop();
    const from = (p: CapturedPacket): string | undefined => field(p, 'eth.src');
    const adverts = (src: string): CapturedPacket[] => packets.filter((p) => field(p, 'ip.proto') === '112' && field(p, 'ip.src') === src);
    for (const [host, flavour] of [[h1, master], [h2, backupFlavour]] as const) {
      const mine = adverts(host.ipv4);
      assert.ok(mine.length >= 1, `captured adverts of ${flavour} on h${host.index}`);
      assert.deepEqual([...new Set(mine.map(from))], [VIRTUAL_MAC], `${flavour}'s adverts leave with the virtual MAC`);
    }
    const garps = packets.filter((p) => field(p, 'arp.opcode') === '1' && field(p, 'arp.src.proto_ipv4') === VIP);
    assert.ok(garps.length >= 10, `captured ${garps.length} GARPs (5 per master)`);
    for (const p of garps) {
      assert.equal(from(p), VIRTUAL_MAC, 'GARP frame source is the virtual MAC');
      assert.equal(field(p, 'arp.src.hw_mac'), VIRTUAL_MAC, 'GARP sender hardware address is the virtual MAC');
    }
    const replies = packets.filter((p) => field(p, 'arp.opcode') === '2' && field(p, 'arp.src.proto_ipv4') === VIP);
    assert.ok(replies.length >= 1 && replies.every((p) => field(p, 'arp.src.hw_mac') === VIRTUAL_MAC), 'ARP replies for the VIP carry the virtual MAC');
    const igmp = packets.filter((p) => field(p, 'ip.proto') === '2');
    const igmpText = igmp.map((p) => `${String(field(p, 'frame.time_relative'))} ${String(from(p))} ${String(field(p, 'ip.src'))} ${String(field(p, 'igmp.record_type'))}`).join('\n');
    assert.ok(igmp.every((p) => from(p) !== VIRTUAL_MAC), `no IGMP report leaves with the virtual MAC (they use the base MAC):\n${igmpText}\npriority 0 advert at ${String(packets.filter((p) => field(p, 'vrrp.prio') === '0').map((p) => field(p, 'frame.time_relative')))}`);
    report(`captured ${adverts(h1.ipv4).length + adverts(h2.ipv4).length} adverts, ${garps.length} GARPs, ${replies.length} ARP replies, ${igmp.length} IGMP reports`);

    await stopGracefully(backup);
    assert.equal(await vmacLink(h2), undefined, `${backupFlavour} removed ${VMAC} on stop`);
  });
}

test('use_vmac, two keepalived-ts nodes: ARP, adverts and GARPs with 00:00:5e:00:01:33; failover keeps the client\'s neighbour entry; VMAC removed on stop', { timeout: 40_000 }, async (t) => {
  await scenario('ts', 'ts', (line) => t.diagnostic(line));
});

test('use_vmac, keepalived-ts master and keepalived 2.2.7 backup: the same VMAC on both, SIGTERM hands the VIP over with the same virtual MAC', { timeout: 40_000 }, async (t) => {
  await scenario('ts', 'keepalived', (line) => t.diagnostic(line));
});

test('use_vmac with vmac_xmit_base: adverts leave from eth0 with its MAC, GARPs and ARP replies with the virtual MAC; a killed run\'s VMAC is taken over; base link down is a FAULT', { timeout: 40_000 }, async () => {
  await withVrrpLab(2, async (lab, scratch) => {
    const [h1, client] = [lab.host(1), lab.host(2)];
    await seedNeighbours(client, [h1]);
    // what a SIGKILLed daemon leaves: the VMAC, up, with the VIP on it
    for (const args of [
      ['link', 'add', VMAC, 'link', 'eth0', 'address', VIRTUAL_MAC, 'type', 'macvlan', 'mode', 'private'],
      ['addr', 'add', `${VIP}/24`, 'dev', VMAC], ['link', 'set', VMAC, 'up'],
    ]) await h1.ip(args);
    const before = await h1.ifindex(VMAC);
    // a non-zero all.rp_filter would override the VMAC's 0: it is moved onto default and eth0
    await h1.execOk('sysctl', ['-q', '-w', 'net.ipv4.conf.all.rp_filter=1']);
    const RP = ['net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.default.rp_filter', 'net.ipv4.conf.eth0.rp_filter'];
    const capture = await lab.capture('bridge', undefined, 'ip proto 112 or arp');
    const ours = startDaemon('ts', h1, scratch, { ...conf(['vmac_xmit_base']), priority: 150 }, 'h1');
    await waitLog(ours, new RegExp(`\\(VI_1\\) Found matching interface ${VMAC.replace('.', '\\.')}`), 5_000);
    await waitLog(ours, /\(VI_1\) Entering BACKUP STATE \(init\)/, 5_000);
    assert.equal(await h1.ifindex(VMAC), before, 'the leftover VMAC is reused, not recreated');
    await waitLog(ours, /NOTICE: setting sysctl net\.ipv4\.conf\.all\.rp_filter from 1 to 0/, 1_000);
    assert.deepEqual(Object.values(await sysctls(h1, RP)), ['0', '1', '1'], 'all.rp_filter cleared, default and eth0 raised to 1');
    await waitVipOnVmac(h1, false, 1_000); // its stale VIP is removed at start, while BACKUP
    await waitLog(ours, MASTER_LINE, ELECTION_MS);
    await waitVipOnVmac(h1, true, 2_000);
    assert.equal(await clientMacOfVip(client), VIRTUAL_MAC);
    await sleep(1_200);
    const { packets } = await capture.stop();
    const adverts = packets.filter((p) => field(p, 'ip.proto') === '112' && field(p, 'ip.src') === h1.ipv4);
    assert.ok(adverts.length >= 2, `captured ${adverts.length} adverts`);
    assert.ok(adverts.every((p) => field(p, 'eth.src') === h1.mac), 'vmac_xmit_base: adverts carry the base MAC');
    const garps = packets.filter((p) => field(p, 'arp.opcode') === '1' && field(p, 'arp.src.proto_ipv4') === VIP);
    assert.ok(garps.length >= 5 && garps.every((p) => field(p, 'eth.src') === VIRTUAL_MAC && field(p, 'arp.src.hw_mac') === VIRTUAL_MAC), 'GARPs carry the virtual MAC');
    // the base link going down: FAULT, the VIP leaves the VMAC, which stays; back up: MASTER again
    await h1.linkDown('eth0');
    await waitLog(ours, /\(VI_1\) Entering FAULT STATE/, 2_000);
    await waitVipOnVmac(h1, false, 1_000);
    assert.ok(await vmacLink(h1), 'the VMAC stays while its base is down');
    const masters = ours.stdoutLines.concat(ours.stderrLines).filter((l) => MASTER_LINE.test(l)).length;
    await h1.linkUp('eth0');
    await waitLog(ours, /\(VI_1\) Entering BACKUP STATE$/, 2_000);
    const start = performance.now();
    while (ours.stdoutLines.concat(ours.stderrLines).filter((l) => MASTER_LINE.test(l)).length === masters) {
      assert.ok(performance.now() - start < ELECTION_MS, 'MASTER again after the base came back');
      await sleep(50);
    }
    await waitVipOnVmac(h1, true, 2_000);
    await stopGracefully(ours);
    assert.equal(await vmacLink(h1), undefined, 'the VMAC is removed on stop');
    assert.deepEqual(Object.values(await sysctls(h1, RP)), ['1', '0', '0'], 'rp_filter restored on stop');
    assert.ok(ours.stdoutLines.concat(ours.stderrLines).some((l) => l.includes('NOTICE: resetting sysctl net.ipv4.conf.all.rp_filter to 1')));
  });
});

test('use_vmac IPv6, keepalived-ts master and keepalived 2.2.7 backup: VMAC 00:00:5e:00:02:VRID with the base link-local, adverts and NAs with it, no MLD report with it', { timeout: 40_000 }, async () => {
  const vip = '2001:db8::100';
  const mac6 = '00:00:5e:00:02:33';
  await withVrrpLab(3, async (lab, scratch) => {
    const [h1, h2, client] = [lab.host(1), lab.host(2), lab.host(3)];
    const capture = await lab.capture('bridge', undefined, 'ip6');
    const v6 = { version: 3 as const, vips: ['fe80::100/64', `${vip}/64`], extra: ['use_vmac'] };
    const ours = startDaemon('ts', h1, scratch, { ...v6, priority: 150 }, 'h1');
    await waitLog(ours, /\(VI_1\) Entering BACKUP STATE \(init\)/, 5_000);
    const peer = startDaemon('keepalived', h2, scratch, { ...v6, priority: 100 }, 'h2');
    await waitLog(ours, MASTER_LINE, ELECTION_MS);
    await waitLog(peer, BACKUP_LINE, 2_000);
    for (const host of [h1, h2]) {
      const link = await vmacLink(host);
      assert.equal(link?.['address'], mac6, `h${host.index}: ${VMAC} has the IPv6 virtual MAC`);
    }
    const addrs = await h1.ipJson(['-6', 'addr', 'show', 'dev', VMAC]);
    const infos = (addrs[0]?.['addr_info'] ?? []) as Array<Record<string, unknown>>;
    const copy = infos.find((a) => a['local'] === h1.linkLocal);
    assert.ok(copy, `the base link-local ${h1.linkLocal} is on ${VMAC}`);
    assert.equal(copy['preferred_life_time'], 0, 'copied as deprecated (preferred_lft 0), as keepalived');
    const ping = await client.exec('ping', ['-6', '-c', '1', '-w', '3', '-i', '0.2', vip]);
    assert.equal(ping.exitCode, 0, ping.stdout);
    assert.equal((await client.neighbours(vip))[0]?.lladdr, mac6, 'the client resolves the VIP to the virtual MAC');
    await sleep(1_500);
    const peerLog = peer.stdoutLines.concat(peer.stderrLines);
    assert.equal(peerLog.some((l) => MASTER_LINE.test(l)), false, `keepalived hears our adverts on its VMAC and stays BACKUP:\n${peerLog.join('\n')}`);
    await stopGracefully(ours);
    assert.equal(await vmacLink(h1), undefined, 'our VMAC is removed on stop');
    await waitLog(peer, MASTER_LINE, TAKEOVER_MS);
    await sleep(500);
    const { packets } = await capture.stop();
    const adverts = packets.filter((p) => field(p, 'ipv6.nxt') === '112' && field(p, 'ipv6.src') === h1.linkLocal);
    assert.ok(adverts.length >= 2 && adverts.every((p) => field(p, 'eth.src') === mac6), 'our adverts leave with the virtual MAC from the base link-local');
    const nas = packets.filter((p) => field(p, 'icmpv6.type') === '136' && field(p, 'icmpv6.nd.na.target_address') === vip && field(p, 'eth.src') === mac6);
    assert.ok(nas.length >= 5 && nas.every((p) => field(p, 'icmpv6.opt.linkaddr') === mac6), 'unsolicited NAs carry the virtual MAC');
    const fromVmac = packets.filter((p) => field(p, 'eth.src') === mac6 && ['143', '133'].includes(String(field(p, 'icmpv6.type'))));
    assert.deepEqual(fromVmac.map((p) => field(p, 'icmpv6.type')), [], 'no MLD report or router solicitation with the virtual MAC');
    const mld = packets.filter((p) => field(p, 'icmpv6.type') === '143' && field(p, 'eth.src') === h1.mac);
    assert.ok(mld.length >= 1, 'our MLD reports (ff02::12 joined on the VMAC) leave with the base MAC');
    await stopGracefully(peer);
  });
});
