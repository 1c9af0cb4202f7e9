/**
 * Renders the pool state into the desired pool (pool-types.ts), keepalived's rules:
 *
 * - quorum held: every live real server at its weight; a dead one is removed, or kept at weight 0
 *   with inhibit_on_failure (VS- or RS-level); a sorry server with sorry_server_inhibit stays in
 *   at weight 0, otherwise it is absent;
 * - quorum lost with a sorry server: the sorry server (weight 1) replaces the real servers (the
 *   inhibited ones stay at weight 0, so their established connections are kept);
 * - quorum lost without a sorry server: the live servers stay (only quorum_down fires);
 * - after shutdown: nothing.
 */
import type { Endpoint, VirtualServer, VirtualServerGroup } from '../config/model/lvs.js';
import type { DesiredDest, DesiredPool, DesiredService, ServiceMatch } from './pool-types.js';
import type { PoolState, RealServerState, VirtualServerState } from './pool-state.js';

export function desiredPool(state: PoolState): DesiredPool {
  if (state.shutDown) return { services: [] };
  const services: DesiredService[] = [];
  for (const vs of state.virtualServers.values()) services.push(desiredService(vs, state.groups));
  return { services };
}

export function desiredService(vs: VirtualServerState, groups: PoolState['groups']): DesiredService {
  const cfg = vs.config;
  return {
    id: vs.name,
    matches: serviceMatches(cfg, groups),
    ...(cfg.protocol !== undefined ? { protocol: cfg.protocol } : {}),
    scheduler: cfg.scheduler,
    schedulerFlags: cfg.schedulerFlags,
    forwarding: cfg.forwarding.method,
    ...(cfg.persistenceTimeoutS !== undefined ? { persistenceTimeoutS: cfg.persistenceTimeoutS } : {}),
    dests: desiredDests(vs),
  };
}

function desiredDests(vs: VirtualServerState): DesiredDest[] {
  const cfg = vs.config;
  const sorry = cfg.sorryServer;
  const sorryInUse = !vs.quorumUp && sorry !== undefined;
  const dests: DesiredDest[] = [];
  for (const rs of vs.servers.values()) {
    const weight = realWeight(cfg, rs, sorryInUse);
    if (weight !== undefined) dests.push(realDest(cfg, rs, weight));
  }
  if (sorry !== undefined && (sorryInUse || sorry.inhibit)) {
    dests.push(sorryDest(cfg, sorry.endpoint, sorry.forwarding?.method ?? cfg.forwarding.method, sorryInUse ? 1 : 0));
  }
  return dests;
}

/** The weight a real server gets in the pool, or undefined when it is out of it. */
function realWeight(cfg: VirtualServer, rs: RealServerState, sorryInUse: boolean): number | undefined {
  const inhibit = cfg.inhibitOnFailure || rs.config.inhibitOnFailure;
  if (sorryInUse) return inhibit ? 0 : undefined;
  if (rs.up) return rs.weight;
  return inhibit ? 0 : undefined;
}

function realDest(cfg: VirtualServer, rs: RealServerState, weight: number): DesiredDest {
  const c = rs.config;
  return {
    id: rs.name,
    role: 'real',
    address: c.endpoint.address,
    family: c.endpoint.family,
    port: c.endpoint.port,
    weight,
    forwarding: c.forwarding?.method ?? cfg.forwarding.method,
    ...(c.upperThreshold !== undefined ? { upperThreshold: c.upperThreshold } : {}),
    ...(c.lowerThreshold !== undefined ? { lowerThreshold: c.lowerThreshold } : {}),
  };
}

function sorryDest(cfg: VirtualServer, ep: Endpoint, forwarding: DesiredDest['forwarding'], weight: number): DesiredDest {
  return {
    id: `sorry:${cfg.name}`,
    role: 'sorry',
    address: ep.address,
    family: ep.family,
    port: ep.port,
    weight,
    forwarding,
  };
}

export function serviceMatches(cfg: VirtualServer, groups: PoolState['groups']): ServiceMatch[] {
  const key = cfg.key;
  switch (key.kind) {
    case 'address': {
      const ep = key.endpoint;
      return [{ kind: 'address', family: ep.family, first: ep.address, last: ep.address, port: ep.port }];
    }
    case 'fwmark':
      return [{ kind: 'fwmark', fwmark: key.fwmark, ...(key.family !== undefined ? { family: key.family } : {}) }];
    case 'group':
      return groupMatches(groups.get(key.group));
  }
}

function groupMatches(group: VirtualServerGroup | undefined): ServiceMatch[] {
  if (group === undefined) return [];
  return group.entries.map((e): ServiceMatch =>
    e.kind === 'range'
      ? { kind: 'address', family: e.family, first: e.first, last: e.last, port: e.port }
      : { kind: 'fwmark', fwmark: e.fwmark, ...(e.family !== undefined ? { family: e.family } : {}) },
  );
}
