/**
 * npm run bench:checks — CPU per health check and the largest number of real servers one core
 * keeps on schedule, keepalived-ts against HAProxy's checker (the anchor) in the same run.
 *
 * Everything runs in a network namespace created here (loopback only; deleted also on failure):
 * nginx answers on every 127/8 address; real servers are 127.0.x.y:8080. HTTP_GET with digest at
 * delay_loop 1 for us; `option httpchk` + `http-check expect string` at `inter 1s` for HAProxy
 * (nbthread 1). Our CPU: process.cpuUsage in the checker process; HAProxy's: /proc/PID/stat
 * (utime+stime) and /proc/PID/task/* /schedstat (ns) over the same-length window.
 * Writes bench/results/checks.json. Stops by itself in about two minutes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild } from './checks-child.js';
import { haproxyConfigText, HEALTH_BODY, nginxConfigText } from './checks-targets.js';
import { cpuOf, nginxRequests, sleep, spawnTracked, stopTracked, waitHttp, type Tracked } from './checks-procs.js';

const SELF = fileURLToPath(import.meta.url);
const RESULTS = join(dirname(SELF), '..', '..', 'bench', 'results', 'checks.json');
const COMPARE_SIZES = (process.env['KTS_BENCH_SIZES'] ?? '2000,10000').split(',').map(Number);
const LADDER = [15_000, 20_000];
const WARMUP_MS = 4_000;
const WINDOW_MS = 8_000;
const REPEAT = Math.max(1, Number(process.env['KTS_BENCH_REPEAT'] ?? 1));
const START_LOAD = loadavg().map((l) => Math.round(l * 100) / 100);

interface OursFigures {
  readonly servers: number;
  readonly cpuUs: number;
  readonly checksCompleted: number;
  readonly checksPerSecond: number;
  readonly cpuUsPerCheck: number | null;
  readonly checksFailed: number;
  readonly gapP99Ms: number;
  readonly lateFraction: number;
}

function sustained(o: OursFigures): boolean {
  return o.checksPerSecond >= 0.95 * o.servers && o.checksFailed === 0 && o.gapP99Ms <= 1_200;
}

async function measureHaproxy(servers: number, dir: string): Promise<Record<string, number>> {
  const cfg = join(dir, `haproxy-${servers}.cfg`);
  writeFileSync(cfg, haproxyConfigText(servers, dir));
  const proc = spawnTracked('haproxy', ['-db', '-f', cfg]);
  try {
    await sleep(WARMUP_MS);
    const r0 = await nginxRequests();
    const c0 = cpuOf(proc.pid);
    const t0 = performance.now();
    await sleep(WINDOW_MS);
    const c1 = cpuOf(proc.pid);
    const r1 = await nginxRequests();
    const elapsedMs = performance.now() - t0;
    const checks = r1 - r0;
    const statUs = (c1.statTicks - c0.statTicks) * (1e6 / c0.ticksPerSecond);
    const schedUs = (c1.schedNs - c0.schedNs) / 1e3;
    return {
      servers,
      windowMs: Math.round(elapsedMs),
      checksCompleted: checks,
      checksPerSecond: Math.round((checks * 1000) / elapsedMs),
      cpuUsProcStat: statUs,
      cpuUsSchedstat: Math.round(schedUs),
      cpuUsPerCheck: checks > 0 ? statUs / checks : -1,
      cpuUsPerCheckSchedstat: checks > 0 ? schedUs / checks : -1,
    };
  } finally {
    await stopTracked(proc);
  }
}

async function measureOurs(servers: number, dir: string): Promise<OursFigures> {
  // KTS_BENCH_NODE_ARGS adds node flags to the checker child only (e.g. "--trace-gc", "--cpu-prof").
  const nodeArgs = (process.env['KTS_BENCH_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
  const child = spawn(process.execPath, [...nodeArgs, SELF, '--child', String(servers), String(WARMUP_MS), String(WINDOW_MS), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  if (code !== 0) throw new Error(`checker child for ${servers} servers exited with ${String(code)}`);
  const lines = out.trim().split('\n');
  if (nodeArgs.includes('--trace-gc')) {
    const count = (re: RegExp): number => lines.filter((l) => re.test(l)).length;
    process.stderr.write(`N=${servers}: --trace-gc over the whole run: ${count(/Scavenge/)} scavenges, ${count(/Mark-Compact|Mark-sweep/i)} mark-compacts\n`);
  }
  return JSON.parse(lines.pop() ?? '{}') as OursFigures;
}

async function inner(): Promise<void> {
  spawnSync('ip', ['link', 'set', 'lo', 'up']);
  const dir = mkdtempSync(join(tmpdir(), 'kts-bench-checks-'));
  let nginx: Tracked | undefined;
  try {
    chmodSync(dir, 0o755); // nginx workers run unprivileged and must read the page
    mkdirSync(join(dir, 'www'));
    mkdirSync(join(dir, 'tmp'));
    writeFileSync(join(dir, 'www', 'health.html'), HEALTH_BODY);
    writeFileSync(join(dir, 'nginx.conf'), nginxConfigText(dir));
    nginx = spawnTracked('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')]);
    await waitHttp('127.0.1.1', 5_000);
    const comparisons = [];
    for (const n of COMPARE_SIZES) {
      // KTS_BENCH_REPEAT=R measures R (HAProxy, ours) pairs and keeps the pair with the median
      // ratio (all pairs listed): on a shared machine one pair can be hit by someone else's load.
      const pairs = [];
      for (let rep = 0; rep < REPEAT; rep++) {
        const haproxy = await measureHaproxy(n, dir);
        const ours = await measureOurs(n, dir);
        const ratio = ours.cpuUsPerCheck !== null && (haproxy['cpuUsPerCheck'] ?? -1) > 0 ? ours.cpuUsPerCheck / (haproxy['cpuUsPerCheck'] ?? 1) : null;
        const ratioSched = ours.cpuUsPerCheck !== null && (haproxy['cpuUsPerCheckSchedstat'] ?? -1) > 0 ? ours.cpuUsPerCheck / (haproxy['cpuUsPerCheckSchedstat'] ?? 1) : null;
        pairs.push({ servers: n, ours, haproxy, ratioOursToHaproxy: ratio, ratioOursToHaproxySchedstat: ratioSched, oursSustained: sustained(ours) });
        process.stderr.write(`N=${n}: ours ${ours.cpuUsPerCheck?.toFixed(1)} us/check (${ours.checksPerSecond}/s, p99 gap ${ours.gapP99Ms} ms), haproxy ${haproxy['cpuUsPerCheck']?.toFixed(1)} us/check (${haproxy['checksPerSecond']}/s), ratio ${ratio?.toFixed(2)}\n`);
      }
      const sorted = [...pairs].sort((a, b) => (a.ratioOursToHaproxy ?? Infinity) - (b.ratioOursToHaproxy ?? Infinity));
      const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? pairs[0];
      if (median === undefined) continue;
      comparisons.push(REPEAT > 1 ? { ...median, pairs: pairs.map((p) => ({ ratio: p.ratioOursToHaproxy, ours: p.ours.cpuUsPerCheck, haproxy: p.haproxy['cpuUsPerCheck'], sustained: p.oursSustained })) } : median);
    }
    let largest = Math.max(0, ...comparisons.filter((c) => c.oursSustained).map((c) => c.servers));
    const ladder = [];
    if (largest === COMPARE_SIZES.at(-1) && process.env['KTS_BENCH_LADDER'] !== '0') {
      for (const n of LADDER) {
        const ours = await measureOurs(n, dir);
        ladder.push({ ...ours, sustained: sustained(ours) });
        process.stderr.write(`N=${n}: ours ${ours.checksPerSecond}/s, p99 gap ${ours.gapP99Ms} ms, sustained ${sustained(ours)}\n`);
        if (!sustained(ours)) break;
        largest = n;
      }
    }
    writeResults(comparisons, ladder, largest);
  } finally {
    if (nginx) await stopTracked(nginx);
    rmSync(dir, { recursive: true, force: true });
  }
}

function version(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.split('\n')[0]?.trim() ?? 'unknown';
}

interface Comparison {
  servers: number;
  ours: { cpuUsPerCheck: number | null; checksPerSecond: number; gapP99Ms: number; eventLoopDelayP99Ms?: number };
  haproxy: Record<string, number>;
  ratioOursToHaproxy: number | null;
  oursSustained: boolean;
}

/** One line per earlier run: the figures that matter, so a run never erases the previous ones. */
function summary(previous: { date?: string; note?: string; comparisons?: Comparison[]; largestServersSustained?: number }): Record<string, unknown> {
  return {
    date: previous.date,
    ...(previous.note !== undefined ? { note: previous.note } : {}),
    largestServersSustained: previous.largestServersSustained,
    runs: (previous.comparisons ?? []).map((c) => ({
      servers: c.servers,
      oursUsPerCheck: c.ours.cpuUsPerCheck === null ? null : Math.round(c.ours.cpuUsPerCheck * 10) / 10,
      haproxyUsPerCheck: Math.round((c.haproxy['cpuUsPerCheck'] ?? 0) * 10) / 10,
      ratio: c.ratioOursToHaproxy === null ? null : Math.round(c.ratioOursToHaproxy * 100) / 100,
      checksPerSecond: c.ours.checksPerSecond,
      gapP99Ms: c.ours.gapP99Ms,
      eventLoopDelayP99Ms: c.ours.eventLoopDelayP99Ms,
      sustained: c.oursSustained,
    })),
  };
}

