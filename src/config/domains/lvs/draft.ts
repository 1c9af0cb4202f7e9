/**
 * Mutable drafts built while reading the blocks, finalised into the readonly model after the
 * post-parse checks. Timing fields stay undefined until inheritance resolves them.
 */
import type { Span } from '../../diagnostics.js';
import type {
  AddressFamily,
  CheckScript,
  Checker,
  CheckerConnection,
  Forwarding,
  LvsProtocol,
} from '../../model/lvs.js';
import type { VsNameParts } from './format.js';

/** The inheritable timing settings, in microseconds; undefined = inherit. */
export interface TimingDraft {
  delayLoopUs?: bigint;
  connectTimeoutUs?: bigint;
  retry?: number;
  delayBeforeRetryUs?: bigint;
  warmupUs?: bigint;
  alpha?: boolean;
}

/** A checker before inheritance: the final checker is built by `finish`. */
export interface CheckerDraft {
  readonly type: Checker['type'];
  readonly span: Span;
  timing: TimingDraft;
  logAllFailures: boolean;
  connection: { -readonly [K in keyof CheckerConnection]: CheckerConnection[K] };
  /** Builds the model checker from the resolved timing; undefined when the checker is dropped. */
  finish(timing: ResolvedTiming): Checker | undefined;
}

export interface ResolvedTiming {
  readonly delayLoopMs: number;
  readonly connectTimeoutMs: number;
  readonly retry: number;
  readonly delayBeforeRetryMs: number;
  readonly warmupMs: number;
  readonly alpha: boolean;
  readonly logAllFailures: boolean;
}

export interface RealServerDraft {
  address: string;
  family: AddressFamily;
  port: number;
  weight: number;
  forwarding?: Forwarding;
  inhibitOnFailure?: boolean;
  notifyUp?: CheckScript;
  notifyDown?: CheckScript;
  upperThreshold?: number;
  lowerThreshold?: number;
  smtpAlert?: boolean;
  virtualhost?: string;
  timing: TimingDraft;
  checkers: CheckerDraft[];
  readonly span: Span;
}

export interface SorryServerDraft {
  address: string;
  family: AddressFamily;
  port: number;
  inhibit: boolean;
  forwarding?: Forwarding;
}

export interface VirtualServerDraft {
  readonly parts: VsNameParts;
  protocol?: LvsProtocol;
  family?: AddressFamily;
  scheduler?: string;
  schedulerFlags: string[];
  forwarding?: Forwarding;
  persistenceTimeoutS?: number;
  persistenceGranularity?: string;
  persistenceEngine?: string;
  quorum: number;
  hysteresis: number;
  /** `weight` at service level: the default weight of the real servers that follow. */
  defaultWeight: number;
  quorumUp?: CheckScript;
  quorumDown?: CheckScript;
  sorryServer?: SorryServerDraft;
  inhibitOnFailure: boolean;
  omega: boolean;
  haSuspend: boolean;
  ops: boolean;
  virtualhost?: string;
  smtpAlert?: boolean;
  timing: TimingDraft;
  realServers: RealServerDraft[];
  readonly span: Span;
}
