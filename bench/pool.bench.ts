/**
 * npm run bench:pool — the nftables pool in a lab (root): h1 director, h2..h4 nginx, h5 client.
 * 1. throughput (pool-throughput.ts): the same wrk load along six paths, interleaved over rounds:
 *    straight to the three real servers (client-side round robin), the same but routed through the
 *    director with no NAT (the cost of the hop), through the nftables VIP as the daemon deploys it
 *    (LVS-NAT: DNAT, real servers route back via the director), through the VIP with masquerade
 *    (flat topology), through the VIP with lb_kind DR, and through HAProxy (the user-space anchor). The lab bridge's namespace does
 *    not pass bridged frames to netfilter (a switch runs no IP firewall hooks;
 *    KTS_BENCH_BRIDGE_NF=1 keeps the kernel default). The paths run unpinned on the shared CPUs, then
 *    in each pinned mode (PINNED_MODES: the director on its own CPU; the network on its own CPU;
 *    everything on one CPU), KTS_BENCH_POOL_MODES choosing which. KTS_BENCH_POOL_LIBERAL=1 adds the
 *    VIP with nf_conntrack_tcp_be_liberal=1 in the director.
 * 2. time from a real-server DOWN/UP event to the applied ruleset (reducer + builder + nft),
 *    median/p95 over flips, with 3 and with 100 real servers: incremental applies through the
 *    long-lived `nft -j -i` coprocess (the daemon default), against the full rebuild of every
 *    apply through the same coprocess (the anchor: the previous behaviour), and incremental
 *    one-shot runs through `nsenter --net` (the fallback).
 * Writes bench/results/pool.json; the previous results are kept in `history`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab, runOk, type LabHost } from '../test/support/lab/index.js';
import { LinuxProcessRunner } from '../src/os/linux/process-runner.js';
import { NftRunner, type NftRunnerOptions } from '../src/os/linux/nft-runner.js';
import { NftablesDataPlane, type NftPort, type NftRunOptions, type NftRunResult } from '../src/lb/planes/nft-plane.js';
import { desiredPool } from '../src/lb/pool-desired.js';
import { reducePool } from '../src/lb/pool-reducer.js';
import { initialPoolState, type PoolState } from '../src/lb/pool-state.js';
import type { DesiredPool, PoolEvent } from '../src/lb/pool-types.js';
import { lvsModel } from '../test/scenario/lb/pool-support.js';
import { makeWorkDir, removeWorkDir, setupDirector, startNginx, VIP, virtualServer } from '../test/lab/lb-support.js';
import { HAPROXY_PORT, startHaproxy, throughput, type ThroughputPath } from './pool-throughput.js';

const FLIPS = 30;
const ROUNDS = Number(process.env['KTS_BENCH_ROUNDS'] ?? 5);
const BRIDGE_NF = process.env['KTS_BENCH_BRIDGE_NF'] === '1';
const LOAD = { threads: 3, connections: 48, durationS: 4 };
/** 1: one more path, the VIP with the director's nf_conntrack_tcp_be_liberal=1 (host tuning, measured, not set by the daemon). */
const LIBERAL = process.env['KTS_BENCH_POOL_LIBERAL'] === '1';
/** Which throughput modes run: shared (every namespace on both CPUs, unpinned) and the pinned ones (PINNED_MODES). */
const MODES = (process.env['KTS_BENCH_POOL_MODES'] ?? 'shared,own,wire,one').split(',');
/** The pinned modes: endpoints (wrk, nginx, their stack work) on CPU 0, the director on CPU 1. */
const ENDPOINT_CPU = 0;
const DIRECTOR_CPU = 1;

function stats(xs: number[]): { medianMs: number; p95Ms: number; maxMs: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => Number((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0).toFixed(2));
  return { medianMs: at(0.5), p95Ms: at(0.95), maxMs: at(1) };
}

/** The pool of the director with a chosen way of running nft (reducer + plane, as the daemon). */
class BenchPool implements NftPort {
  state: PoolState;
  readonly runner: NftRunner;
  readonly plane: NftablesDataPlane;
  readonly batchBytes: number[] = [];
  constructor(config: string, options: NftRunnerOptions, incremental: boolean) {
    this.state = initialPoolState(lvsModel(config));
    this.runner = new NftRunner(new LinuxProcessRunner(), options);
    this.plane = new NftablesDataPlane(this, { masquerade: true, incremental });
  }
  run(batch: unknown, options?: NftRunOptions): Promise<NftRunResult> {
    this.batchBytes.push(JSON.stringify(batch).length);
    return this.runner.run(batch, options);
  }
  listObjects(table: string): ReturnType<NftRunner['listObjects']> {
    return this.runner.listObjects(table);
  }
  async send(e: PoolEvent): Promise<void> {
    this.state = reducePool(this.state, e).state;
    const r = await this.plane.apply(desiredPool(this.state));
    if (!r.ok) throw new Error(r.error);
  }
}