function history(): unknown[] {
  try {
    const previous = JSON.parse(readFileSync(RESULTS, 'utf8')) as Parameters<typeof summary>[0] & { history?: unknown[] };
    return [...(previous.history ?? []), summary(previous)];
  } catch {
    return [];
  }
}

function writeResults(comparisons: unknown[], ladder: unknown[], largest: number): void {
  const note = process.env['KTS_BENCH_NOTE'];
  const out = {
    benchmark: 'HTTP_GET (digest) checks at delay_loop 1 on loopback: CPU per check and largest N on schedule, vs HAProxy httpchk inter 1s',
    date: new Date().toISOString(),
    windowMs: WINDOW_MS,
    warmupMs: WARMUP_MS,
    onScheduleCriterion: 'checks/s >= 0.95 N, no failures, p99 gap between a checker\'s attempt starts <= 1200 ms (delay_loop 1 s, phase-locked, 10 ms timer slots)',
    target: { cpuRatioMax: 1.5, serversOnSchedule: 10_000 },
    comparisons,
    ladder,
    largestServersSustained: largest,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, kernel: release() },
    versions: { node: process.version, haproxy: version('haproxy', ['-v']), nginx: version('nginx', ['-v']) },
    /** 1/5/15-minute load averages when the run started (other work on the machine skews both sides). */
    loadAverageAtStart: START_LOAD,
    ...(note !== undefined ? { note } : {}),
    /** Earlier runs, oldest first (each run moves the previous one here). */
    history: history(),
  };
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(out, null, 2)}\n`);
  process.stderr.write(`wrote ${RESULTS}\n`);
}

function outer(): number {
  if (process.getuid?.() !== 0) {
    process.stderr.write('bench:checks needs root (it creates its own network namespace)\n');
    return 1;
  }
  const ns = `kts-bench-checks-${process.pid}`;
  spawnSync('ip', ['netns', 'add', ns], { stdio: 'inherit' });
  try {
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, SELF, '--inner'], { stdio: 'inherit', timeout: 240_000 });
    return r.status ?? 1;
  } finally {
    const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.split('\n').filter((p) => /^\d+$/.test(p));
    for (const pid of pids) {
      try { process.kill(Number(pid), 'SIGKILL'); } catch { /* already gone */ }
    }
    spawnSync('ip', ['netns', 'del', ns], { stdio: 'inherit' });
  }
}

const mode = process.argv[2];
if (mode === '--child') {
  const [n, warm, win, dir] = process.argv.slice(3);
  await runChild(Number(n), Number(warm), Number(win), dir ?? tmpdir());
  process.exit(0);
} else if (mode === '--inner') {
  await inner();
} else {
  process.exitCode = outer();
}
