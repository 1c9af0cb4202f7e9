/**
 * Load figure of the failover benchmark: one daemon with LOAD_INSTANCES (255) VRRP instances at
 * advert_int 1 (different VRIDs, one VIP each) as master on h1, alone on the link, for
 * LOAD_SECONDS (60): CPU as a percentage of one core (utime+stime from /proc/PID/stat over the
 * window) and RSS (/proc/PID/status VmRSS at the end); the same for keepalived (its VRRP child,
 * which does the work; the parent's figures beside it), and the RSS of a daemon with one
 * instance. The VIPs are IPv6 (2001:db8:ff::N/64, VRRPv3): 192.0.2.0/24 has too few free
 * addresses for 255 instances.
 */
import type { Lab, LabHost } from '../test/support/lab/index.js';
import { lastOutput, sampleProc, sleep, startDaemon, stopDaemon, USER_HZ, vrrpPid, type Daemon, type Impl, type InstanceSpec, type Scratch } from './failover-daemons.js';

const LOAD_SECONDS = Number(process.env['LOAD_SECONDS'] ?? 60);
const LOAD_INSTANCES = Number(process.env['LOAD_INSTANCES'] ?? 255);
const ONE_SECONDS = 10;
/** After the last transition: past keepalived's second GARP/NA burst (garp_master_delay 5 s). */
const SETTLE_MS = 7_000;

export interface DaemonLoad {
  readonly instances: number;
  readonly windowS: number;
  readonly mastersSeen: number;
  readonly vipsHeld: number;
  readonly cpuPercentOfCore: number;
  readonly rssKiB: number;
  /** keepalived only: its parent (supervisor) process. */
  readonly parent?: { readonly cpuPercentOfCore: number; readonly rssKiB: number };
}

export interface LoadFigures {
  readonly description: string;
  readonly 'keepalived-ts': { readonly many: DaemonLoad; readonly one: DaemonLoad; readonly rssKiBPerExtraInstance: number };
  readonly keepalived: { readonly many: DaemonLoad; readonly one: DaemonLoad; readonly rssKiBPerExtraInstance: number };
  readonly cpuRatioOursToKeepalived: number | null;
  readonly rssRatioOursToKeepalived: number | null;
}

function instances(count: number): InstanceSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `VI_${i + 1}`,
    vrid: i + 1,
    priority: 150,
    version: 3 as const,
    advertInt: '1',
    vips: [`2001:db8:ff::${(i + 1).toString(16)}/64`],
  }));
}

function masters(d: Daemon): number {
  return [...d.proc.stdoutLines, ...d.proc.stderrLines].filter((l) => /Entering MASTER STATE/.test(l)).length;
}

async function vipsHeld(h: LabHost): Promise<number> {
  return (await h.addresses()).filter((a) => a.startsWith('2001:db8:ff::')).length;
}

function cpuPercent(t0: ReturnType<typeof sampleProc>, t1: ReturnType<typeof sampleProc>): number {
  const cpuS = (t1.cpuTicks - t0.cpuTicks) / USER_HZ;
  const wallS = (t1.at - t0.at) / 1000;
  return Math.round((cpuS / wallS) * 10_000) / 100;
}

async function measure(lab: Lab, scratch: Scratch, impl: Impl, count: number, windowS: number): Promise<DaemonLoad> {
  const h1 = lab.host(1);
  const d = startDaemon(impl, h1, scratch, instances(count), `load-${impl}-${count}`);
  try {
    const deadline = performance.now() + 30_000;
    while (masters(d) < count && performance.now() < deadline && d.proc.running) await sleep(200);
    if (masters(d) < count) throw new Error(`${impl}: ${masters(d)}/${count} instances master after 30 s\n${lastOutput(d, 10)}`);
    await sleep(SETTLE_MS);
    const pid = await vrrpPid(d);
    const parentPid = impl === 'keepalived' ? d.proc.pid : undefined;
    const s0 = sampleProc(pid);
    const p0 = parentPid !== undefined ? sampleProc(parentPid) : undefined;
    await sleep(windowS * 1000);
    const s1 = sampleProc(pid);
    const p1 = parentPid !== undefined ? sampleProc(parentPid) : undefined;
    const held = await vipsHeld(h1);
    const base = { instances: count, windowS, mastersSeen: masters(d), vipsHeld: held, cpuPercentOfCore: cpuPercent(s0, s1), rssKiB: s1.rssKiB };
    const figures: DaemonLoad = p0 !== undefined && p1 !== undefined ? { ...base, parent: { cpuPercentOfCore: cpuPercent(p0, p1), rssKiB: p1.rssKiB } } : base;
    process.stderr.write(`load ${impl} x${count}: ${figures.cpuPercentOfCore}% of a core, RSS ${figures.rssKiB} KiB, ${held} VIPs held\n`);
    return figures;
  } finally {
    await stopDaemon(d, 10_000);
    await h1.ip(['-6', 'addr', 'flush', 'dev', 'eth0', 'scope', 'global']).catch(() => undefined);
    await h1.ip(['addr', 'add', `${h1.ipv6}/${h1.ipv6PrefixLength}`, 'dev', 'eth0', 'nodad']).catch(() => undefined);
  }
}

export async function measureLoad(lab: Lab, scratch: Scratch): Promise<LoadFigures> {
  const per = async (impl: Impl): Promise<LoadFigures['keepalived']> => {
    const one = await measure(lab, scratch, impl, 1, ONE_SECONDS);
    const many = await measure(lab, scratch, impl, LOAD_INSTANCES, LOAD_SECONDS);
    const extra = LOAD_INSTANCES > 1 ? Math.round(((many.rssKiB - one.rssKiB) / (LOAD_INSTANCES - 1)) * 10) / 10 : 0;
    return { many, one, rssKiBPerExtraInstance: extra };
  };
  const ours = await per('keepalived-ts');
  const theirs = await per('keepalived');
  const r = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 100) / 100 : null);
  return {
    description: `one daemon, ${LOAD_INSTANCES} VRRPv3 instances at advert_int 1 (VRIDs 1..${LOAD_INSTANCES}, one IPv6 VIP each) as master for ${LOAD_SECONDS} s (window starting ${SETTLE_MS / 1000} s after all became master); CPU % of one core from /proc/PID/stat, RSS from VmRSS; keepalived: its VRRP child (parent beside it); "one": the same daemon with 1 instance`,
    'keepalived-ts': ours,
    keepalived: theirs,
    cpuRatioOursToKeepalived: r(ours.many.cpuPercentOfCore, theirs.many.cpuPercentOfCore),
    rssRatioOursToKeepalived: r(ours.many.rssKiB, theirs.many.rssKiB),
  };
}
