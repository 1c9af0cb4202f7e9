/**
 * Daemons of the failover benchmark: keepalived.conf text (one instance, or many for the load
 * figure), starting keepalived-ts or keepalived 2.2.7 in a lab host with their own pidfiles
 * (`-n -l -D -P -f CONF -p PID -r VRRP_PID`, as test/lab/vrrp-support.ts does), and reading CPU
 * time and RSS of a PID from /proc.
 */
import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LabHost, LabProcess } from '../test/support/lab/index.js';
import { Scratch as ScratchDir } from '../test/support/scratch-dir.js';

export const KEEPALIVED_TS_BIN = fileURLToPath(new URL('../../bin/keepalived-ts', import.meta.url));
export const KEEPALIVED_BIN = '/usr/sbin/keepalived';
const ROOT = dirname(dirname(KEEPALIVED_TS_BIN));
let tsBin = KEEPALIVED_TS_BIN;

/**
 * Copies the built daemon (bin/, dist/src/, the native addon, package.json) into `dir` and runs
 * it from there: the working tree is shared, and a rebuild by someone else during the bench must
 * not change (or break) the daemon being measured.
 */
export function snapshotKeepalivedTs(dir: string): void {
  tsBin = snapshotTree(dir, ROOT);
}

/**
 * Copies the built daemon of another tree (e.g. a build of main, the "before" of a comparison)
 * into `dir`; returns its launcher, for DaemonOptions.tsBin.
 */
export function snapshotTree(dir: string, from: string): string {
  for (const part of ['bin', join('dist', 'src'), join('native', 'build', 'Release'), 'package.json']) {
    cpSync(join(from, part), join(dir, part), { recursive: true });
  }
  return join(dir, 'bin', 'keepalived-ts');
}

export type Impl = 'keepalived-ts' | 'keepalived';

export interface InstanceSpec {
  readonly name: string;
  readonly vrid: number;
  readonly priority: number;
  readonly version: 2 | 3;
  /** advert_int as written in the config (seconds, e.g. "1", "0.1", "0.01"). */
  readonly advertInt: string;
  readonly vips: readonly string[];
  readonly state?: 'MASTER' | 'BACKUP';
}

export function confText(instances: readonly InstanceSpec[], globalDefs: readonly string[] = []): string {
  const lines = ['global_defs {', '  router_id bench', ...globalDefs.map((l) => `  ${l}`), '}'];
  for (const i of instances) {
    lines.push(
      `vrrp_instance ${i.name} {`,
      `  state ${i.state ?? 'BACKUP'}`,
      '  interface eth0',
      `  virtual_router_id ${i.vrid}`,
      `  priority ${i.priority}`,
      `  advert_int ${i.advertInt}`,
      `  version ${i.version}`,
      '  virtual_ipaddress {',
      ...i.vips.map((v) => `    ${v}`),
      '  }',
      '}',
    );
  }
  lines.push('');
  return lines.join('\n');
}

/** A scratch directory for configs and pidfiles, removed by `cleanup`. */
export class Scratch extends ScratchDir {
  constructor() {
    super('kts-bench-failover-');
  }
}

export interface Daemon {
  readonly impl: Impl;
  readonly proc: LabProcess;
  /** The file where the VRRP process writes its PID (keepalived: the VRRP child). */
  readonly vrrpPidFile: string;
}

export interface DaemonOptions {
  /** Run pinned to these CPUs (`taskset -c LIST`, which execs the daemon: the PID stays its own). */
  readonly cpus?: string;
  /** Extra global_defs lines (e.g. `vrrp_rt_priority 50`). */
  readonly globalDefs?: readonly string[];
  /** keepalived-ts only: the launcher to run (default: the snapshot of this tree). */
  readonly tsBin?: string;
}

export function startDaemon(impl: Impl, host: LabHost, scratch: Scratch, instances: readonly InstanceSpec[], tag: string, options: DaemonOptions = {}): Daemon {
  const conf = scratch.file(`${tag}.conf`, confText(instances, options.globalDefs));
  const vrrpPidFile = scratch.path(`${tag}-vrrp.pid`);
  rmSync(vrrpPidFile, { force: true });
  const args = ['-n', '-l', '-D', '-P', '-f', conf, '-p', scratch.path(`${tag}.pid`), '-r', vrrpPidFile];
  const [cmd, cmdArgs] = impl === 'keepalived-ts' ? [process.execPath, [options.tsBin ?? tsBin, '-G', ...args]] : [KEEPALIVED_BIN, args];
  const env = impl === 'keepalived-ts' ? { TMPDIR: scratch.dir } : undefined;
  const proc = options.cpus === undefined ? host.spawn(cmd, cmdArgs, env) : host.spawn('taskset', ['-c', options.cpus, cmd, ...cmdArgs], env);
  return { impl, proc, vrrpPidFile };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for a log line; the error carries the daemon's last output. */
export async function waitLog(d: Daemon, pattern: RegExp, timeoutMs: number): Promise<string> {
  try {
    return await d.proc.waitForLine(pattern, timeoutMs);
  } catch {
    throw new Error(`${d.impl}: no line ${String(pattern)} within ${timeoutMs} ms\n${lastOutput(d, 15)}`);
  }
}

export function lastOutput(d: Daemon, lines: number): string {
  return [...d.proc.stdoutLines, ...d.proc.stderrLines].slice(-lines).join('\n');
}

/** Every log line of the daemon matching `pattern` (e.g. warnings about a setting). */
export function logLines(d: Daemon, pattern: RegExp): string[] {
  return [...d.proc.stdoutLines, ...d.proc.stderrLines].filter((l) => pattern.test(l));
}

export async function holdsAddress(host: LabHost, address: string): Promise<boolean> {
  return (await host.addresses()).some((a) => a.split('/')[0] === address);
}

export async function waitAddress(host: LabHost, address: string, wanted: boolean, timeoutMs: number): Promise<void> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if ((await holdsAddress(host, address)) === wanted) return;
    await sleep(20);
  }
  throw new Error(`host ${host.index}: ${address} ${wanted ? 'never appeared' : 'never left'} within ${timeoutMs} ms`);
}

/** SIGTERM, wait up to graceMs, then SIGKILL (LabProcess.stop, by PID/PGID). */
export async function stopDaemon(d: Daemon, graceMs = 5_000): Promise<void> {
  await d.proc.stop(graceMs);
}

/** The PID of the process doing VRRP: keepalived's VRRP child, our daemon itself. */
export async function vrrpPid(d: Daemon, timeoutMs = 5_000): Promise<number> {
  if (d.impl === 'keepalived-ts') return d.proc.pid;
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    try {
      const pid = Number(readFileSync(d.vrrpPidFile, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0) return pid;
    } catch {
      // not written yet
    }
    await sleep(50);
  }
  throw new Error(`${d.impl}: no VRRP pid in ${d.vrrpPidFile}`);
}

export interface ProcSample {
  /** utime + stime in clock ticks (USER_HZ = 100 on Linux). */
  readonly cpuTicks: number;
  readonly rssKiB: number;
  readonly at: number;
}

export const USER_HZ = 100;

/** utime+stime (clock ticks) of each thread of `pid`, by thread name (threads of one name summed). */
export function sampleThreads(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(name, (out.get(name) ?? 0) + Number(fields[11]) + Number(fields[12]));
    } catch {
      // the thread ended
    }
  }
  return out;
}

export function sampleProc(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return { cpuTicks, rssKiB: Number(rss?.[1] ?? NaN), at: performance.now() };
}
