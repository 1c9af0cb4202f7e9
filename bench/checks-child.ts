/**
 * The keepalived-ts side of `npm run bench:checks`: a process running the real CheckerSubsystem
 * (config pipeline -> plan -> probe builder -> scheduler) on N HTTP_GET checkers with digest at
 * delay_loop 1, on the system clock. It warms up, then measures a steady window: CPU time
 * (process.cpuUsage), completed checks, and how late each checker's attempts start compared with
 * its interval. Prints one JSON line and exits. Run by checks.bench.ts inside the bench netns.
 * HTTP_GET runs on the daemon's stream port (src/os/linux/stream-exchange.ts), as in production;
 * KTS_BENCH_NET=1 measures the Node net.Socket path instead.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../src/config/pipeline.js';
import { CheckerSubsystem } from '../src/check/checker-subsystem.js';
import { NOOP_POOL_SINK } from '../src/check/checker-subsystem-events.js';
import { createProbeBuilder, type ProbeBuilder } from '../src/check/checker-subsystem-probes.js';
import type { CheckClock } from '../src/check/clock.js';
import { TimerQueue } from '../src/check/timer-queue.js';
import { CHECKER_TIMER_RESOLUTION_MS } from '../src/daemon/checker-wiring.js';
import { LinuxConfigEnvironment } from '../src/os/linux/config-environment.js';
import { EpollStreamPort } from '../src/os/linux/stream-exchange.js';
import { benchConfigText } from './checks-targets.js';

function systemClock(): CheckClock {
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    monotonicMs: () => performance.now(),
    setTimer(cb, ms) {
      const id = next++;
      timers.set(id, setTimeout(() => { timers.delete(id); cb(); }, ms));
      return { id };
    },
    clearTimer(h) {
      clearTimeout(timers.get(h.id));
      timers.delete(h.id);
    },
  };
}

interface Counters {
  measuring: boolean;
  started: number;
  completed: number;
  failed: number;
  /** Gaps between consecutive attempt starts of one checker, in ms, inside the window. */
  gapsMs: number[];
}

function counting(inner: ProbeBuilder, c: Counters): ProbeBuilder {
  return async (server, plan, lvs) => {
    const probe = await inner(server, plan, lvs);
    let lastStartMs = -1;
    // No async wrapper: the harness should add as little as possible to the CPU it measures.
    const done = (r: Awaited<ReturnType<typeof probe>>): typeof r => {
      if (c.measuring) {
        c.completed++;
        if (!r.ok) c.failed++;
      }
      return r;
    };
    return (signal) => {
      const now = performance.now();
      if (c.measuring) {
        c.started++;
        if (lastStartMs >= 0) c.gapsMs.push(now - lastStartMs);
      }
      lastStartMs = now;
      return probe(signal).then(done);
    };
  };
}

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runChild(servers: number, warmupMs: number, windowMs: number, dir: string): Promise<void> {
  const file = join(dir, `keepalived-${servers}.conf`);
  writeFileSync(file, benchConfigText(servers));
  const model = loadConfig(file, new LinuxConfigEnvironment()).model;
  if (model.lvs === undefined) throw new Error('bench config has no virtual_server');
  // As the daemon does (src/daemon/checker-wiring.ts): all checker timers in one queue.
  const resolutionMs = Number(process.env['KTS_BENCH_TIMER_RESOLUTION_MS'] ?? CHECKER_TIMER_RESOLUTION_MS);
  const clock = process.env['KTS_BENCH_NODE_TIMERS'] === '1' ? systemClock() : new TimerQueue(systemClock(), resolutionMs);
  const c: Counters = { measuring: false, started: 0, completed: 0, failed: 0, gapsMs: [] };
  const stream = process.env['KTS_BENCH_NET'] === '1' ? undefined : new EpollStreamPort();
  const buildProbe = counting(createProbeBuilder({ clock, rng: Math.random, ...(stream ? { stream } : {}) }), c);
  const log = { error: (m: string) => process.stderr.write(`${m}\n`), warning: () => undefined, info: () => undefined, detail: () => undefined };
  const subsystem = new CheckerSubsystem({ clock, rng: Math.random, log, sink: NOOP_POOL_SINK, buildProbe });
  await subsystem.start({ lvs: model.lvs });
  await sleep(warmupMs);
  c.measuring = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  await sleep(windowMs);
  loopDelay.disable();
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  c.measuring = false;
  await subsystem.shutdown(2_000);
  stream?.close();
  const cpuUs = cpu.user + cpu.system;
  const late = c.gapsMs.filter((g) => g > 1_000 * 1.05 + 100).length;
  process.stdout.write(`${JSON.stringify({
    servers,
    windowMs: Math.round(elapsedMs),
    cpuUs,
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    checksCompleted: c.completed,
    checksStarted: c.started,
    checksFailed: c.failed,
    checksPerSecond: Math.round((c.completed * 1000) / elapsedMs),
    cpuUsPerCheck: c.completed > 0 ? cpuUs / c.completed : null,
    gapP50Ms: Math.round(percentile(c.gapsMs, 0.5)),
    gapP99Ms: Math.round(percentile(c.gapsMs, 0.99)),
    gapMaxMs: Math.round(Math.max(0, ...c.gapsMs.slice(0, 100_000))),
    lateFraction: c.gapsMs.length > 0 ? late / c.gapsMs.length : 1,
    eventLoopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e6),
    eventLoopDelayMaxMs: Math.round(loopDelay.max / 1e6),
    rssMb: Math.round(process.memoryUsage().rss / 1e6),
  })}\n`);
}
