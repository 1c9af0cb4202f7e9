/**
 * bench:pool, throughput part: the same wrk load (threads, connections, duration) against the
 * same N nginx real servers along each path, in the same run, interleaved over rounds (each
 * round sets its path up, then runs wrk):
 *   direct     — client-side round robin: wrk thread i connects to real server i (a wrk script's
 *                setup() sets each thread's address), no director in the path;
 *   routed     — the same client-side round robin, but client and real servers route each other
 *                via the director, which plainly forwards (no nftables table, so no conntrack):
 *                the cost of the extra hop alone;
 *   viaVip     — through the director's VIP, LVS-NAT as the daemon deploys it (lb_kind NAT): DNAT
 *                only, the real servers route the client back via the director;
 *   viaVipMasq — through the VIP with DNAT + masquerade (the real servers reply to the director
 *                without any route: the flat topology of the nftables lab tests);
 *   viaVipDr   — through the VIP with lb_kind DR: the director's netdev ingress chain forwards
 *                the client's packets to a real server's MAC (layer 2, no IP stack, no conntrack;
 *                not counted in IpForwDatagrams), the replies go straight to the client;
 *   haproxy    — through HAProxy (mode tcp, roundrobin) in the director namespace: the user-space
 *                anchor.
 * Per path, the director's forwarded packets per request (IpForwDatagrams) are recorded too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runOk, type LabHost } from '../test/support/lab/index.js';

export const HAPROXY_PORT = 8080;

export interface WrkFigures {
  readonly requestsPerSec: number;
  readonly latencyAvg: string;
  readonly latencyP50: string;
  readonly latencyP99: string;
  readonly errors: string;
}

export interface WrkLoad { readonly threads: number; readonly connections: number; readonly durationS: number }

/** wrkCpu: run wrk pinned to that CPU (taskset). */
export async function wrk(client: LabHost, url: string, load: WrkLoad, script?: string, wrkCpu?: number): Promise<WrkFigures & { cpuTicks: number }> {
  const args = [`-t${load.threads}`, `-c${load.connections}`, `-d${load.durationS}s`, '--latency', ...(script !== undefined ? ['-s', script] : []), url];
  const pin = wrkCpu !== undefined ? `taskset -c ${wrkCpu} ` : '';
  // The shell reaps wrk, then prints its own stat line: cutime + cstime = wrk's CPU.
  const r = await client.execOk('sh', ['-c', `${pin}wrk "$@" && cat /proc/$$/stat`, 'sh', ...args], { timeoutMs: (load.durationS + 20) * 1000 });
  const pct = (p: string): string => new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(r.stdout)?.[1] ?? '?';
  const stat = r.stdout.trim().split('\n').pop() ?? '';
  return {
    requestsPerSec: Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? 0),
    latencyAvg: /Latency\s+(\S+)/.exec(r.stdout)?.[1] ?? '?',
    latencyP50: pct('50'),
    latencyP99: pct('99'),
    errors: /Socket errors:.*|Non-2xx.*/.exec(r.stdout)?.[0] ?? 'none',
    cpuTicks: statTicks(stat, 13) + statTicks(stat, 14),
  };
}

/** Field `i` (0-based, counted after the `(comm)` field: 0 = state) of a /proc/PID/stat line. */
function statTicks(line: string, i: number): number {
  return Number(line.slice(line.lastIndexOf(')') + 2).split(' ')[i] ?? 0);
}

/** utime + stime (clock ticks) of every process now in the hosts' namespaces (nginx, HAProxy). */
export async function namespaceCpuTicks(hosts: readonly LabHost[]): Promise<number> {
  let ticks = 0;
  for (const h of hosts) {
    const pids = (await runOk('ip', ['netns', 'pids', h.namespace])).stdout.split('\n').filter((l) => l.trim() !== '');
    for (const pid of pids) {
      try {
        const line = readFileSync(`/proc/${pid.trim()}/stat`, 'utf8');
        ticks += statTicks(line, 11) + statTicks(line, 12);
      } catch {
        // exited meanwhile
      }
    }
  }
  return ticks;
}

