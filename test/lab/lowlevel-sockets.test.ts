/**
 * The Linux socket layer (src/os/linux: VrrpSocket, L2Announcer, IcmpEchoClient) on a real wire:
 * two lab hosts, each running the lowlevel agent (test/support/agents/lowlevel-agent.ts), checked
 * with the receiver's socket, `ip neigh`, and tcpdump + tshark as the packet judge.
 * (Address add and link events over rtnetlink are checked in netlink.test.ts.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AgentClient, field, Lab, type LabHost } from '../support/lab/index.js';

const VMAC_V4 = '00:00:5e:00:01:2a';
const VMAC_V6 = '00:00:5e:00:02:2a';

async function waitForNeighbour(host: LabHost, dst: string, lladdr: string, timeoutMs = 3_000): Promise<string | undefined> {
  const deadline = performance.now() + timeoutMs;
  let seen: string | undefined;
  while (performance.now() < deadline) {
    seen = (await host.neighbours(dst))[0]?.lladdr;
    if (seen === lladdr) return seen;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return seen;
}

describe('socket layer on the wire (lab)', () => {
  let lab: Lab;
  let a: LabHost;
  let b: LabHost;
  let agentA: AgentClient;
  let agentB: AgentClient;

  before(async () => {
    lab = await Lab.create({ hosts: 2 });
    [a, b] = [lab.host(1), lab.host(2)];
    [agentA, agentB] = await Promise.all([AgentClient.start(a, 'lowlevel-agent'), AgentClient.start(b, 'lowlevel-agent')]);
  });
  after(async () => {
    await lab?.destroy();
  });

  for (const fam of [4, 6] as const) {
    const group = fam === 4 ? '224.0.0.18' : 'ff02::12';
    it(`IPv${fam}: a VRRP advert to ${group} arrives with TTL 255, the right ifindex and a good checksum`, async () => {
      const capture = await lab.capture(b, 'eth0', fam === 4 ? 'ip proto 112' : 'ip6 proto 112');
      const { handle } = await agentB.call<{ handle: number }>('vrrp-listen', { family: fam, ifname: 'eth0' });
      const source = fam === 4 ? a.ipv4 : a.linkLocal;
      await agentA.call('vrrp-send', { family: fam, source, vrid: 10 + fam, priority: 100 });
      const got = await agentB.waitForEvent('vrrp', (m) => m['handle'] === handle && m['vrid'] === 10 + fam);
      assert.equal(got['ttl'], 255);
      assert.equal(got['ifindex'], await b.ifindex());
      assert.equal(got['source'], source);
      assert.equal(got['destination'], group);
      assert.equal(got['priority'], 100);
      assert.equal(got['version'], 3);
      await capture.waitForPackets(1);
      const packet = (await capture.stop(0)).packets[0];
      assert.equal(field(packet, 'vrrp.checksum.status'), '1', 'tshark: VRRP checksum good');
      assert.equal(field(packet, fam === 4 ? 'ip.ttl' : 'ipv6.hlim'), '255');
      assert.equal(Number(field(packet, fam === 4 ? 'ip.dsfield' : 'ipv6.tclass')), 0xc0, 'TOS / traffic class 0xc0');
      await agentB.call('close', { handle });
    });

    it(`IPv${fam}: an advert sent with hop limit 7 is received as 7`, async () => {
      const { handle } = await agentB.call<{ handle: number }>('vrrp-listen', { family: fam, ifname: 'eth0' });
      const source = fam === 4 ? a.ipv4 : a.linkLocal;
      await agentA.call('vrrp-send', { family: fam, source, vrid: 20 + fam, priority: 100, hopLimit: 7 });
      const got = await agentB.waitForEvent('vrrp', (m) => m['handle'] === handle && m['vrid'] === 20 + fam);
      assert.equal(got['ttl'], 7);
      await agentB.call('close', { handle });
    });
  }

  it('ICMP echo to a live host succeeds (IPv4 and IPv6) and to an absent one times out', async () => {
    for (const [fam, target] of [[4, b.ipv4], [6, b.ipv6]] as const) {
      const { result } = await agentA.call<{ result: { ok: boolean; rttMs?: number } }>('ping', { family: fam, target, timeoutMs: 2_000 });
      assert.equal(result.ok, true, `ping ${target}: ${JSON.stringify(result)}`);
      assert.ok((result.rttMs ?? -1) >= 0);
    }
    for (const [fam, target] of [[4, '192.0.2.99'], [6, '2001:db8::99']] as const) {
      const { result } = await agentA.call<{ result: { ok: boolean; reason?: string } }>('ping', { family: fam, target, timeoutMs: 300 });
      assert.deepEqual(result, { ok: false, reason: 'timeout' }, `ping ${target}`);
    }
  });

  it('a gratuitous ARP from A moves B\'s neighbour entry to the sender MAC', async () => {
    const vip = '192.0.2.100';
    await a.ip(['addr', 'add', `${vip}/32`, 'dev', 'eth0']);
    await b.execOk('ping', ['-c1', '-W2', vip]);
    assert.equal((await b.neighbours(vip))[0]?.lladdr, a.mac);
    const capture = await lab.capture(b, 'eth0', 'arp');
    await agentA.call('garp', { ifname: 'eth0', vip, mac: VMAC_V4 });
    assert.equal(await waitForNeighbour(b, vip, VMAC_V4), VMAC_V4);
    await capture.waitForPackets(1);
    const packet = (await capture.stop(0)).packets[0];
    assert.equal(field(packet, 'arp.src.proto_ipv4'), vip);
    assert.equal(field(packet, 'arp.dst.proto_ipv4'), vip);
    assert.equal(field(packet, 'arp.src.hw_mac'), VMAC_V4);
    assert.equal(field(packet, 'eth.dst'), 'ff:ff:ff:ff:ff:ff');
  });

  it('an unsolicited NA from A moves B\'s neighbour entry to the target MAC', async () => {
    const vip = '2001:db8::100';
    await a.ip(['addr', 'add', `${vip}/128`, 'dev', 'eth0', 'nodad']);
    await b.execOk('ping', ['-c1', '-W2', vip]);
    assert.equal((await b.neighbours(vip))[0]?.lladdr, a.mac);
    const capture = await lab.capture(b, 'eth0', 'icmp6 and ip6[40] == 136');
    await agentA.call('na', { ifname: 'eth0', vip, mac: VMAC_V6 });
    assert.equal(await waitForNeighbour(b, vip, VMAC_V6), VMAC_V6);
    await capture.waitForPackets(1);
    const packet = (await capture.stop(0)).packets[0];
    assert.equal(field(packet, 'icmpv6.nd.na.target_address'), vip);
    assert.equal(field(packet, 'icmpv6.opt.linkaddr'), VMAC_V6);
    assert.equal(field(packet, 'ipv6.hlim'), '255');
    assert.equal(field(packet, 'icmpv6.checksum.status'), '1');
  });
});
