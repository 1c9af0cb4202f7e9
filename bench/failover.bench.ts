/**
 * npm run bench:failover — how long the VIP is unreachable when the master goes away,
 * keepalived-ts against keepalived 2.2.7 (the anchor) in the same lab and the same run.
 *
 * Lab: h1 and h2 are VRRP nodes (both the same implementation: a keepalived-ts pair or a
 * keepalived pair), h3 a client, all on one bridge. A UDP responder on each node is bound to the
 * VIP port and answers with the node's name; the client probes the VIP every millisecond
 * (test/support/agents/bench-failover-probe.ts). The outage is the gap between the last answer of
 * the old master and the first of the new one. Scenarios: graceful stop (SIGTERM to the master
 * daemon) and host failure (the master's cable pulled: its bridge port down), at advert_int 1
 * (VRRPv2) and, for VRRPv3, 0.1 and 0.01. Median over the repetitions.
 * Then (unless FAILOVER_LOAD=0) one daemon with 255 instances as master: CPU and RSS (failover-load.ts).
 * Writes bench/results/failover.json (figures side by side, ratio ours/keepalived, machine,
 * kernel, versions, date).
 *
 * Environment: FAILOVER_REPS (3), FAILOVER_SETTINGS (v2-1,v3-0.1,v3-0.01), FAILOVER_KINDS
 * (graceful-stop,link-down), PROBE_INTERVAL_MS (1), FAILOVER_LOAD (1), LOAD_SECONDS (60),
 * LOAD_INSTANCES (255), FAILOVER_OUT (bench/results/failover.json: where to write; a subset run while
 * iterating goes elsewhere).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Lab } from '../test/support/lab/index.js';
import { Scratch, snapshotKeepalivedTs, type Impl } from './failover-daemons.js';
import { loadAverages, median, resultHeader, ROOT, versions } from './failover-meta.js';
import { measureLoad, type LoadFigures } from './failover-load.js';
import { runOnce, startAdvertWatch, startResponders, startWireLog, type Kind, type RunResult, type Setting, type WirePhases } from './failover-run.js';

const RESULTS = process.env['FAILOVER_OUT'] ?? join(ROOT, 'bench', 'results', 'failover.json');
const ALL_SETTINGS: readonly Setting[] = [
  { label: 'v2-1', version: 2, advertInt: '1' },
  { label: 'v3-0.1', version: 3, advertInt: '0.1' },
  { label: 'v3-0.01', version: 3, advertInt: '0.01' },
];
const IMPLS: readonly Impl[] = ['keepalived-ts', 'keepalived'];

const REPS = Number(process.env['FAILOVER_REPS'] ?? 3);
const SETTINGS = pick(process.env['FAILOVER_SETTINGS'], ALL_SETTINGS.map((s) => s.label)).map((l) => {
  const s = ALL_SETTINGS.find((x) => x.label === l);
  if (s === undefined) throw new Error(`unknown setting ${l} (known: ${ALL_SETTINGS.map((x) => x.label).join(', ')})`);
  return s;
});
const KINDS = pick(process.env['FAILOVER_KINDS'], ['graceful-stop', 'link-down']) as Kind[];
const PROBE_INTERVAL_MS = Number(process.env['PROBE_INTERVAL_MS'] ?? 1);
const LOAD = process.env['FAILOVER_LOAD'] !== '0';

function pick(env: string | undefined, fallback: readonly string[]): string[] {
  return env === undefined || env.trim() === '' ? [...fallback] : env.split(',').map((x) => x.trim()).filter((x) => x !== '');
}

interface ImplFigures {
  medianOutageMs: number | null;
  /** Median time from the trigger to the new master's "Entering MASTER STATE" log line. */
  medianTriggerToMasterLogMs: number | null;
  /** Medians of the wire phases (tcpdump on the client host). */
  medianWireMs: Record<keyof WirePhases, number | null>;
  outagesMs: number[];
  runs: RunResult[];
  failures: string[];
}

interface Scenario {
  readonly setting: string;
  readonly version: 2 | 3;
  readonly advertInt: string;
  readonly kind: Kind;
  readonly figures: Record<Impl, ImplFigures>;
}

function wireMedians(runs: readonly RunResult[]): Record<keyof WirePhases, number | null> {
  const keys: (keyof WirePhases)[] = ['triggerToPriority0Ms', 'toNewAdvertMs', 'newAdvertToGarpMs', 'garpToFirstAnswerMs'];
  const of = (k: keyof WirePhases): number | null => median(runs.map((r) => r.wire?.[k]).filter((x): x is number => typeof x === 'number'));
  return Object.fromEntries(keys.map((k) => [k, of(k)])) as Record<keyof WirePhases, number | null>;
}

function ratio(s: Scenario): number | null {
  const ours = s.figures['keepalived-ts'].medianOutageMs;
  const theirs = s.figures.keepalived.medianOutageMs;
  return ours !== null && theirs !== null && theirs > 0 ? Math.round((ours / theirs) * 100) / 100 : null;
}

