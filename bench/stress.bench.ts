/**
 * npm run bench:stress — issue #4: "5 minutes at advert_int 0.01 with a CPU-bound process on the
 * same cores produce no spurious transition", keepalived-ts against keepalived 2.2.7 (the anchor)
 * in the same lab and the same run, one after the other with the same duration and load.
 *
 * Lab: h1 (priority 150, MASTER) and h2 (priority 100, BACKUP), both VRRPv3 at advert_int 0.01,
 * one VIP, the same implementation; h3 captures the adverts (tcpdump, kernel timestamps). Each
 * daemon is pinned to its own CPU (taskset), and one busy loop per daemon CPU, at the same nice
 * level and pinned to that CPU, runs for the stress window (stress-run.ts).
 * Writes bench/results/stress.json.
 *
 * Environment: KTS_STRESS_S (300: the stress window per implementation), KTS_STRESS_BASELINE_S
 * (10: quiet window before it), KTS_STRESS_ADVERT_INT (0.01), KTS_STRESS_IMPLS
 * (keepalived-ts,keepalived), KTS_STRESS_HOGS_PER_CPU (1), KTS_STRESS_CPUS ("0,1": master's CPU,
 * backup's CPU), KTS_STRESS_VARIANTS (defaults,realtime: the daemons at their default scheduling,
 * then both with `vrrp_rt_priority 50`; also known: `auto`, `max_auto_priority 50` with the
 * default min_auto_priority_delay (1 s), as a user would set it, and `auto-5ms`, the same with
 * `min_auto_priority_delay 5000`), KTS_STRESS_GLOBAL_DEFS (instead of the variants: one run with
 * these extra global_defs lines, ';'-separated).
 * The previous results are kept in `history` (newest first).
 *
 * KTS_STRESS_VARIANTS=cpu: the cost of one advert, no busy loop: the same pair for KTS_STRESS_CPU_S
 * (30) seconds after the quiet baseline (JIT warm), CPU µs (utime+stime) per advert sent (master)
 * and received (backup), and the CPU of each thread. KTS_STRESS_BEFORE=DIR adds a run of the
 * keepalived-ts built in DIR (bin/, dist/src/, native/build/Release: e.g. a worktree of main,
 * snapshotted at start), reported as "keepalived-ts (before)", so a change is measured against its
 * base in the same run. A cpu-only run writes bench/results/stress-cpu.json (KTS_STRESS_OUT:
 * elsewhere).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Lab } from '../test/support/lab/index.js';
import { Scratch, snapshotKeepalivedTs, snapshotTree, type Impl } from './failover-daemons.js';
import { loadAverages, resultHeader, ROOT, versions } from './failover-meta.js';
import { stressRun, type StressFigures, type StressSetting } from './stress-run.js';


function list(env: string | undefined, fallback: string, separator = ','): string[] {
  const text = env === undefined || env.trim() === '' ? fallback : env;
  return text.split(separator).map((x) => x.trim()).filter((x) => x !== '');
}

const VARIANTS: Readonly<Record<string, readonly string[]>> = {
  defaults: [],
  realtime: ['vrrp_rt_priority 50'],
  auto: ['max_auto_priority 50'],
  // the default delay (1 s) is far above the stalls that matter at advert_int 0.01 (tens of ms)
  'auto-5ms': ['max_auto_priority 50', 'min_auto_priority_delay 5000'],
  // no busy loop, a short window: the CPU cost of one advert
  cpu: [],
};
/** Variants run without load for KTS_STRESS_CPU_S. */
const QUIET = new Set(['cpu']);
const CPU_S = Number(process.env['KTS_STRESS_CPU_S'] ?? 30);

/** The file's previous content (without its own history) first, then that history. */
function previousResults(file: string): unknown[] {
  let old: Record<string, unknown> & { history?: unknown[] };
  try {
    old = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & { history?: unknown[] };
  } catch {
    return [];
  }
  const { history, ...rest } = old;
  return [rest, ...(Array.isArray(history) ? history : [])];
}

function variants(): { name: string; globalDefs: readonly string[] }[] {
  const custom = process.env['KTS_STRESS_GLOBAL_DEFS'];
  if (custom !== undefined && custom.trim() !== '') return [{ name: 'custom', globalDefs: list(custom, '', ';') }];
  return list(process.env['KTS_STRESS_VARIANTS'], 'defaults,realtime').map((name) => {
    const globalDefs = VARIANTS[name];
    if (globalDefs === undefined) throw new Error(`unknown variant ${name} (known: ${Object.keys(VARIANTS).join(', ')})`);
    return { name, globalDefs };
  });
}

function setting(): Omit<StressSetting, 'globalDefs'> {
  const [masterCpu = 0, backupCpu = 1] = list(process.env['KTS_STRESS_CPUS'], '0,1').map(Number);
  const s = {
    advertInt: process.env['KTS_STRESS_ADVERT_INT'] ?? '0.01',
    durationS: Number(process.env['KTS_STRESS_S'] ?? 300),
    baselineS: Number(process.env['KTS_STRESS_BASELINE_S'] ?? 10),
    masterCpu,
    backupCpu,
    hogsPerCpu: Number(process.env['KTS_STRESS_HOGS_PER_CPU'] ?? 1),
  };
  for (const [k, v] of Object.entries({ durationS: s.durationS, baselineS: s.baselineS, masterCpu, backupCpu, hogsPerCpu: s.hogsPerCpu })) {
    if (!Number.isFinite(v) || v < 0) throw new Error(`bad ${k}: ${v}`);
  }
  return s;
}

