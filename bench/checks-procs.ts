/**
 * Process helpers of `npm run bench:checks`: start a server we own, stop it by its PID, read its
 * CPU time from /proc, read nginx's request counter (stub_status). Loopback only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { BENCH_PORT, HEALTH_PATH } from './checks-targets.js';

export interface Tracked {
  readonly pid: number;
  readonly child: ChildProcess;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function spawnTracked(cmd: string, args: readonly string[]): Tracked {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (child.pid === undefined) throw new Error(`cannot start ${cmd}`);
  return { pid: child.pid, child };
}

/** SIGTERM by PID, SIGKILL after 2 s. */
export async function stopTracked(t: Tracked): Promise<void> {
  if (t.child.exitCode !== null || t.child.signalCode !== null) return;
  const exited = new Promise<void>((r) => t.child.once('exit', () => r()));
  process.kill(t.pid, 'SIGTERM');
  const killer = setTimeout(() => {
    try { process.kill(t.pid, 'SIGKILL'); } catch { /* gone */ }
  }, 2_000);
  await exited;
  clearTimeout(killer);
}

export interface CpuSample {
  /** utime + stime from /proc/PID/stat, in clock ticks. */
  readonly statTicks: number;
  readonly ticksPerSecond: number;
  /** Sum over threads of /proc/PID/task/TID/schedstat's first field (ns on CPU). */
  readonly schedNs: number;
}

let ticks: number | undefined;
function clockTicks(): number {
  ticks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return ticks;
}

export function cpuOf(pid: number): CpuSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // after "pid (comm) ", field 3 (state) is index 0: utime is field 14 -> index 11, stime 15 -> 12
  const statTicks = Number(fields[11]) + Number(fields[12]);
  let schedNs = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      schedNs += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // thread ended meanwhile
    }
  }
  return { statTicks, ticksPerSecond: clockTicks(), schedNs };
}

function get(host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port: BENCH_PORT, path, agent: false, timeout: 2_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export async function waitHttp(host: string, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    const ok = await get(host, HEALTH_PATH).then((r) => r.status === 200, () => false);
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`nginx did not answer on ${host}:${BENCH_PORT}`);
}

/** nginx's total request counter (includes this request). */
export async function nginxRequests(): Promise<number> {
  const r = await get('127.0.0.1', '/nginx_status');
  const m = /\n\s*\d+\s+\d+\s+(\d+)/.exec(r.body);
  if (!m?.[1]) throw new Error(`unexpected stub_status: ${r.body}`);
  return Number(m[1]);
}