async function failoverScenarios(lab: Lab, scratch: Scratch, notes: string[]): Promise<Scenario[]> {
  await startResponders(lab);
  const watch = await startAdvertWatch(lab);
  const wireLog = await startWireLog(lab);
  const scenarios: Scenario[] = [];
  for (const s of SETTINGS) {
    for (const kind of KINDS) {
      const empty = (): ImplFigures => ({ medianOutageMs: null, medianTriggerToMasterLogMs: null, medianWireMs: wireMedians([]), outagesMs: [], runs: [], failures: [] });
      const sc: Scenario = { setting: s.label, version: s.version, advertInt: s.advertInt, kind, figures: { 'keepalived-ts': empty(), keepalived: empty() } };
      for (let rep = 1; rep <= REPS; rep++) {
        for (const impl of IMPLS) {
          const f = sc.figures[impl];
          const tag = `${impl}-${s.label}-${kind}-${rep}`;
          try {
            const r = await runOnce({ lab, watch, wireLog, scratch, probeIntervalMs: PROBE_INTERVAL_MS, notes }, impl, s, kind, tag);
            f.runs.push(r);
            f.outagesMs.push(r.outageMs);
            process.stderr.write(`${tag}: outage ${r.outageMs} ms (trigger->new ${r.triggerToNewMs} ms; wire ${JSON.stringify(r.wire)})\n`);
          } catch (e) {
            const msg = (e as Error).message;
            f.failures.push(msg.split('\n').slice(0, 6).join(' | '));
            process.stderr.write(`${tag}: FAILED ${msg}\n`);
          }
        }
      }
      for (const impl of IMPLS) {
        const f = sc.figures[impl];
        f.medianOutageMs = median(f.outagesMs);
        f.medianTriggerToMasterLogMs = median(f.runs.map((r) => r.triggerToMasterLogMs).filter((x): x is number => x !== null));
        f.medianWireMs = wireMedians(f.runs);
      }
      scenarios.push(sc);
    }
  }
  await watch.stop();
  await wireLog.stop(1_000);
  return scenarios;
}

function write(started: number, loadAtStart: readonly number[], measured: Record<string, string>, scenarios: Scenario[], load: LoadFigures | { skipped: string } | undefined, notes: string[]): void {
  const out = {
    ...resultHeader('VRRP failover outage seen by a UDP client probing the VIP every ms, keepalived-ts pair vs keepalived 2.2.7 pair', started, loadAtStart, measured),
    method: {
      lab: 'h1 (priority 150) and h2 (priority 100) same implementation, h3 client, one bridge; VIP 192.0.2.100/24 VRID 51',
      outage: 'client receive time of the first answer from h2 minus that of the last answer from h1',
      wirePhases: 'tcpdump -tt on the client host (kernel receive times): trigger -> priority-0 advert of the old master; that advert (link down: the last one) -> first advert of the new master; -> its first gratuitous ARP; -> the first answer from it at the client',
      triggerToMasterLog: "when the new master's 'Entering MASTER STATE' line reached the bench, from the trigger (splits detection from VIP add + GARP)",
      gracefulStop: 'SIGTERM to the master daemon (keepalived: its parent process)',
      linkDown: "the master's bridge port set down (cable pulled: carrier lost, nothing more leaves h1)",
      phase: "the trigger comes just after an advert of the master is seen on the client host (a raw VRRP listener there): the worst case of the advert cycle, the same for both implementations (advertToTriggerMs per run)",
      repetitions: REPS,
      probeIntervalMs: PROBE_INTERVAL_MS,
    },
    summary: scenarios.map((s) => ({
      setting: s.setting,
      kind: s.kind,
      keepalivedTsMedianMs: s.figures['keepalived-ts'].medianOutageMs,
      keepalivedMedianMs: s.figures.keepalived.medianOutageMs,
      ratioOursToKeepalived: ratio(s),
      triggerToMasterLogMedianMs: { 'keepalived-ts': s.figures['keepalived-ts'].medianTriggerToMasterLogMs, keepalived: s.figures.keepalived.medianTriggerToMasterLogMs },
      wirePhasesMedianMs: { 'keepalived-ts': s.figures['keepalived-ts'].medianWireMs, keepalived: s.figures.keepalived.medianWireMs },
      failures: { 'keepalived-ts': s.figures['keepalived-ts'].failures.length, keepalived: s.figures.keepalived.failures.length },
    })),
    scenarios,
    load: load ?? { skipped: 'FAILOVER_LOAD=0' },
    notes: [...new Set(notes)].slice(0, 40),
  };
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(out, null, 2)}\n`);
  console.log(JSON.stringify(out.summary, null, 2));
  if (load !== undefined) console.log(JSON.stringify(load, null, 2));
  process.stderr.write(`wrote ${RESULTS}\n`);
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = loadAverages();
  const notes: string[] = [];
  const scratch = new Scratch();
  snapshotKeepalivedTs(scratch.path('keepalived-ts'));
  const measured = versions();
  const lab = await Lab.create({ hosts: 3 });
  let scenarios: Scenario[] = [];
  let load: LoadFigures | { skipped: string } | undefined;
  try {
    scenarios = await failoverScenarios(lab, scratch, notes);
    await lab.host(1).stopAll();
    await lab.host(2).stopAll();
    if (LOAD) {
      load = await measureLoad(lab, scratch).catch((e: Error) => ({ skipped: `failed: ${e.message.split('\n').slice(0, 4).join(' | ')}` }));
    }
  } finally {
    await lab.destroy();
    scratch.cleanup();
  }
  write(started, loadAtStart, measured, scenarios, load, notes);
}

await main();
