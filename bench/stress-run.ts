/**
 * One run of the stress benchmark (bench/stress.bench.ts) for one implementation: h1 (priority
 * 150) master and h2 (priority 100) backup at a short advert_int, each daemon pinned to its own
 * CPU; after a quiet baseline, one CPU-bound busy loop per daemon CPU (same nice level, pinned to
 * the same CPU) runs for the stress window. tcpdump on h3 records every advert with the kernel's
 * receive timestamp (not disturbed by user-space scheduling). Counted:
 *   - transitions from the daemons' logs after the steady state: the backup entering MASTER, the
 *     master entering BACKUP or FAULT (every one is spurious: nothing else happens in the lab);
 *   - adverts on the wire: the master's gaps (max, percentiles, how many beyond 2 intervals and
 *     beyond the backup's Master_Down_Interval), any advert from the backup (it was master);
 *   - CPU of the daemons (keepalived: its VRRP child) and of the busy loops, load average.
 */
import { readFileSync } from 'node:fs';
import type { Lab, LabHost, LabProcess } from '../test/support/lab/index.js';
import { lastOutput, sampleProc, sampleThreads, sleep, startDaemon, stopDaemon, USER_HZ, vrrpPid, waitLog, type Daemon, type DaemonOptions, type Impl, type InstanceSpec, type ProcSample, type Scratch } from './failover-daemons.js';
import { loadAverages } from './failover-meta.js';

export const VIP = '192.0.2.100';

export interface StressSetting {
  readonly advertInt: string;
  readonly durationS: number;
  readonly baselineS: number;
  /** CPU of the master's daemon and of the backup's (a busy loop runs on each). */
  readonly masterCpu: number;
  readonly backupCpu: number;
  readonly hogsPerCpu: number;
  /** Extra global_defs lines for both daemons (e.g. scheduling keywords); [] = defaults. */
  readonly globalDefs: readonly string[];
  /** keepalived-ts only: the launcher to run (a snapshot of another build, e.g. "before"). */
  readonly tsBin?: string;
}

export interface GapFigures {
  readonly adverts: number;
  readonly maxGapMs: number | null;
  readonly p99GapMs: number | null;
  readonly p999GapMs: number | null;
  readonly meanGapMs: number | null;
  readonly gapsOver2Intervals: number;
  readonly gapsOverMasterDown: number;
}

export interface StressFigures {
  readonly impl: Impl;
  /** The implementation as reported (e.g. "keepalived-ts (before)" for another build). */
  readonly label: string;
  readonly globalDefs: readonly string[];
  readonly stressWindowS: number;
  readonly spuriousTransitions: number;
  readonly transitions: {
    readonly backupEnteredMaster: number;
    readonly masterLeftMaster: number;
    readonly lines: readonly string[];
  };
  readonly wire: {
    readonly masterDownIntervalMs: number;
    readonly baseline: GapFigures;
    readonly stress: GapFigures;
    /** Adverts the backup sent during the run (it only sends as master). */
    readonly backupAdverts: number;
    readonly captureDropped: string;
  };
  readonly cpuPercentOfCore: { readonly master: number; readonly backup: number; readonly busyLoops: readonly number[] };
  /**
   * CPU (utime+stime) of the stress window divided by the master's adverts on the wire in it: per
   * advert sent (master) and per advert received (backup).
   */
  readonly cpuUsPerAdvert: { readonly master: number | null; readonly backup: number | null };
  /** CPU % of one core of each thread (by name, same names summed) over the window. */
  readonly threadsCpuPercent: { readonly master: Readonly<Record<string, number>>; readonly backup: Readonly<Record<string, number>> };
  readonly loadAverage1m5m15m: { readonly atStart: readonly number[]; readonly atEnd: readonly number[] };
  /** Policy and real-time priority of each daemon's VRRP process (main thread) at the end of the stress window. */
  readonly schedulingAtEnd: { readonly master: string; readonly backup: string };
  /** Lines about late timers / scheduling the daemons logged (first few, and how many; max_auto_priority: 'A thread timer expired', 'Set realtime priority N'). */
  readonly lateTimerLines: { readonly count: number; readonly first: readonly string[] };
}