type Mode = 'sessionIncremental' | 'sessionFullRebuild' | 'oneShotNsenterIncremental';

function runnerOptions(mode: Mode, ns: string): NftRunnerOptions {
  switch (mode) {
    case 'sessionIncremental': case 'sessionFullRebuild': return { argvPrefix: ['ip', 'netns', 'exec', ns] };
    case 'oneShotNsenterIncremental': return { argvPrefix: ['nsenter', `--net=/run/netns/${ns}`], session: false };
  }
}

function loadAverage1m(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0] ?? 0);
}

function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
}

async function modeFigures(director: LabHost, mode: Mode, extra: string): Promise<Record<string, unknown>> {
  const incremental = mode !== 'sessionFullRebuild';
  const out: Record<string, unknown> = {};
  for (const [key, more, rs] of [['realServers3', '', '[192.0.2.2]:tcp:80'], ['realServers100', extra, '[192.0.2.3]:tcp:80']] as const) {
    const pool = new BenchPool(virtualServer('  lb_algo wrr', [[2, 1], [3, 1], [4, 1]], more), runnerOptions(mode, director.namespace), incremental);
    await pool.plane.apply(desiredPool(pool.state));
    const firstBytes = pool.batchBytes.length;
    out[key] = { ...stats(await flipTimes(pool, rs)), medianBatchBytes: median(pool.batchBytes.slice(firstBytes)) };
    await pool.plane.removeAll();
    await pool.runner.close();
  }
  return out;
}

function previousResults(file: string): unknown[] {
  try {
    const old = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & { history?: unknown[] };
    const { history, ...rest } = old;
    const before = (rest['downToApplied'] as { before?: unknown } | undefined)?.before;
    if (before !== undefined) delete (rest['downToApplied'] as { before?: unknown }).before;
    return [rest, ...(history ?? (before !== undefined ? [{ downToApplied: before }] : []))];
  } catch {
    return [];
  }
}

async function flipTimes(pool: { send(e: PoolEvent): Promise<unknown> }, rs: string): Promise<number[]> {
  const vs = `[${VIP}]:tcp:80`;
  const times: number[] = [];
  for (let i = 0; i < FLIPS; i++) {
    const t0 = performance.now();
    await pool.send({ type: i % 2 === 0 ? 'rs-down' : 'rs-up', vs, rs });
    times.push(performance.now() - t0);
  }
  return times;
}

