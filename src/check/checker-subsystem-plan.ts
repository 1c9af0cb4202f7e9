/**
 * What the checker subsystem should run for a configuration: one ServerPlan per real server of
 * each virtual server, one CheckerPlan per checker, each with a fingerprint of the settings that
 * matter. A reload keeps a running checker (and its state) when its id and fingerprint are
 * unchanged, and a real server's record when its own settings are unchanged.
 */
import type { Checker, CheckerTiming, LvsModel, RealServer, VirtualServer } from '../config/model/lvs.js';
import { checkerTargetName } from './checker-subsystem-messages.js';
import { poolKey } from './checker-subsystem-events.js';

export interface CheckerPlan {
  /** Unique in the subsystem: `VS RS TYPE#index`. */
  readonly id: string;
  readonly checker: Checker;
  /** FMT_CHK: the checker's target as keepalived prints it. */
  readonly target: string;
  readonly timing: CheckerTiming;
  readonly fingerprint: string;
}

export interface ServerPlan {
  /** `VS RS` (poolKey). */
  readonly key: string;
  readonly vs: VirtualServer;
  readonly rs: RealServer;
  readonly inhibit: boolean;
  readonly checkers: readonly CheckerPlan[];
  /** Fingerprint of the real server's own settings (weight, notify, inhibit). */
  readonly fingerprint: string;
}

/** FILE_CHECK and BFD_CHECK carry no timing: they are polled at the virtual server's delay_loop. */
export function eventCheckerTiming(vs: VirtualServer, alpha: boolean): CheckerTiming {
  return { delayLoopMs: vs.delayLoopMs, connectTimeoutMs: 1_000, retry: 0, delayBeforeRetryMs: 0, warmupMs: 0, alpha, logAllFailures: false };
}

export function planServers(lvs: LvsModel | undefined): ServerPlan[] {
  const out: ServerPlan[] = [];
  const seen = new Set<string>();
  for (const vs of lvs?.virtualServers ?? []) {
    for (const rs of vs.realServers) {
      const key = poolKey(vs.name, rs.name);
      if (seen.has(key)) continue; // keepalived ignores a duplicate real server in one VS
      seen.add(key);
      out.push(planServer(vs, rs, key));
    }
  }
  return out;
}

function planServer(vs: VirtualServer, rs: RealServer, key: string): ServerPlan {
  const inhibit = rs.inhibitOnFailure || vs.inhibitOnFailure;
  const checkers = rs.checkers.map((checker, index) => planChecker(vs, rs, key, checker, index));
  const own = { weight: rs.weight, up: rs.notifyUp?.argv, down: rs.notifyDown?.argv, inhibit, endpoint: rs.endpoint };
  return { key, vs, rs, inhibit, checkers, fingerprint: stableJson(own) };
}

function planChecker(vs: VirtualServer, rs: RealServer, key: string, checker: Checker, index: number): CheckerPlan {
  const timing = 'timing' in checker ? checker.timing : eventCheckerTiming(vs, vs.alpha);
  return {
    id: `${key} ${checker.type}#${index + 1}`,
    checker,
    target: checkerTargetName(checker, rs.name, rs.endpoint.address, rs.endpoint.port),
    timing,
    fingerprint: stableJson({ checker, endpoint: rs.endpoint, weight: rs.weight }),
  };
}

/** JSON without spans (a moved line is not a change), typed arrays as hex. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (k, v: unknown) => {
    if (k === 'span') return undefined;
    if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
    return v;
  });
}
