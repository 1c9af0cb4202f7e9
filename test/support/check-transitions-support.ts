/**
 * Shared by test/lab/check-transitions*.test.ts: the real daemon (`keepalived-ts -n -l -C`) in a
 * lab host, a reader of its log that waits for the *next* matching line, and the time bounds of
 * a checker transition derived from the checker's configuration:
 *
 *   DOWN, at the latest:  delay_loop (+ the scheduler's jitter) until the first failing attempt,
 *                         then retry + 1 attempts of at most connect_timeout each, separated by
 *                         retry x delay_before_retry, + 1 s of slack (process start, log pipe);
 *   DOWN, at the earliest: retry x delay_before_retry after the break: the retries were made;
 *   UP, at the latest:    a down checker tries again delay_loop (+ jitter) after a failure, or
 *                         delay_before_retry after one while retries remain (keepalived 2.2.7
 *                         retries in the down state too): the longer of the two + connect_timeout
 *                         + 1 s.
 */
import assert from 'node:assert/strict';
import { DEFAULT_SPREAD } from '../../src/check/scheduler-timing.js';
import type { LabHost, LabProcess } from './lab/index.js';
import { spawnDaemon, waitCheckersActive } from './lab-daemon.js';

export { stopDaemon } from './lab-daemon.js';

/** Timing of one checker, in keepalived.conf units (seconds). */
export interface CheckTiming {
  readonly delayLoopS: number;
  /** connect_timeout, or misc_timeout for MISC_CHECK: the longest one attempt may take. */
  readonly attemptS: number;
  readonly retry: number;
  readonly delayBeforeRetryS: number;
}

/** Node timers may fire a few ms before performance.now() says the delay is over. */
const TIMER_EARLY_MS = 50;
export const SLACK_MS = 1_000;

export function downDeadlineMs(t: CheckTiming): number {
  const firstAttempt = t.delayLoopS * 1_000 * (1 + DEFAULT_SPREAD.jitterFraction);
  return firstAttempt + (t.retry + 1) * t.attemptS * 1_000 + t.retry * t.delayBeforeRetryS * 1_000 + SLACK_MS;
}

export function downFloorMs(t: CheckTiming): number {
  return t.retry * t.delayBeforeRetryS * 1_000 - TIMER_EARLY_MS;
}

export function upDeadlineMs(t: CheckTiming): number {
  const nextAttempt = Math.max(t.delayLoopS * 1_000 * (1 + DEFAULT_SPREAD.jitterFraction), t.retry > 0 ? t.delayBeforeRetryS * 1_000 : 0);
  return nextAttempt + t.attemptS * 1_000 + SLACK_MS;
}

/** Regex source matching `text` literally. */
export function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Counts matching lines of a process (stdout and stderr) and waits for the next one. */
export function countLines(proc: LabProcess, re: RegExp): number {
  return [...proc.stdoutLines, ...proc.stderrLines].filter((l) => re.test(l)).length;
}

/** Resolves with the first line matching `re` after the `seen` matching lines already counted. */
export function nextLine(proc: LabProcess, re: RegExp, seen: number, timeoutMs: number): Promise<string> {
  let matched = 0;
  return proc.waitForLine((l) => re.test(l) && ++matched > seen, timeoutMs);
}

/** The daemon's lines about one real server of one virtual server. */
export class ServiceLog {
  readonly downRe: RegExp;
  readonly upRe: RegExp;
  readonly failureRe: RegExp;

  constructor(
    readonly daemon: LabProcess,
    readonly checkerType: string,
    readonly realServer: string,
    readonly virtualServer: string,
  ) {
    this.downRe = new RegExp(`Removing service ${literal(realServer)} from VS ${literal(virtualServer)}$`);
    this.upRe = new RegExp(`Adding service ${literal(realServer)} to VS ${literal(virtualServer)}$`);
    // log_all_failures: one line per failed attempt that is retried
    this.failureRe = new RegExp(`${literal(checkerType)} on service ${literal(realServer)}: `);
  }

  lines(re: RegExp): string[] {
    return [...this.daemon.stdoutLines, ...this.daemon.stderrLines].filter((l) => re.test(l));
  }
}

export interface DownObservation {
  /** ms from the start of the break to the DOWN line. */
  readonly sinceBreakMs: number;
  /** ms from the end of the break to the DOWN line. */
  readonly sinceBrokenMs: number;
  /** Failure lines (log_all_failures) logged between the break and the DOWN line. */
  readonly failuresLogged: number;
}

/**
 * Breaks the server, waits for the DOWN line, and checks it against the bounds of `t`: not
 * before the retries were made, not after the deadline, preceded by `retry` logged failures and
 * followed by the checker's own "failed" line.
 */
export async function expectDown(log: ServiceLog, t: CheckTiming, breakIt: () => Promise<void>, checkerDownLine: string): Promise<DownObservation> {
  const downsBefore = countLines(log.daemon, log.downRe);
  const failuresBefore = countLines(log.daemon, log.failureRe);
  const checkerDownRe = new RegExp(`${literal(checkerDownLine)}$`);
  const checkerDownsBefore = countLines(log.daemon, checkerDownRe);
  const t0 = performance.now();
  await breakIt();
  const t1 = performance.now();
  const deadline = downDeadlineMs(t);
  const line = await nextLine(log.daemon, log.downRe, downsBefore, deadline + 3_000);
  const at = performance.now();
  const obs = { sinceBreakMs: at - t0, sinceBrokenMs: at - t1, failuresLogged: countLines(log.daemon, log.failureRe) - failuresBefore };
  const what = `${log.realServer} DOWN (${line}) ${Math.round(obs.sinceBreakMs)} ms after the break`;
  assert.ok(obs.sinceBrokenMs <= deadline, `${what}: later than the bound ${Math.round(deadline)} ms`);
  assert.ok(obs.sinceBreakMs >= downFloorMs(t), `${what}: before retry x delay_before_retry = ${downFloorMs(t) + TIMER_EARLY_MS} ms`);
  assert.equal(obs.failuresLogged, t.retry, `${what}: ${t.retry} failed attempt(s) should have been retried first`);
  await nextLine(log.daemon, checkerDownRe, checkerDownsBefore, 1_000);
  return obs;
}

/** Repairs the server and waits for the checker's success line and the UP line within the bound. */
export async function expectUp(log: ServiceLog, t: CheckTiming, fixIt: () => Promise<void>, checkerUpLine: string): Promise<number> {
  const upsBefore = countLines(log.daemon, log.upRe);
  const checkerUpRe = new RegExp(`${literal(checkerUpLine)}$`);
  const checkerUpsBefore = countLines(log.daemon, checkerUpRe);
  await fixIt();
  const t1 = performance.now();
  const deadline = upDeadlineMs(t);
  const line = await nextLine(log.daemon, log.upRe, upsBefore, deadline + 3_000);
  const ms = performance.now() - t1;
  assert.ok(ms <= deadline, `${log.realServer} UP (${line}) after ${Math.round(ms)} ms, bound ${Math.round(deadline)} ms`);
  await nextLine(log.daemon, checkerUpRe, checkerUpsBefore, 1_000);
  return ms;
}

/** Starts `keepalived-ts -n -l -C -f CONF -p PID` in `host`; resolves once the checkers run. */
export async function startDaemon(host: LabHost, dir: string, realServers: number): Promise<LabProcess> {
  const daemon = spawnDaemon(host, dir, ['-C']);
  await waitCheckersActive(daemon, realServers);
  return daemon;
}