async function versions(host: LabHost): Promise<Record<string, string>> {
  const first = async (cmd: string, args: string[]): Promise<string> => {
    const r = await host.exec(cmd, args);
    return `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? '?';
  };
  return {
    nft: await first('nft', ['--version']), haproxy: await first('haproxy', ['-v']),
    wrk: await first('wrk', ['-v']), nginx: await first('nginx', ['-v']),
  };
}

type Table = 'nat' | 'masq' | 'dr';

/** Where each part of the lab runs in a pinned mode (CPU numbers). */
interface CpuLayout {
  /** wrk, nginx, and the packets the client's and real servers' eth0 receive (their stack work). */
  readonly endpoints: number;
  /** The director's processes (HAProxy, nft) and the packets its eth0 and its bridge port receive. */
  readonly director: number;
  /** The packets the client's and real servers' bridge ports receive (the switch's work for their frames). */
  readonly switchPorts: number;
}

/**
 * A pinned mode (layout) or back to the default (undefined): processes pinned with taskset (wrk
 * at each run), and RPS (rx-0/rps_cpus) steering each veth's received packets, i.e. the softirq
 * work of the receiving side (bridge, IP, forwarding, conntrack, NAT, TCP), to a CPU. A packet a
 * host sends is received by its bridge port (the switch), a frame the bridge forwards by the
 * destination host's eth0.
 */
async function pinLab(lab: Lab, director: LabHost, endpoints: readonly LabHost[], layout: CpuLayout | undefined): Promise<void> {
  const mask = (cpu: number): string => (layout !== undefined ? (1 << cpu).toString(16) : '0');
  const rps = (dev: string, cpu: number): string => `echo ${mask(cpu)} > /sys/class/net/${dev}/queues/rx-0/rps_cpus`;
  const ports = new Map<number, string>();
  for (const line of (await runOk('ip', ['-n', lab.bridgeNamespace, '-o', 'link', 'show'])).stdout.split('\n')) {
    const m = /^(\d+): ([^@:]+)/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) ports.set(Number(m[1]), m[2]);
  }
  const l = layout ?? { endpoints: 0, director: 0, switchPorts: 0 };
  const bridgeCmds: string[] = [];
  const placed = [[director, l.director, l.director] as const, ...endpoints.map((e) => [e, l.endpoints, l.switchPorts] as const)];
  for (const [h, cpu, portCpu] of placed) {
    const peer = ports.get(Number((await h.execOk('cat', ['/sys/class/net/eth0/iflink'])).stdout.trim()));
    if (peer === undefined) throw new Error(`no bridge port for ${h.namespace}`);
    bridgeCmds.push(rps(peer, portCpu));
    await h.execOk('sh', ['-c', rps('eth0', cpu)]);
    const pids = (await runOk('ip', ['netns', 'pids', h.namespace])).stdout.split('\n').map((x) => x.trim()).filter((x) => x !== '');
    for (const pid of pids) await runOk('taskset', ['-a', '-p', '-c', layout !== undefined ? String(cpu) : `0-${cpus().length - 1}`, pid]);
  }
  await runOk('ip', ['netns', 'exec', lab.bridgeNamespace, 'sh', '-c', bridgeCmds.join(' && ')]);
}

/** The pinned modes of the throughput part, with what each shows. */
const PINNED_MODES: Record<string, { key: string; layout: CpuLayout; note: string }> = {
  own: {
    key: 'wrkDirectorOwnCpu',
    layout: { endpoints: ENDPOINT_CPU, director: DIRECTOR_CPU, switchPorts: ENDPOINT_CPU },
    note: `the director on its own CPU: wrk (taskset) and nginx pinned to cpu${ENDPOINT_CPU}, the director's processes (HAProxy, nft) to cpu${DIRECTOR_CPU}; RPS steers the packets received by the director's eth0 and its bridge port to cpu${DIRECTOR_CPU}, those received by every other host's eth0 and bridge port to cpu${ENDPOINT_CPU}. The direct path never runs on cpu${DIRECTOR_CPU}; the other paths hand every packet to cpu${DIRECTOR_CPU} and back, which the direct path never pays (see wrkWireCpu).`,
  },
  wire: {
    key: 'wrkWireCpu',
    layout: { endpoints: ENDPOINT_CPU, director: DIRECTOR_CPU, switchPorts: DIRECTOR_CPU },
    note: `the network on its own CPU: as wrkDirectorOwnCpu, but the switch's work for the client's and real servers' frames (their bridge ports) on cpu${DIRECTOR_CPU} too, so in every path, direct included, each packet goes to cpu${DIRECTOR_CPU} and back to cpu${ENDPOINT_CPU} (as over a wire): the endpoints' work is the same in every path, the director's adds to the switch's on cpu${DIRECTOR_CPU}.`,
  },
  one: {
    key: 'wrkOneCpu',
    layout: { endpoints: ENDPOINT_CPU, director: ENDPOINT_CPU, switchPorts: ENDPOINT_CPU },
    note: `the control: everything (wrk, nginx, director, every packet) on cpu${ENDPOINT_CPU}; nothing crosses CPUs. Its cpuUsPerRequest difference routed - direct is the director's forwarding work in line.`,
  },
};

/**
 * lb_kind DR real servers: the VIP on lo, no ARP answer for it (arp_ignore/arp_announce), nginx
 * listening on it too (the replies leave from the VIP straight to the client).
 */
async function drRealServer(h: LabHost): Promise<void> {
  for (const key of ['all.arp_ignore=1', 'all.arp_announce=2', 'eth0.arp_ignore=1', 'eth0.arp_announce=2']) {
    await h.execOk('sysctl', ['-q', '-w', `net.ipv4.conf.${key}`]);
  }
  await h.ip(['addr', 'add', `${VIP}/32`, 'dev', 'lo']);
}

