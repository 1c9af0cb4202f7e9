/**
 * The inheritable timing keywords (delay_loop, connect_timeout, retry, delay_before_retry, warmup,
 * alpha) at the three levels where keepalived accepts them, each level with its own messages, and
 * their resolution checker <- real_server <- virtual_server <- defaults.
 */
import type { ConfigNode } from '../../ast.js';
import type { CheckerDraft, ResolvedTiming, TimingDraft } from './draft.js';
import { parseBoolWord, parseTimerUs, parseUnsigned, TIMER_MAX_LONG_US, TIMER_MAX_UINT_US, UINT_MAX } from '../../syntax/numbers.js';
import type { LvsReporter } from './report.js';

export type TimingLevel = 'vs' | 'rs' | 'checker';

const MESSAGES: Record<TimingLevel, Record<'delay_loop' | 'connect_timeout' | 'warmup' | 'delay_before_retry' | 'retry', (v: string) => string>> = {
  vs: {
    delay_loop: (v) => `virtual server delay loop '${v}' invalid - ignoring`,
    connect_timeout: (v) => `virtual server connect_timeout ${v} invalid - ignoring`,
    warmup: (v) => `virtual server warmup '${v}' invalid - ignoring`,
    delay_before_retry: (v) => `virtual server delay before retry '${v}' invalid - ignoring`,
    retry: (v) => `retry value invalid - ${v}`,
  },
  rs: {
    delay_loop: (v) => `real server delay_loop '${v}' invalid - ignoring`,
    connect_timeout: (v) => `real server connect_timeout ${v} invalid - ignoring`,
    warmup: (v) => `real server warmup '${v}' invalid - ignoring`,
    delay_before_retry: (v) => `real server delay_before_retry '${v}' invalid - ignoring`,
    retry: (v) => `retry value invalid - ${v}`,
  },
  checker: {
    delay_loop: (v) => `delay_loop '${v}' is invalid - ignoring`,
    connect_timeout: (v) => `connect_timeout ${v} invalid - ignoring`,
    warmup: (v) => `Invalid warmup connection value '${v}'`,
    delay_before_retry: (v) => `Invalid delay_before_retry connection value '${v}'`,
    retry: (v) => `Invalid retry connection value '${v}'`,
  },
};

function timer(node: ConfigNode, r: LvsReporter, minUs: bigint, maxUs: bigint, msg: (v: string) => string): bigint | undefined {
  const tok = node.args[0] ?? '';
  const v = parseTimerUs(tok, minUs, maxUs, r.numbers(node));
  if (v === undefined) r.error(node, msg(tok));
  return v;
}

/**
 * Applies one timing keyword to a draft. Returns false when `node` is not a timing keyword.
 * `nb_get_retry` is the deprecated HTTP/SSL spelling of retry.
 */
export function applyTimingKeyword(node: ConfigNode, timing: TimingDraft, level: TimingLevel, r: LvsReporter): boolean {
  const m = MESSAGES[level];
  switch (node.keyword) {
    case 'delay_loop': {
      const v = timer(node, r, 1n, TIMER_MAX_LONG_US, m.delay_loop);
      if (v !== undefined) timing.delayLoopUs = v;
      return true;
    }
    case 'connect_timeout': {
      const v = timer(node, r, 1n, TIMER_MAX_UINT_US, m.connect_timeout);
      if (v !== undefined) timing.connectTimeoutUs = v;
      return true;
    }
    case 'warmup': {
      const v = timer(node, r, 0n, TIMER_MAX_LONG_US, m.warmup);
      if (v !== undefined) timing.warmupUs = v;
      return true;
    }
    case 'delay_before_retry': {
      const v = timer(node, r, 0n, TIMER_MAX_LONG_US, m.delay_before_retry);
      if (v !== undefined) timing.delayBeforeRetryUs = v;
      return true;
    }
    case 'retry':
      applyRetry(node, timing, level, r);
      return true;
    case 'alpha': {
      // At virtual_server level keepalived takes no parameter (anything after is ignored).
      const v = level === 'vs' ? true : readOptionalFlag(node, r, (p) => `Invalid alpha parameter ${p}`);
      if (v !== undefined) timing.alpha = v;
      return true;
    }
    default:
      return false;
  }
}

function applyRetry(node: ConfigNode, timing: TimingDraft, level: TimingLevel, r: LvsReporter): void {
  const tok = node.args[0] ?? '';
  const v = parseUnsigned(tok, level === 'checker' ? 0 : 1, UINT_MAX, r.numbers(node));
  if (v === undefined) r.error(node, MESSAGES[level].retry(tok));
  else timing.retry = v;
}

/** `keyword [BOOL]`: bare means true; an invalid word is reported and ignored (undefined). */
export function readOptionalFlag(node: ConfigNode, r: LvsReporter, invalid: (p: string) => string): boolean | undefined {
  const p = node.args[0];
  if (p === undefined) return true;
  const v = parseBoolWord(p);
  if (v === undefined) r.error(node, invalid(p));
  return v;
}

/** keepalived's defaults for a checker type when nothing is inherited. */
export interface CheckerDefaults {
  readonly retry: number;
  /** undefined: delay_loop. */
  readonly delayBeforeRetryUs?: bigint;
}

export function defaultsFor(type: CheckerDraft['type']): CheckerDefaults {
  switch (type) {
    case 'MISC_CHECK':
      return { retry: 0, delayBeforeRetryUs: 1_000_000n };
    case 'DNS_CHECK':
      return { retry: 3 };
    case 'HTTP_GET':
    case 'SSL_GET':
      return { retry: 1, delayBeforeRetryUs: 3_000_000n };
    default:
      return { retry: 1, delayBeforeRetryUs: 1_000_000n };
  }
}

export const DEFAULT_DELAY_LOOP_US = 60_000_000n;
export const DEFAULT_CONNECT_TIMEOUT_US = 5_000_000n;

/** Resolves checker <- real server <- virtual server <- defaults. */
export function resolveTiming(checker: CheckerDraft, rs: TimingDraft, vs: TimingDraft): ResolvedTiming {
  const pick = <K extends keyof TimingDraft>(k: K): TimingDraft[K] => checker.timing[k] ?? rs[k] ?? vs[k];
  const d = defaultsFor(checker.type);
  const delayLoopUs = pick('delayLoopUs') ?? DEFAULT_DELAY_LOOP_US;
  const us = (v: bigint): number => Number(v) / 1000;
  return {
    delayLoopMs: us(delayLoopUs),
    connectTimeoutMs: us(pick('connectTimeoutUs') ?? DEFAULT_CONNECT_TIMEOUT_US),
    retry: pick('retry') ?? d.retry,
    delayBeforeRetryMs: us(pick('delayBeforeRetryUs') ?? d.delayBeforeRetryUs ?? delayLoopUs),
    warmupMs: us(pick('warmupUs') ?? delayLoopUs),
    alpha: pick('alpha') ?? false,
    logAllFailures: checker.logAllFailures,
  };
}