const MASTER = /\(VI_1\) Entering MASTER STATE/;
const BACKUP = /\(VI_1\) Entering BACKUP STATE/;
const LEFT_MASTER = /\(VI_1\) Entering (BACKUP|FAULT) STATE/;
const LATE = /late|expired|overrun|behind|realtime priority/i;
/** `1764091234.567890 IP 192.0.2.1 > 224.0.0.18: VRRPv3, Advertisement, vrid 51, prio 150, ...` */
const TCPDUMP_LINE = /^(\d+\.\d+) IP (\S+) > \S+: VRRPv\d, Advertisement, vrid \d+, prio (\d+)/;

interface Advert {
  readonly at: number;
  readonly source: string;
  readonly priority: number;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN);
}

export function gapFigures(times: readonly number[], intervalMs: number, masterDownMs: number): GapFigures {
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) gaps.push((times[i] ?? 0) - (times[i - 1] ?? 0));
  const sorted = [...gaps].sort((a, b) => a - b);
  return {
    adverts: times.length,
    maxGapMs: sorted.length === 0 ? null : round(sorted[sorted.length - 1] ?? NaN),
    p99GapMs: percentile(sorted, 0.99),
    p999GapMs: percentile(sorted, 0.999),
    meanGapMs: gaps.length === 0 ? null : round(gaps.reduce((a, b) => a + b, 0) / gaps.length),
    gapsOver2Intervals: gaps.filter((g) => g > 2 * intervalMs).length,
    gapsOverMasterDown: gaps.filter((g) => g > masterDownMs).length,
  };
}

export function parseAdverts(lines: readonly string[]): Advert[] {
  const out: Advert[] = [];
  for (const line of lines) {
    const m = TCPDUMP_LINE.exec(line);
    if (m !== null) out.push({ at: Number(m[1]) * 1000, source: m[2] ?? '', priority: Number(m[3]) });
  }
  return out;
}

/** keepalived's Master_Down_Interval of the backup (v3: 3 x interval + (256 - prio) x interval / 256). */
export function masterDownMs(advertIntS: number, backupPriority: number): number {
  const intervalMs = advertIntS * 1000;
  return 3 * intervalMs + ((256 - backupPriority) * intervalMs) / 256;
}

function spec(s: StressSetting, priority: number): InstanceSpec {
  return { name: 'VI_1', vrid: 51, priority, version: 3, advertInt: s.advertInt, vips: [`${VIP}/24`] };
}

function linesSince(d: Daemon, mark: { out: number; err: number }): string[] {
  return [...d.proc.stdoutLines.slice(mark.out), ...d.proc.stderrLines.slice(mark.err)];
}

function markOf(d: Daemon): { out: number; err: number } {
  return { out: d.proc.stdoutLines.length, err: d.proc.stderrLines.length };
}

function cpuPercent(t0: ProcSample, t1: ProcSample): number {
  return round(((t1.cpuTicks - t0.cpuTicks) / USER_HZ / ((t1.at - t0.at) / 1000)) * 100);
}

/** "SCHED_OTHER" or "SCHED_RR 3" from /proc/PID/stat (policy field 41, rt_priority 40). */
function schedulingOf(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const policy = Number(fields[38]);
    const names: Record<number, string> = { 0: 'SCHED_OTHER', 1: 'SCHED_FIFO', 2: 'SCHED_RR' };
    return policy === 0 ? 'SCHED_OTHER' : `${names[policy] ?? `policy ${policy}`} ${fields[37]}`;
  } catch {
    return 'unknown';
  }
}

function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

async function startCapture(h: LabHost): Promise<LabProcess> {
  // -tt: epoch timestamps from the kernel; -B: a big buffer, so a starved tcpdump loses nothing
  const p = h.spawn('tcpdump', ['-i', 'eth0', '-n', '-tt', '-l', '--immediate-mode', '-B', '16384', 'ip proto 112']);
  await p.waitForLine(/listening on/, 10_000, 'stderr');
  return p;
}