/**
 * The paths of the throughput part: routes of the client and the real servers, and which
 * ruleset the director holds (none: plain forwarding, no conntrack; LVS-NAT; DNAT + masquerade;
 * lb_kind DR: the netdev ingress table forwards requests to the real servers' MACs, replies go
 * straight to the client).
 */
class ThroughputPaths {
  private readonly runner: NftRunner;
  private readonly planes: Record<Table, NftablesDataPlane>;
  private readonly desired: Record<Table, DesiredPool>;
  private table: Table | 'none' = 'none';

  constructor(private readonly director: LabHost, private readonly client: LabHost, private readonly servers: readonly LabHost[]) {
    this.runner = new NftRunner(new LinuxProcessRunner(), runnerOptions('sessionIncremental', director.namespace));
    const resolveDevices = (addresses: readonly string[]): Promise<Map<string, string>> => Promise.resolve(new Map(addresses.map((a) => [a, 'eth0'])));
    this.planes = {
      nat: new NftablesDataPlane(this.runner, { masquerade: false }),
      masq: new NftablesDataPlane(this.runner, { masquerade: true }),
      dr: new NftablesDataPlane(this.runner, { resolveDevices }),
    };
    const config = virtualServer('  lb_algo rr', [[2, 1], [3, 1], [4, 1]]);
    const nat = desiredPool(initialPoolState(lvsModel(config)));
    this.desired = { nat, masq: nat, dr: desiredPool(initialPoolState(lvsModel(config.replace('lb_kind NAT', 'lb_kind DR')))) };
  }

  all(): ThroughputPath[] {
    const rr = `http://${this.servers[0]?.ipv4 ?? ''}/`;
    return [
      { name: 'direct', url: rr, clientRoundRobin: true, prepare: () => this.set('none', false, false) },
      { name: 'routed', url: rr, clientRoundRobin: true, prepare: () => this.set('none', true, true) },
      { name: 'viaVip', url: `http://${VIP}/`, prepare: () => this.set('nat', false, true) },
      { name: 'viaVipMasq', url: `http://${VIP}/`, prepare: () => this.set('masq', false, false) },
      { name: 'viaVipDr', url: `http://${VIP}/`, prepare: () => this.set('dr', false, false) },
      { name: 'haproxy', url: `http://${VIP}:${HAPROXY_PORT}/`, prepare: () => this.set('none', false, false) },
      ...(LIBERAL ? [{ name: 'viaVipLiberal', url: `http://${VIP}/`, prepare: () => this.set('nat', false, true, true) }] : []),
    ];
  }

  /** table: the director's ruleset; clientVia/serversVia: host routes via the director. */
  private async set(table: Table | 'none', clientVia: boolean, serversVia: boolean, liberal = false): Promise<void> {
    if (LIBERAL) await this.director.execOk('sysctl', ['-q', '-w', `net.netfilter.nf_conntrack_tcp_be_liberal=${liberal ? 1 : 0}`]);
    if (table !== this.table) {
      if (this.table !== 'none') await this.check(this.planes[this.table].removeAll());
      if (table !== 'none') await this.check(this.planes[table].apply(this.desired[table]));
      this.table = table;
    }
    const via = this.director.ipv4;
    for (const s of this.servers) {
      await this.client.exec('ip', ['route', clientVia ? 'replace' : 'del', `${s.ipv4}/32`, ...(clientVia ? ['via', via] : [])]);
      await s.exec('ip', ['route', serversVia ? 'replace' : 'del', `${this.client.ipv4}/32`, ...(serversVia ? ['via', via] : [])]);
    }
  }

  private async check(r: Promise<{ ok: boolean; error?: string }>): Promise<void> {
    const done = await r;
    if (!done.ok) throw new Error(done.error ?? 'nft failed');
  }

