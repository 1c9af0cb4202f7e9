/**
 * Lowlevel benchmark (npm run bench:lowlevel), in a two-host lab:
 *  1. VRRP-shaped multicast ping-pong between the hosts (VrrpSocket both sides, IPv4 and IPv6):
 *     median and p99 round trip over a few thousand rounds.
 *  2. Time to add a VIP over rtnetlink (RTM_NEWADDR acked) and send its GARP, median over ~200
 *     runs; anchor in the same run: `ip addr add` and `arping -U -c 1` spawned in the namespace.
 * Writes bench/results/lowlevel.json (figures, machine, kernel, Node version, date).
 * Environment: ROUNDS (default 3000), VIP_RUNS (default 200), ANCHOR_RUNS (default 5).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentClient, Lab, run } from '../test/support/lab/index.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 3000);
const VIP_RUNS = Number(process.env['VIP_RUNS'] ?? 200);
const ANCHOR_RUNS = Number(process.env['ANCHOR_RUNS'] ?? 5);
const TARGET_MEDIAN_US = 1000;

interface Summary {
  readonly n: number;
  readonly medianUs: number;
  readonly p99Us: number;
  readonly minUs: number;
  readonly maxUs: number;
}

function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q: number): number => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
  return { n: sorted.length, medianUs: at(0.5), p99Us: at(0.99), minUs: round(sorted[0] ?? NaN), maxUs: round(sorted[sorted.length - 1] ?? NaN) };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

async function pingPong(lab: Lab, fam: 4 | 6): Promise<Summary & { lost: number }> {
  const [a, b] = [lab.host(1), lab.host(2)];
  const [ping, pong] = await Promise.all([AgentClient.start(a, 'lowlevel-agent'), AgentClient.start(b, 'lowlevel-agent')]);
  try {
    await pong.call('pong', { family: fam, ifname: 'eth0', source: fam === 4 ? b.ipv4 : b.linkLocal, vrid: 42 });
    const args = { family: fam, ifname: 'eth0', source: fam === 4 ? a.ipv4 : a.linkLocal, vrid: 42, rounds: ROUNDS, warmup: 100 };
    const r = await ping.call<{ rttUs: number[]; lost: number }>('ping-pong', args, 120_000);
    return { ...summarize(r.rttUs), lost: r.lost };
  } finally {
    await Promise.all([ping.stop(), pong.stop()]);
  }
}

async function vipAnnounce(lab: Lab): Promise<{ netlinkGarp: Summary; anchor: { ipAddr: Summary; arping: Summary } | { unavailable: string } }> {
  const a = lab.host(1);
  const agent = await AgentClient.start(a, 'lowlevel-agent');
  try {
    const ours = await agent.call<{ us: number[] }>('vip-announce', { ifname: 'eth0', vip: '192.0.2.200', mac: a.mac, runs: VIP_RUNS }, 120_000);
    const arping = await run('arping', ['-V']).catch(() => undefined);
    if (arping === undefined) return { netlinkGarp: summarize(ours.us), anchor: { unavailable: 'arping not installed (apt-get install arping)' } };
    const anchor = await agent.call<{ ipAddUs: number[]; arpingUs: number[] }>('vip-anchor', { ifname: 'eth0', vip: '192.0.2.201', runs: ANCHOR_RUNS }, 120_000);
    return { netlinkGarp: summarize(ours.us), anchor: { ipAddr: summarize(anchor.ipAddUs), arping: summarize(anchor.arpingUs) } };
  } finally {
    await agent.stop();
  }
}

async function machine(): Promise<Record<string, unknown>> {
  const os = await run('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"']);
  return {
    hostname: hostname(),
    os: os.stdout.trim(),
    kernel: release(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    node: process.version,
  };
}

async function main(): Promise<void> {
  const lab = await Lab.create({ hosts: 2 });
  try {
    const started = performance.now();
    const ipv4 = await pingPong(lab, 4);
    const ipv6 = await pingPong(lab, 6);
    const vip = await vipAnnounce(lab);
    const result = {
      benchmark: 'lowlevel',
      date: new Date().toISOString(),
      machine: await machine(),
      durationS: round((performance.now() - started) / 1000),
      targetMedianUs: TARGET_MEDIAN_US,
      multicastRoundTrip: { description: 'VRRPv3 advert ping-pong between two lab hosts (VrrpSocket both sides), microseconds', ipv4, ipv6 },
      vipAddAndGarp: { description: 'RTM_NEWADDR acked + one GARP sent (ours) vs ip addr add and arping -U -c 1 spawned (anchor), microseconds', ...vip },
    };
    const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results', 'lowlevel.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
    const misses = [ipv4.medianUs, ipv6.medianUs, vip.netlinkGarp.medianUs].filter((m) => !(m < TARGET_MEDIAN_US));
    if (misses.length > 0) console.error(`lowlevel bench: ${misses.length} median(s) above the ${TARGET_MEDIAN_US} us target`);
  } finally {
    await lab.destroy();
  }
}

await main();
