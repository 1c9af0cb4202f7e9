/**
 * The seed scenario, end to end, in a namespace lab of three hosts: node1 (192.0.2.1) and node2
 * (192.0.2.2) each run a web server and keepalived-ts sharing VIP 192.0.2.100; the client
 * (192.0.2.3) polls http://192.0.2.100/ every 50 ms. Steps:
 *   1. start both: node1 (MASTER, 100) serves;
 *   2. SIGTERM keepalived-ts on node1 (`systemctl stop keepalived`): node2 serves;
 *   3. start it again: node1 preempts and serves;
 *   4. kill node1's web server: vrrp_script chk_web (weight -20) drops node1 to 80: node2 serves.
 * Every step is judged by the client (who answers, steadily) and by `ip addr` (who holds the VIP);
 * its outage is the longest time the client went without any answer. `npm run demo` prints it;
 * test/lab/demo.test.ts asserts it. The lab and the scratch directory are removed at the end,
 * on failure and on SIGINT/SIGTERM (the lab harness's hooks remove the namespaces).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, type LabProcess } from '../../test/support/lab/index.js';
import { ClientWatch, nowMs, type Sample } from './client.js';
import { NODES, VIP, WEB_PORT, type NodeName } from './conf.js';
import type { DemoEnvironment } from './environment.js';
import { DemoNode } from './nodes.js';

export type StepNumber = 1 | 2 | 3 | 4;
export type StepStatus = 'ok' | 'failed' | 'unavailable' | 'not run';

export interface StepResult {
  readonly step: StepNumber;
  readonly title: string;
  /** The node that should serve the VIP after this step. */
  readonly expected: NodeName;
  readonly status: StepStatus;
  /** Who answered the client's last request at the end of the step. */
  readonly servedBy?: string | undefined;
  /** Nodes holding the VIP at the end of the step (`ip addr`). */
  readonly vipOn?: readonly NodeName[];
  /** From the step's action to the first answer of the expected node (the run that lasted). */
  readonly switchMs?: number;
  /** Longest time without any answer, from the step's action to its end. */
  readonly longestGapMs?: number;
  readonly failedRequests?: number;
  readonly detail?: string;
}

export interface DemoResult {
  readonly steps: readonly StepResult[];
  /** Every step ran and passed. */
  readonly ok: boolean;
}

export interface DemoReporter {
  setup?(info: { readonly labPrefix: string; readonly webServer: string; readonly scratchDir: string; readonly confPaths: readonly string[] }): void;
  stepStart?(step: StepNumber, title: string): void;
  stepEnd?(result: StepResult): void;
  sample?(sample: Sample): void;
  daemonLog?(node: NodeName, line: string): void;
  cleanup?(): void;
  interrupted?(signal: NodeJS.Signals): void;
}

export const STEP_TITLES: Readonly<Record<StepNumber, string>> = {
  1: 'start keepalived-ts on node1 (MASTER, priority 100) and node2 (BACKUP, priority 90)',
  2: 'stop keepalived-ts on node1 with SIGTERM (as `systemctl stop keepalived`)',
  3: 'start keepalived-ts on node1 again: it preempts',
  4: 'kill the web server of node1: vrrp_script chk_web (weight -20) moves the VIP',
};

const EXPECTED: Readonly<Record<StepNumber, NodeName>> = { 1: 'node1', 2: 'node2', 3: 'node1', 4: 'node2' };
/** A node "serves" once it answered every request for this long. */
export const STABLE_MS = 1_500;
const POLL_PERIOD_MS = 50;
const REQUEST_TIMEOUT_MS = 400;
const START_TIMEOUT_MS = 10_000;
const STEP_TIMEOUT_MS = 15_000;

export const TRACKING_UNAVAILABLE = 'vrrp_script tracking is not in keepalived-ts yet (the daemon ignores track_script)';

interface Bed {
  readonly node1: DemoNode;
  readonly node2: DemoNode;
  readonly client: ClientWatch;
}