  async close(): Promise<void> {
    await this.set('none', false, false);
    await this.runner.close();
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench:pool needs root (network namespaces)');
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results', 'pool.json');
  const lab = await Lab.create({ hosts: 5 });
  const dir = await makeWorkDir();
  try {
    const director = lab.host(1);
    await setupDirector(director);
    for (const n of [2, 3, 4]) await drRealServer(lab.host(n));
    await Promise.all([2, 3, 4].map((n) => startNginx(lab.host(n), `h${n}`, dir, [VIP])));
    const servers = [2, 3, 4].map((n) => lab.host(n).ipv4);
    const sysctl = BRIDGE_NF ? 1 : 0;
    await runOk('ip', ['netns', 'exec', lab.bridgeNamespace, 'sysctl', '-q', '-w',
      `net.bridge.bridge-nf-call-iptables=${sysctl}`, `net.bridge.bridge-nf-call-ip6tables=${sysctl}`, `net.bridge.bridge-nf-call-arptables=${sysctl}`]);
    await startHaproxy(director, dir, VIP, servers);
    const paths = new ThroughputPaths(director, lab.host(5), [2, 3, 4].map((n) => lab.host(n)));
    const cpuHosts = [1, 2, 3, 4].map((n) => lab.host(n));
    const endpoints = [2, 3, 4, 5].map((n) => lab.host(n));
    const wrkFigures = MODES.includes('shared') ? await throughput(lab.host(5), director, cpuHosts, paths.all(), servers, dir, LOAD, ROUNDS) : undefined;
    const pinned: Record<string, unknown> = {};
    for (const [mode, m] of Object.entries(PINNED_MODES)) {
      if (!MODES.includes(mode)) continue;
      await pinLab(lab, director, endpoints, m.layout);
      const figures = await throughput(lab.host(5), director, cpuHosts, paths.all(), servers, dir, LOAD, ROUNDS, { wrkCpu: ENDPOINT_CPU });
      await pinLab(lab, director, endpoints, undefined);
      pinned[m.key] = {
        ...figures,
        bridgeNfCallIptables: BRIDGE_NF,
        layout: m.layout,
        note: `${m.note} cpuUsPerRequest = wrk, nginx, HAProxy (process-attributed, with the softirq work that ran in their context; not softirq on an otherwise idle CPU); medianPerCpu* are host-wide per CPU (they include whatever else the host ran): they show where the work landed.`,
      };
    }
    await paths.close();
    const extra = Array.from({ length: 97 }, (_, i) => `  real_server 198.51.100.${i + 1} 80 {\n    weight 1\n  }\n`).join('');
    const modes: Record<string, unknown> = { loadAverage1mBefore: loadAverage1m() };
    for (const mode of ['sessionIncremental', 'sessionFullRebuild', 'oneShotNsenterIncremental'] as const) modes[mode] = await modeFigures(director, mode, extra);
    const out = {
      benchmark: 'nftables pool in a lab: wrk direct vs through the nftables VIP vs through HAProxy; DOWN/UP event -> applied ruleset',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', kernel: release() },
      node: process.version,
      versions: await versions(director),
      wrk: wrkFigures === undefined ? 'not run (KTS_BENCH_POOL_MODES)' : {
        ...wrkFigures,
        bridgeNfCallIptables: BRIDGE_NF,
        note: 'three nginx (1 worker each) h2..h4; client h5; director h1; every namespace shares the same 2 CPUs, so whatever the director does (forwarding, conntrack, NAT, HAProxy) competes with nginx and wrk. direct = client-side round robin (wrk thread i -> server i), no director; routed = the same through the director, plain forwarding (no table: no conntrack); viaVip = LVS-NAT (DNAT only, real servers route the client via the director: the daemon\'s deployment); viaVipMasq = DNAT + masquerade, no routes (flat topology); viaVipDr = lb_kind DR (netdev ingress fwd to the real server MAC; VIP on the real servers\' lo; replies straight to the client; not in IpForwDatagrams); haproxy = mode tcp roundrobin in the director. viaVipOverRouted = cost of the data plane (conntrack + NAT) on top of the hop; routedOverDirect = cost of the hop on this box. Median of interleaved rounds; loadAverage1m = the host load (other labs run concurrently). Unpinned (taskset wrk->cpu0, nginx->cpu1 was slower and no steadier); the pinned modes are wrkDirectorOwnCpu, wrkWireCpu, wrkOneCpu.',
      },
      ...pinned,
      downToApplied: {
        flips: FLIPS,
        ...modes,
        loadAverage1mAfter: loadAverage1m(),
        note: 'pool.send(event) until the transaction is applied (reducer + builder/diff + nft), alternating rs-down / rs-up of one server. sessionIncremental = the daemon default: only the difference from the last applied state (nft-diff.ts) through the long-lived nft -j -i; sessionFullRebuild = the anchor, every apply rewrites the whole table through the same coprocess (batches over 12 KB fall back to one-shot); oneShotNsenterIncremental = the fallback. medianBatchBytes = JSON size of the flip batches.',
      },
      history: previousResults(file),
    };
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await lab.destroy();
    await removeWorkDir(dir);
  }
}

main().catch((e: unknown) => { console.error(e); process.exitCode = 1; });
