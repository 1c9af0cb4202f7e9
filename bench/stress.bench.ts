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
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Lab } from '../test/support/lab/index.js';
import { Scratch, snapshotKeepalivedTs, type Impl } from './failover-daemons.js';
import { loadAverages, resultHeader, ROOT, versions } from './failover-meta.js';
import { stressRun, type StressFigures, type StressSetting } from './stress-run.js';

const RESULTS = join(ROOT, 'bench', 'results', 'stress.json');

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
};

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
  const lab = await Lab.create({ hosts: 3 });
  const runs: (StressFigures & { variant: string })[] = [];
  const failures: string[] = [];
  const chosen = variants();
  try {
    for (const v of chosen) {
      for (const impl of impls) {
        try {
          const r = await stressRun(lab, scratch, impl, { ...s, globalDefs: v.globalDefs });
          runs.push({ variant: v.name, ...r });
          process.stderr.write(`${v.name} ${impl}: ${r.spuriousTransitions} spurious transition(s), max advert gap ${r.wire.stress.maxGapMs} ms, CPU ${r.cpuPercentOfCore.master}%/${r.cpuPercentOfCore.backup}%, ${r.schedulingAtEnd.master}/${r.schedulingAtEnd.backup}\n`);
        } catch (e) {
          failures.push(`${v.name} ${impl}: ${(e as Error).message.split('\n').slice(0, 8).join(' | ')}`);
          process.stderr.write(`${v.name} ${impl}: FAILED ${(e as Error).message}\n`);
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
      load: `${s.hogsPerCpu} busy loop(s) (sh 'while :; do :; done', nice as the daemons) pinned to each daemon CPU; master daemon on CPU ${s.masterCpu}, backup on CPU ${s.backupCpu} (taskset)`,
      stressWindowS: s.durationS,
      baselineS: s.baselineS,
      variants: Object.fromEntries(chosen.map((v) => [v.name, v.globalDefs])),
      spurious: "after the steady state: the backup logging 'Entering MASTER STATE', or the master logging 'Entering BACKUP/FAULT STATE'",
      gaps: "between consecutive adverts of the master seen on h3; 'over master down' = longer than the backup's Master_Down_Interval",
      cpu: 'utime+stime from /proc/PID/stat over the stress window, % of one core (keepalived: its VRRP child)',
      order: chosen.flatMap((v) => impls.map((i) => `${v.name} ${i}`)).join(', then '),
    },
    summary: runs.map((r) => ({
      variant: r.variant,
      impl: r.impl,
      spuriousTransitions: r.spuriousTransitions,
      backupAdvertsOnWire: r.wire.backupAdverts,
      maxAdvertGapMs: r.wire.stress.maxGapMs,
      p999AdvertGapMs: r.wire.stress.p999GapMs,
      gapsOverMasterDown: r.wire.stress.gapsOverMasterDown,
      cpuPercentOfCore: { master: r.cpuPercentOfCore.master, backup: r.cpuPercentOfCore.backup },
      schedulingAtEnd: r.schedulingAtEnd,
    })),
    runs,
    failures,
    history: previousResults(RESULTS),
  };
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(out, null, 2)}\n`);
  console.log(JSON.stringify(out.summary, null, 2));
  process.stderr.write(`wrote ${RESULTS}\n`);
  if (failures.length > 0) process.exitCode = 1;
}

await main();
