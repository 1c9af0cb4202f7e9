/**
 * Drafts -> the readonly model: timing inheritance (checker <- real server <- virtual server <-
 * defaults) and the removal of checkers keepalived drops.
 */
import type { Checker, RealServer, SorryServer, VirtualServer, VirtualServerKey } from '../../model/lvs.js';
import type { RealServerDraft, SorryServerDraft, VirtualServerDraft } from './draft.js';
import { rsName, vsName } from './post-checks.js';
import { resolveTiming } from './timing.js';

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