async function main(): Promise<void> {
  const started = performance.now();
  const s = setting();
  const impls = list(process.env['KTS_STRESS_IMPLS'], 'keepalived-ts,keepalived').map((x) => {
    if (x !== 'keepalived-ts' && x !== 'keepalived') throw new Error(`unknown implementation ${x}`);
    return x as Impl;
  });
  const loadAtStart = loadAverages();
  const scratch = new Scratch();
  snapshotKeepalivedTs(scratch.path('keepalived-ts'));
  const measured = versions();
  const before = process.env['KTS_STRESS_BEFORE'];
  const beforeBin = before !== undefined && before.trim() !== '' ? snapshotTree(scratch.path('keepalived-ts-before'), before) : undefined;
  interface Runner {
    readonly impl: Impl;
    readonly label: string;
    readonly tsBin?: string;
  }
  const runners = impls.flatMap((impl): Runner[] =>
    impl === 'keepalived-ts' && beforeBin !== undefined ? [{ impl, label: 'keepalived-ts (before)', tsBin: beforeBin }, { impl, label: impl }] : [{ impl, label: impl }],
  );
  const chosen = variants();
  const cpuOnly = chosen.every((v) => QUIET.has(v.name));
  const results = process.env['KTS_STRESS_OUT'] ?? join(ROOT, 'bench', 'results', cpuOnly ? 'stress-cpu.json' : 'stress.json');
  const lab = await Lab.create({ hosts: 3 });
  const runs: (StressFigures & { variant: string })[] = [];
  const failures: string[] = [];
  try {
    for (const v of chosen) {
      for (const r0 of runners) {
        try {
          const vs = QUIET.has(v.name) ? { ...s, durationS: CPU_S, hogsPerCpu: 0 } : s;
          const r = await stressRun(lab, scratch, r0.impl, { ...vs, globalDefs: v.globalDefs, ...(r0.tsBin !== undefined ? { tsBin: r0.tsBin } : {}) }, r0.label);
          runs.push({ variant: v.name, ...r });
          process.stderr.write(`${v.name} ${r0.label}: ${r.spuriousTransitions} spurious transition(s), max advert gap ${r.wire.stress.maxGapMs} ms, CPU ${r.cpuPercentOfCore.master}%/${r.cpuPercentOfCore.backup}%, µs per advert ${r.cpuUsPerAdvert.master}/${r.cpuUsPerAdvert.backup}, ${r.schedulingAtEnd.master}/${r.schedulingAtEnd.backup}\n`);
        } catch (e) {
          failures.push(`${v.name} ${r0.label}: ${(e as Error).message.split('\n').slice(0, 8).join(' | ')}`);
          process.stderr.write(`${v.name} ${r0.label}: FAILED ${(e as Error).message}\n`);
        }
      }
    }
  } finally {
    await lab.destroy();
    scratch.cleanup();
  }
  const out = {
    ...resultHeader('VRRP stability under CPU load: spurious transitions of a master/backup pair at a short advert_int with a busy loop on each daemon\'s CPU, keepalived-ts vs keepalived 2.2.7', started, loadAtStart, measured),
    method: {
      lab: 'h1 (priority 150) and h2 (priority 100) VRRPv3, one VIP 192.0.2.100/24, VRID 51, same implementation; h3 captures adverts (tcpdump -tt: kernel receive timestamps)',
      advertInt: s.advertInt,
      load: cpuOnly ? 'none (cpu variant: no busy loop)' : `${s.hogsPerCpu} busy loop(s) (sh 'while :; do :; done', nice as the daemons) pinned to each daemon CPU; master daemon on CPU ${s.masterCpu}, backup on CPU ${s.backupCpu} (taskset)`,
      stressWindowS: cpuOnly ? CPU_S : s.durationS,
      baselineS: s.baselineS,
      variants: Object.fromEntries(chosen.map((v) => [v.name, v.globalDefs])),
      spurious: "after the steady state: the backup logging 'Entering MASTER STATE', or the master logging 'Entering BACKUP/FAULT STATE'",
      gaps: "between consecutive adverts of the master seen on h3; 'over master down' = longer than the backup's Master_Down_Interval",
      cpu: 'utime+stime from /proc/PID/stat over the stress window, % of one core (keepalived: its VRRP child); per advert: that CPU time divided by the master adverts seen on h3 in the window (sent by the master, received by the backup); threads: /proc/PID/task/*/stat by thread name',
      ...(beforeBin !== undefined ? { before: `keepalived-ts (before): the build in ${before ?? ''}` } : {}),
      order: chosen.flatMap((v) => runners.map((r) => `${v.name} ${r.label}`)).join(', then '),
    },
    summary: runs.map((r) => ({
      variant: r.variant,
      impl: r.label,
      spuriousTransitions: r.spuriousTransitions,
      backupAdvertsOnWire: r.wire.backupAdverts,
      maxAdvertGapMs: r.wire.stress.maxGapMs,
      p999AdvertGapMs: r.wire.stress.p999GapMs,
      gapsOverMasterDown: r.wire.stress.gapsOverMasterDown,
      cpuPercentOfCore: { master: r.cpuPercentOfCore.master, backup: r.cpuPercentOfCore.backup },
      cpuUsPerAdvert: r.cpuUsPerAdvert,
      schedulingAtEnd: r.schedulingAtEnd,
    })),
    runs,
    failures,
    history: previousResults(results),
  };
  mkdirSync(dirname(results), { recursive: true });
  writeFileSync(results, `${JSON.stringify(out, null, 2)}\n`);
  console.log(JSON.stringify(out.summary, null, 2));
  process.stderr.write(`wrote ${results}\n`);
  if (failures.length > 0) process.exitCode = 1;
}

await main();
