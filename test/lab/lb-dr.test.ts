/**
 * Lab: lb_kind DR with the nftables data plane and the REAL daemon (`keepalived-ts -n -l -C`).
 * h1 director (VIP 192.0.2.100/32 on eth0, no ip_forward: the forwarding is layer 2), h2 and h3
 * real servers with the VIP on lo and arp_ignore=1 / arp_announce=2, nginx listening on their
 * address and on the VIP; h4 client. A second virtual server with lb_kind TUN is reported at
 * start and not installed.
 *
 * - the client reaches both real servers through the VIP (per-connection hash);
 * - the responses come straight from the real servers: an nft counter on the client's ingress
 *   sees replies from the VIP with the real servers' MAC addresses, none with the director's;
 * - nginx stopped on h2: within delay_loop x (retry + 1) + 1 s (+2 s for load) every new
 *   connection goes to h3;
 * - SIGTERM removes the daemon's tables (inet and netdev).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Lab, type LabHost, type LabProcess } from '../support/lab/index.js';
import { burst, makeWorkDir, removeWorkDir, startNginx, VIP } from './lb-support.js';
import { DELAY_LOOP_S, DOWN_BOUND_MS, RETRY, startDaemon, START_TIMEOUT_MS, TABLE, waitReady } from './lb-daemon-support.js';

const DR_TABLE = `${TABLE}_dr`;
const TUN_VIP = '192.0.2.101';

function drConfig(): string {
  const rs = [2, 3].map((n) => `  real_server 192.0.2.${n} 80 {
    weight 1
    TCP_CHECK {
      connect_timeout 1
      retry ${RETRY}
      delay_before_retry 1
    }
  }
`).join('');
  return `virtual_server ${VIP} 80 {
  delay_loop ${DELAY_LOOP_S}
  lb_algo wrr
  lb_kind DR
  protocol TCP
${rs}}
virtual_server ${TUN_VIP} 80 {
  delay_loop ${DELAY_LOOP_S}
  lb_kind TUN
  protocol TCP
  real_server 192.0.2.2 80 {
    TCP_CHECK {
      connect_timeout 1
    }
  }
}
`;
}

async function macOf(host: LabHost): Promise<string> {
  const r = await host.execOk('ip', ['-j', 'link', 'show', 'eth0']);
  const [link] = JSON.parse(r.stdout) as { address: string }[];
  return link?.address ?? '';
}

/** The client's reply counters: packets from VIP:80 by source MAC. */
async function replyCounters(client: LabHost): Promise<Record<string, number>> {
  const r = await client.execOk('nft', ['-j', 'list', 'table', 'netdev', 'probe']);
  const out: Record<string, number> = {};
  for (const item of (JSON.parse(r.stdout) as { nftables: { rule?: { comment?: string; expr: { counter?: { packets: number } }[] } }[] }).nftables) {
    const rule = item.rule;
    if (rule?.comment === undefined) continue;
    out[rule.comment] = rule.expr.find((e) => e.counter !== undefined)?.counter?.packets ?? 0;
  }
  return out;
}