function startBusyLoops(h: LabHost, cpus: readonly number[], perCpu: number): LabProcess[] {
  const out: LabProcess[] = [];
  for (const cpu of cpus) {
    for (let i = 0; i < perCpu; i++) out.push(h.spawn('taskset', ['-c', String(cpu), 'sh', '-c', 'while :; do :; done']));
  }
  return out;
}

function perAdvertUs(t0: ProcSample, t1: ProcSample, adverts: number): number | null {
  return adverts > 0 ? round((((t1.cpuTicks - t0.cpuTicks) / USER_HZ) * 1e6) / adverts) : null;
}

function threadPercents(t0: Map<string, number>, t1: Map<string, number>, windowS: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, ticks] of t1) {
    const pct = round((((ticks - (t0.get(name) ?? 0)) / USER_HZ) / windowS) * 100);
    if (pct > 0) out[name] = pct;
  }
  return out;
}

export async function stressRun(lab: Lab, scratch: Scratch, impl: Impl, s: StressSetting, label: string = impl): Promise<StressFigures> {
  const [h1, h2, h3] = [lab.host(1), lab.host(2), lab.host(3)];
  const intervalMs = Number(s.advertInt) * 1000;
  const downMs = masterDownMs(Number(s.advertInt), 100);
  const capture = await startCapture(h3);
  const daemons: Daemon[] = [];
  let hogs: LabProcess[] = [];
  try {
    const tag = `stress-${label.replace(/[^a-z0-9-]+/gi, '_')}`;
    const opts = (cpu: number): DaemonOptions => ({ cpus: String(cpu), globalDefs: s.globalDefs, ...(s.tsBin !== undefined ? { tsBin: s.tsBin } : {}) });
    const a = startDaemon(impl, h1, scratch, [spec(s, 150)], `${tag}-h1`, opts(s.masterCpu));
    daemons.push(a);
    await waitLog(a, MASTER, 10_000);
    const b = startDaemon(impl, h2, scratch, [spec(s, 100)], `${tag}-h2`, opts(s.backupCpu));
    daemons.push(b);
    await waitLog(b, BACKUP, 10_000);
    await sleep(1_000);
    const marks = [markOf(a), markOf(b)] as const;
    const baselineFrom = epochMs();
    await sleep(s.baselineS * 1000);
    const pids = [await vrrpPid(a), await vrrpPid(b)] as const;
    const loadAtStart = loadAverages();
    const stressFrom = epochMs();
    const t0 = pids.map((p) => sampleProc(p));
    const th0 = pids.map((p) => sampleThreads(p));
    hogs = startBusyLoops(h3, [...new Set([s.masterCpu, s.backupCpu])], s.hogsPerCpu);
    await sleep(200);
    const h0 = hogs.map((h) => sampleProc(h.pid));
    const steps = Math.max(1, Math.ceil(s.durationS / 30));
    for (let i = 0; i < steps; i++) {
      await sleep((s.durationS * 1000) / steps);
      const seen = linesSince(b, marks[1]).filter((l) => MASTER.test(l)).length + linesSince(a, marks[0]).filter((l) => LEFT_MASTER.test(l)).length;
      process.stderr.write(`${label}: ${Math.round(((i + 1) * s.durationS) / steps)} s of ${s.durationS} s under load, ${seen} transition(s)\n`);
      if (!a.proc.running || !b.proc.running) {
        const status = async (d: Daemon): Promise<string> => (d.proc.running ? 'running' : JSON.stringify(await d.proc.exited));
        throw new Error(`${impl}: a daemon exited under load (master ${await status(a)}, backup ${await status(b)})\n${lastOutput(a, 10)}\n${lastOutput(b, 10)}`);
      }
    }
    const t1 = pids.map((p) => sampleProc(p));
    const schedulingAtEnd = { master: schedulingOf(pids[0]), backup: schedulingOf(pids[1]) };
    const th1 = pids.map((p) => sampleThreads(p));
    const h1s = hogs.map((h) => sampleProc(h.pid));
    const stressTo = epochMs();
    const loadAtEnd = loadAverages();
    await Promise.all(hogs.map((h) => h.stop(1_000)));
    hogs = [];
    await sleep(500);
    const aLines = linesSince(a, marks[0]);
    const bLines = linesSince(b, marks[1]);
    const backupEnteredMaster = bLines.filter((l) => MASTER.test(l)).length;
    const masterLeftMaster = aLines.filter((l) => LEFT_MASTER.test(l)).length;
    const late = [...aLines, ...bLines].filter((l) => LATE.test(l));
    await Promise.allSettled(daemons.map((d) => stopDaemon(d)));
    await sleep(200);
    await capture.stop(3_000);
    const adverts = parseAdverts(capture.stdoutLines);
    const fromMaster = (from: number, to: number): number[] => adverts.filter((x) => x.source === h1.ipv4 && x.priority > 0 && x.at >= from && x.at <= to).map((x) => x.at);
    const backupAdverts = adverts.filter((x) => x.source === h2.ipv4 && x.at >= baselineFrom && x.at <= stressTo).length;
    const dropped = capture.stderrLines.find((l) => /dropped by kernel/.test(l))?.trim() ?? 'unknown';
    const stressAdverts = fromMaster(stressFrom, stressTo).length;
    const windowS = (stressTo - stressFrom) / 1000;
    return {
      impl,
      label,
      globalDefs: s.globalDefs,
      stressWindowS: round((stressTo - stressFrom) / 1000),
      spuriousTransitions: backupEnteredMaster + masterLeftMaster,
      transitions: {
        backupEnteredMaster,
        masterLeftMaster,
        lines: [...aLines.filter((l) => LEFT_MASTER.test(l) || MASTER.test(l)).map((l) => `h1 ${l}`), ...bLines.filter((l) => MASTER.test(l) || BACKUP.test(l)).map((l) => `h2 ${l}`)].slice(0, 20),
      },
      wire: {
        masterDownIntervalMs: round(downMs),
        baseline: gapFigures(fromMaster(baselineFrom, stressFrom), intervalMs, downMs),
        stress: gapFigures(fromMaster(stressFrom, stressTo), intervalMs, downMs),
        backupAdverts,
        captureDropped: dropped,
      },
      cpuPercentOfCore: {
        master: cpuPercent(t0[0] as ProcSample, t1[0] as ProcSample),
        backup: cpuPercent(t0[1] as ProcSample, t1[1] as ProcSample),
        busyLoops: h0.map((x, i) => cpuPercent(x, h1s[i] as ProcSample)),
      },
      cpuUsPerAdvert: {
        master: perAdvertUs(t0[0] as ProcSample, t1[0] as ProcSample, stressAdverts),
        backup: perAdvertUs(t0[1] as ProcSample, t1[1] as ProcSample, stressAdverts),
      },
      threadsCpuPercent: {
        master: threadPercents(th0[0] ?? new Map(), th1[0] ?? new Map(), windowS),
        backup: threadPercents(th0[1] ?? new Map(), th1[1] ?? new Map(), windowS),
      },
      loadAverage1m5m15m: { atStart: loadAtStart, atEnd: loadAtEnd },
      schedulingAtEnd,
      lateTimerLines: { count: late.length, first: late.slice(0, 5) },
    };
  } finally {
    await Promise.allSettled(hogs.map((h) => h.stop(1_000)));
    await Promise.allSettled(daemons.map((d) => stopDaemon(d)));
    if (capture.running) await capture.stop(1_000);
    for (const h of [h1, h2]) {
      if ((await h.addresses().catch(() => [])).some((x) => x.startsWith(`${VIP}/`))) await h.ip(['addr', 'del', `${VIP}/24`, 'dev', 'eth0']).catch(() => undefined);
    }
  }
}