/** Runs the four steps; always cleans up. Throws only for setup failures (lab, web servers). */
export async function runDemo(env: DemoEnvironment, reporter: DemoReporter = {}): Promise<DemoResult> {
  const dir = mkdtempSync(join(tmpdir(), 'kts-demo-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  const onSignal = (signal: NodeJS.Signals): void => {
    reporter.interrupted?.(signal);
    removeDir();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    // the lab harness's own hook removes the namespaces and re-raises; if it is not there, we do
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let lab: Lab | undefined;
  let poller: LabProcess | undefined;
  let bed: Bed | undefined;
  try {
    lab = await Lab.create({ hosts: 3 });
    const log = (node: NodeName, line: string): void => reporter.daemonLog?.(node, line);
    const node1 = new DemoNode(NODES.node1, lab.host(1), dir, env, log);
    const node2 = new DemoNode(NODES.node2, lab.host(2), dir, env, log);
    await Promise.all([node1.startWeb(), node2.startWeb()]);
    reporter.setup?.({ labPrefix: lab.prefix, webServer: node1.webServerLabel(), scratchDir: dir, confPaths: [node1.confPath(), node2.confPath()] });
    const url = `http://${VIP}:${WEB_PORT}/`;
    poller = lab.host(3).spawn(process.execPath, [env.pollerAgent, url, String(POLL_PERIOD_MS), String(REQUEST_TIMEOUT_MS)]);
    const client = new ClientWatch(poller);
    client.onSample((s) => reporter.sample?.(s));
    bed = { node1, node2, client };
    return await runSteps(bed, reporter);
  } finally {
    reporter.cleanup?.();
    bed?.client.close();
    await Promise.allSettled([poller?.stop(500), bed?.node1.stopAll(), bed?.node2.stopAll()]);
    await lab?.destroy();
    removeDir();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

async function runSteps(bed: Bed, reporter: DemoReporter): Promise<DemoResult> {
  const { node1, node2 } = bed;
  const actions: Record<StepNumber, () => Promise<string | undefined>> = {
    1: async () => {
      // node1 first: it is the one meant to win (Node's start-up is slower than keepalived's)
      node1.startKeepalived();
      await node1.waitStarted(START_TIMEOUT_MS);
      node2.startKeepalived();
      await node2.waitStarted(START_TIMEOUT_MS);
      return undefined;
    },
    2: async () => {
      await node1.stopKeepalived();
      return undefined;
    },
    3: async () => {
      node1.startKeepalived();
      await node1.waitStarted(START_TIMEOUT_MS);
      return undefined;
    },
    4: async () => {
      if (node1.trackingUnsupported) return TRACKING_UNAVAILABLE;
      await node1.killWeb();
      return undefined;
    },
  };
  const steps: StepResult[] = [];
  for (const step of [1, 2, 3, 4] as const) {
    const previous = steps.at(-1);
    if (previous !== undefined && previous.status !== 'ok') {
      steps.push({ step, title: STEP_TITLES[step], expected: EXPECTED[step], status: 'not run' });
      continue;
    }
    reporter.stepStart?.(step, STEP_TITLES[step]);
    const result = await runStep(bed, step, actions[step]);
    reporter.stepEnd?.(result);
    steps.push(result);
  }
  return { steps, ok: steps.every((s) => s.status === 'ok') };
}

async function runStep(bed: Bed, step: StepNumber, action: () => Promise<string | undefined>): Promise<StepResult> {
  const base = { step, title: STEP_TITLES[step], expected: EXPECTED[step] };
  const actionAt = nowMs();
  let unavailable: string | undefined;
  try {
    unavailable = await action();
  } catch (e) {
    return { ...base, status: 'failed', detail: (e as Error).message };
  }
  if (unavailable !== undefined) return { ...base, status: 'unavailable', detail: unavailable };
  const since = await bed.client.waitServedBy(base.expected, STABLE_MS, STEP_TIMEOUT_MS);
  const endAt = nowMs();
  const vipOn: NodeName[] = [];
  for (const node of [bed.node1, bed.node2]) if (await node.holdsVip()) vipOn.push(node.name);
  const servedBy = bed.client.current();
  const measured = {
    servedBy,
    vipOn,
    longestGapMs: bed.client.longestGap(actionAt, endAt),
    failedRequests: bed.client.failures(actionAt, endAt),
    ...(since !== undefined ? { switchMs: Math.max(0, Math.round(since - actionAt)) } : {}),
  };
  if (since === undefined) {
    const detail = `${base.expected} did not serve ${VIP} steadily within ${STEP_TIMEOUT_MS / 1000} s (last answer: ${servedBy ?? 'none'}; VIP on: ${vipOn.join(', ') || 'no node'})`;
    return { ...base, ...measured, status: 'failed', detail };
  }
  if (vipOn.length !== 1 || vipOn[0] !== base.expected) {
    return { ...base, ...measured, status: 'failed', detail: `the client is served by ${base.expected} but the VIP is on: ${vipOn.join(', ') || 'no node'}` };
  }
  return { ...base, ...measured, status: 'ok' };
}