/** utime + stime of the ksoftirqd threads (softirq work deferred there; shared with the host). */
export function ksoftirqdTicks(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (line.includes('(ksoftirqd/')) ticks += statTicks(line, 11) + statTicks(line, 12);
    } catch {
      // exited meanwhile
    }
  }
  return ticks;
}

/** Per CPU (host-wide, /proc/stat): busy ticks (all but idle and iowait) and softirq ticks. */
export function perCpuTicks(): { busy: number; softirq: number }[] {
  return readFileSync('/proc/stat', 'utf8').split('\n').filter((l) => /^cpu\d+ /.test(l)).map((l) => {
    const [user, nice, system, , , irq, softirq, steal] = l.split(/\s+/).slice(1).map(Number);
    const v = (x: number | undefined): number => x ?? 0;
    return { busy: v(user) + v(nice) + v(system) + v(irq) + v(softirq) + v(steal), softirq: v(softirq) };
  });
}

/** NET_RX softirq runs per CPU (host-wide, /proc/softirqs). */
export function netRxPerCpu(): number[] {
  const line = readFileSync('/proc/softirqs', 'utf8').split('\n').find((l) => l.trim().startsWith('NET_RX:')) ?? '';
  return line.trim().split(/\s+/).slice(1).map(Number);
}

/** A wrk script whose threads connect round robin to `addresses` (port 80). */
export async function roundRobinScript(dir: string, addresses: readonly string[]): Promise<string> {
  const file = join(dir, 'wrk-rr.lua');
  const list = addresses.map((a) => `"${a}"`).join(', ');
  await writeFile(file, `-- keepalived-ts bench: thread i -> real server i
local hosts = { ${list} }
local n = 0
function setup(thread)
  n = n + 1
  local host = hosts[((n - 1) % #hosts) + 1]
  thread.addr = wrk.lookup(host, "80")[1]
end
`, { mode: 0o644 });
  return file;
}

/** HAProxy in the director namespace, VIP:HAPROXY_PORT -> the real servers, round robin. */
export async function startHaproxy(director: LabHost, dir: string, vip: string, servers: readonly string[]): Promise<void> {
  const file = join(dir, 'haproxy.cfg');
  await writeFile(file, `global
  maxconn 4096
defaults
  mode tcp
  timeout connect 2s
  timeout client 30s
  timeout server 30s
frontend vip
  bind ${vip}:${HAPROXY_PORT}
  default_backend real
backend real
  balance roundrobin
${servers.map((s, i) => `  server rs${i} ${s}:80\n`).join('')}`, { mode: 0o644 });
  director.spawn('haproxy', ['-db', '-f', file]);
  for (let i = 0; i < 50; i++) {
    const r = await director.exec('curl', ['-s', '-m', '1', `http://${vip}:${HAPROXY_PORT}/`]);
    if (r.exitCode === 0 && r.stdout.trim() !== '') return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('haproxy did not come up');
}

/** One way from the client to the real servers; `prepare` sets the lab up for it. */
export interface ThroughputPath {
  readonly name: string;
  readonly url: string;
  /** true: wrk's threads go round robin straight to the real servers (client-side). */
  readonly clientRoundRobin?: boolean;
  readonly prepare: () => Promise<void>;
}

export interface PathRound extends WrkFigures {
  /** Packets the director forwarded per request during the run (IpForwDatagrams delta). */
  readonly directorForwardedPerRequest: number;
  /**
   * CPU microseconds per request of wrk + every process of the director and real-server
   * namespaces (nginx, HAProxy): the packets' softirq work (veth, bridge, forwarding, conntrack,
   * NAT) runs in the sender's context, so it is in there; others' load barely moves it.
   */
  readonly cpuUsPerRequest: number;
  /** ksoftirqd time per request over the run (host-wide: also others' softirqs). */
  readonly ksoftirqdUsPerRequest: number;
  /** Per CPU, busy time per request over the run (host-wide /proc/stat: also others' load). */
  readonly perCpuBusyUsPerRequest: number[];
  /** Per CPU, softirq time per request over the run (host-wide). */
  readonly perCpuSoftirqUsPerRequest: number[];
  /** Per CPU, NET_RX softirq runs per request (host-wide). */
  readonly perCpuNetRxPerRequest: number[];
}

export interface ThroughputOptions {
  /** Pin wrk to this CPU (the director-own-CPU mode). */
  readonly wrkCpu?: number;
}

/** The director's IpForwDatagrams counter (/proc/net/snmp of its namespace). */
export async function forwardedPackets(director: LabHost): Promise<number> {
  const r = await director.execOk('cat', ['/proc/net/snmp']);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('Ip: '));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  return Number(values[names.indexOf('ForwDatagrams')] ?? 0);
}