describe('lb: lb_kind DR on nftables with the real daemon (lab)', { timeout: 120_000 }, () => {
  let lab: Lab;
  let dir = '';
  let director: LabHost;
  let client: LabHost;
  let daemon: LabProcess | undefined;
  const nginx = new Map<number, LabProcess>();
  const macs = new Map<number, string>();

  before(async () => {
    if (process.getuid?.() !== 0) throw new Error('lb-dr lab test must run as root (network namespaces, nft)');
    lab = await Lab.create({ hosts: 4 });
    dir = await makeWorkDir();
    director = lab.host(1);
    client = lab.host(4);
    await director.ip(['addr', 'add', `${VIP}/32`, 'dev', 'eth0']);
    for (const n of [2, 3]) {
      const h = lab.host(n);
      for (const key of ['all.arp_ignore=1', 'all.arp_announce=2', 'eth0.arp_ignore=1', 'eth0.arp_announce=2']) {
        await h.execOk('sysctl', ['-q', '-w', `net.ipv4.conf.${key}`]);
      }
      await h.ip(['addr', 'add', `${VIP}/32`, 'dev', 'lo']);
      nginx.set(n, await startNginx(h, `h${n}`, dir, [VIP]));
    }
    for (const n of [1, 2, 3]) macs.set(n, await macOf(lab.host(n)));
    const counters = [1, 2, 3].map((n) => `    ip saddr ${VIP} tcp sport 80 ether saddr ${macs.get(n) ?? ''} counter comment "h${n}"`).join('\n');
    await client.execOk('nft', ['-f', '-'], { input: `table netdev probe {\n  chain in {\n    type filter hook ingress device "eth0" priority 0; policy accept;\n${counters}\n  }\n}\n` });
    await writeFile(join(dir, 'keepalived.conf'), drConfig(), { mode: 0o644 });
  });

  after(async () => {
    await daemon?.stop(3_000);
    await lab?.destroy();
    await removeWorkDir(dir);
  });

  it('starts: DR installed in the netdev table, TUN reported and not installed', async () => {
    daemon = startDaemon(director, dir);
    await waitReady(daemon);
    await daemon.waitForLine((l) => l.includes(`lb: [${TUN_VIP}]:tcp:80: lb_kind TUN is not supported by the nftables data plane`), START_TIMEOUT_MS);
    const dr = await director.execOk('nft', ['list', 'table', 'netdev', DR_TABLE]);
    assert.match(dr.stdout, /hook ingress device "eth0"/);
    assert.match(dr.stdout, /fwd ip to jhash ip saddr \. tcp sport mod 2 seed 0x[0-9a-f]+ map \{ 0 : 192\.0\.2\.2, 1 : 192\.0\.2\.3 \} device "eth0"/);
    assert.doesNotMatch(dr.stdout, new RegExp(TUN_VIP.replaceAll('.', '\\.')));
  });

  it('the client reaches both real servers through the VIP, and the replies come straight from them', async () => {
    const r = await burst(client, 40);
    assert.equal(r.errors, 0, r.lastError);
    assert.deepEqual(Object.keys(r.counts).sort(), ['h2', 'h3'], JSON.stringify(r.counts));
    assert.equal((r.counts['h2'] ?? 0) + (r.counts['h3'] ?? 0), 40);
    const seen = await replyCounters(client);
    assert.equal(seen['h1'], 0, `no reply through the director: ${JSON.stringify(seen)}`);
    assert.ok((seen['h2'] ?? 0) > 0 && (seen['h3'] ?? 0) > 0, JSON.stringify(seen));
  });

  it('nginx stopped on h2: every new connection goes to h3 within delay_loop x (retry + 1) + 1 s', async () => {
    await nginx.get(2)?.stop();
    const stoppedAt = performance.now();
    const bound = DOWN_BOUND_MS + 2_000;
    let text = '';
    while (performance.now() - stoppedAt < bound) {
      text = (await director.execOk('nft', ['list', 'table', 'netdev', DR_TABLE])).stdout;
      if (!text.includes('192.0.2.2')) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    const afterMs = performance.now() - stoppedAt;
    assert.match(text, /fwd ip to 192\.0\.2\.3 device "eth0"/, `h2 not removed within ${bound} ms`);
    console.log(`DR: DOWN -> ruleset without h2 in ${Math.round(afterMs)} ms (bound ${DOWN_BOUND_MS} ms)`);
    assert.ok(afterMs <= DOWN_BOUND_MS, `removed after ${Math.round(afterMs)} ms, bound ${DOWN_BOUND_MS} ms`);
    const r = await burst(client, 20);
    assert.equal(r.errors, 0, r.lastError);
    assert.deepEqual(r.counts, { h3: 20 });
  });

  it('SIGTERM removes both tables', async () => {
    const d = daemon as LabProcess;
    d.signal('SIGTERM');
    await d.waitForLine(/Stopped Keepalived/, START_TIMEOUT_MS);
    await d.exited;
    const tables = (await director.execOk('nft', ['list', 'tables'])).stdout;
    assert.doesNotMatch(tables, new RegExp(`\\b${TABLE}\\b`));
    assert.doesNotMatch(tables, new RegExp(DR_TABLE));
  });
});
