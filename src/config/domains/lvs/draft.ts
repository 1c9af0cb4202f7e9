/**
 * Mutable drafts built while reading the blocks, and their finalisation into the readonly model
 * after the post-parse checks: timing inheritance (checker <- real server <- virtual server <-
 * defaults) and the removal of checkers keepalived drops.
 */
import type { Span } from '../../diagnostics.js';
import type {
  AddressFamily,
  CheckScript,
  Checker,
  CheckerConnection,
  CheckerTiming,
  Forwarding,
  LvsProtocol,
  RealServer,
  SorryServer,
  VirtualServer,
  VirtualServerKey,
} from '../../model/lvs.js';
import { rsName, vsName } from './post-checks.js';
import type { VsNameParts } from './report.js';
import { resolveTiming } from './timing.js';

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

/** The timing a checker ends with after inheritance: the model's CheckerTiming. */
export type ResolvedTiming = CheckerTiming;

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

function keyOf(vs: VirtualServerDraft): VirtualServerKey {
  const p = vs.parts;
  if (p.kind === 'fwmark') return p.family ? { kind: 'fwmark', fwmark: p.fwmark ?? 0, family: p.family } : { kind: 'fwmark', fwmark: p.fwmark ?? 0 };
  if (p.kind === 'group') return { kind: 'group', group: p.group ?? '' };
  return { kind: 'address', endpoint: { address: p.address ?? '', family: p.family ?? 'inet', port: p.port ?? 0 } };
}

function finishRealServer(vs: VirtualServerDraft, rs: RealServerDraft): RealServer {
  const checkers: Checker[] = [];
  for (const d of rs.checkers) {
    const c = d.finish(resolveTiming(d, rs.timing, vs.timing));
    if (c) checkers.push(c);
  }
  const out: { -readonly [K in keyof RealServer]: RealServer[K] } = {
    name: rsName(vs, rs),
    endpoint: { address: rs.address, family: rs.family, port: rs.port },
    weight: rs.weight,
    inhibitOnFailure: rs.inhibitOnFailure ?? vs.inhibitOnFailure,
    checkers,
    span: rs.span,
  };
  if (rs.forwarding) out.forwarding = rs.forwarding;
  if (rs.notifyUp) out.notifyUp = rs.notifyUp;
  if (rs.notifyDown) out.notifyDown = rs.notifyDown;
  if (rs.upperThreshold !== undefined) out.upperThreshold = rs.upperThreshold;
  if (rs.lowerThreshold !== undefined) out.lowerThreshold = rs.lowerThreshold;
  if (rs.smtpAlert !== undefined) out.smtpAlert = rs.smtpAlert;
  const vhost = rs.virtualhost ?? vs.virtualhost;
  if (vhost !== undefined) out.virtualhost = vhost;
  return out;
}

function finishSorry(s: SorryServerDraft): SorryServer {
  const out: { -readonly [K in keyof SorryServer]: SorryServer[K] } = {
    endpoint: { address: s.address, family: s.family, port: s.port },
    inhibit: s.inhibit,
  };
  if (s.forwarding) out.forwarding = s.forwarding;
  return out;
}

export function finishVirtualServer(vs: VirtualServerDraft): VirtualServer {
  const out: { -readonly [K in keyof VirtualServer]: VirtualServer[K] } = {
    name: vsName(vs),
    key: keyOf(vs),
    scheduler: vs.scheduler ?? 'wlc',
    schedulerFlags: vs.schedulerFlags,
    forwarding: vs.forwarding ?? { method: 'NAT' },
    delayLoopMs: Number(vs.timing.delayLoopUs ?? 60_000_000n) / 1000,
    quorum: vs.quorum,
    hysteresis: vs.hysteresis,
    inhibitOnFailure: vs.inhibitOnFailure,
    alpha: vs.timing.alpha ?? false,
    omega: vs.omega,
    haSuspend: vs.haSuspend,
    ops: vs.ops,
    realServers: vs.realServers.map((rs) => finishRealServer(vs, rs)),
    span: vs.span,
  };
  const opt = <K extends keyof VirtualServer>(k: K, v: VirtualServer[K] | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  opt('protocol', vs.protocol);
  opt('family', vs.family ?? vs.parts.family);
  opt('persistenceTimeoutS', vs.persistenceTimeoutS);
  opt('persistenceGranularity', vs.persistenceGranularity);
  opt('persistenceEngine', vs.persistenceEngine);
  opt('quorumUp', vs.quorumUp);
  opt('quorumDown', vs.quorumDown);
  opt('virtualhost', vs.virtualhost);
  opt('smtpAlert', vs.smtpAlert);
  if (vs.sorryServer) out.sorryServer = finishSorry(vs.sorryServer);
  return out;
}