function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0] ?? 0);
}

function medianOf(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
}

/** Clock ticks of /proc/PID/stat (USER_HZ, 100 on Linux). */
const TICK_US = 10_000;

/** Rounds over every path, interleaved; cpuHosts: the namespaces whose processes serve (not the client). */
export async function throughput(client: LabHost, director: LabHost, cpuHosts: readonly LabHost[], paths: readonly ThroughputPath[], servers: readonly string[], dir: string, load: WrkLoad, rounds: number, options: ThroughputOptions = {}): Promise<Record<string, unknown>> {
  const script = await roundRobinScript(dir, servers);
  const all: Record<string, PathRound>[] = [];
  const loadBefore = loadAverage();
  for (let i = 0; i < rounds; i++) {
    const round: Record<string, PathRound> = {};
    for (const p of paths) {
      await p.prepare();
      const f0 = await forwardedPackets(director);
      const c0 = await namespaceCpuTicks(cpuHosts);
      const k0 = ksoftirqdTicks();
      const s0 = perCpuTicks();
      const n0 = netRxPerCpu();
      const { cpuTicks, ...figures } = await wrk(client, p.url, load, p.clientRoundRobin === true ? script : undefined, options.wrkCpu);
      const s1 = perCpuTicks();
      const n1 = netRxPerCpu();
      const k1 = ksoftirqdTicks();
      const c1 = await namespaceCpuTicks(cpuHosts);
      const forwarded = (await forwardedPackets(director)) - f0;
      const requests = Math.max(1, figures.requestsPerSec * load.durationS);
      round[p.name] = {
        ...figures,
        directorForwardedPerRequest: Number((forwarded / requests).toFixed(2)),
        cpuUsPerRequest: Number(((cpuTicks + c1 - c0) * TICK_US / requests).toFixed(2)),
        ksoftirqdUsPerRequest: Number(((k1 - k0) * TICK_US / requests).toFixed(2)),
        perCpuBusyUsPerRequest: s1.map((c, j) => Number(((c.busy - (s0[j]?.busy ?? 0)) * TICK_US / requests).toFixed(2))),
        perCpuSoftirqUsPerRequest: s1.map((c, j) => Number(((c.softirq - (s0[j]?.softirq ?? 0)) * TICK_US / requests).toFixed(2))),
        perCpuNetRxPerRequest: n1.map((c, j) => Number(((c - (n0[j] ?? 0)) / requests).toFixed(3))),
      };
    }
    all.push(round);
  }
  const medianRps: Record<string, number> = {};
  for (const p of paths) medianRps[p.name] = medianOf(all.map((r) => r[p.name]?.requestsPerSec ?? 0));
  const medianCpuUsPerRequest: Record<string, number> = {};
  for (const p of paths) medianCpuUsPerRequest[p.name] = medianOf(all.map((r) => r[p.name]?.cpuUsPerRequest ?? 0));
  const perCpu = (key: 'perCpuBusyUsPerRequest' | 'perCpuSoftirqUsPerRequest' | 'perCpuNetRxPerRequest'): Record<string, number[]> => {
    const out: Record<string, number[]> = {};
    for (const p of paths) {
      const cpus = all[0]?.[p.name]?.[key].length ?? 0;
      out[p.name] = Array.from({ length: cpus }, (_, j) => medianOf(all.map((r) => r[p.name]?.[key][j] ?? 0)));
    }
    return out;
  };
  const cpuRatio = (a: string, b: string): number => Number(((medianCpuUsPerRequest[b] ?? 0) / Math.max(0.01, medianCpuUsPerRequest[a] ?? 0)).toFixed(3));
  const ratio = (a: string, b: string): number => Number(((medianRps[a] ?? 0) / Math.max(1, medianRps[b] ?? 0)).toFixed(3));
  /** Per-round ratios (same round = same background load), and their median. */
  const roundRatio = (a: string, b: string): { median: number; rounds: number[] } => {
    const xs = all.map((r) => Number(((r[a]?.requestsPerSec ?? 0) / Math.max(1, r[b]?.requestsPerSec ?? 0)).toFixed(3)));
    return { median: medianOf(xs), rounds: xs };
  };
  return {
    args: `-t${load.threads} -c${load.connections} -d${load.durationS}s --latency (every path)`,
    realServers: servers,
    rounds: rounds,
    loadAverage1m: { before: loadBefore, after: loadAverage() },
    medianRps,
    ratios: {
      viaVipOverDirect: ratio('viaVip', 'direct'),
      viaVipOverRouted: ratio('viaVip', 'routed'),
      routedOverDirect: ratio('routed', 'direct'),
      viaVipMasqOverDirect: ratio('viaVipMasq', 'direct'),
      viaVipMasqOverRouted: ratio('viaVipMasq', 'routed'),
      viaVipDrOverDirect: ratio('viaVipDr', 'direct'),
      haproxyOverDirect: ratio('haproxy', 'direct'),
      viaVipOverHaproxy: ratio('viaVip', 'haproxy'),
    },
    medianCpuUsPerRequest,
    /** b's CPU per request over a's: the rps ratio a CPU-bound box would give, free of others' load. */
    cpuRatios: {
      viaVipOverDirect: cpuRatio('viaVip', 'direct'),
      viaVipOverRouted: cpuRatio('viaVip', 'routed'),
      routedOverDirect: cpuRatio('routed', 'direct'),
      viaVipMasqOverDirect: cpuRatio('viaVipMasq', 'direct'),
      viaVipDrOverDirect: cpuRatio('viaVipDr', 'direct'),
      haproxyOverDirect: cpuRatio('haproxy', 'direct'),
      ...(medianRps['viaVipLiberal'] !== undefined ? { viaVipLiberalOverViaVip: cpuRatio('viaVipLiberal', 'viaVip') } : {}),
    },
    /** Host-wide per-CPU figures (medians over rounds; include whatever else the host ran). */
    medianPerCpuBusyUsPerRequest: perCpu('perCpuBusyUsPerRequest'),
    medianPerCpuSoftirqUsPerRequest: perCpu('perCpuSoftirqUsPerRequest'),
    medianPerCpuNetRxPerRequest: perCpu('perCpuNetRxPerRequest'),
    perRoundRatios: {
      viaVipOverDirect: roundRatio('viaVip', 'direct'),
      viaVipOverRouted: roundRatio('viaVip', 'routed'),
      routedOverDirect: roundRatio('routed', 'direct'),
      viaVipDrOverDirect: roundRatio('viaVipDr', 'direct'),
      ...(medianRps['viaVipLiberal'] !== undefined ? { viaVipLiberalOverViaVip: roundRatio('viaVipLiberal', 'viaVip') } : {}),
    },
    perRound: all,
  };
}
