/**
 * The pool's state: for each virtual server, which real servers are alive, their current weight,
 * and whether the quorum is held. Built from the typed LVS model; the reducer (pool-reducer.ts)
 * advances it and pool-desired.ts renders it into the desired pool.
 *
 * Initial liveness follows keepalived: a real server without checkers is always up; with
 * checkers it starts up unless alpha is set (on the virtual server or any of its checkers).
 */
import type { LvsModel, RealServer, VirtualServer } from '../config/model/lvs.js';

export interface RealServerState {
  readonly name: string;
  readonly up: boolean;
  /** The weight in force (config weight, or a dynamic weight set by a checker). */
  readonly weight: number;
  readonly config: RealServer;
}

export interface VirtualServerState {
  readonly name: string;
  readonly config: VirtualServer;
  readonly servers: ReadonlyMap<string, RealServerState>;
  readonly quorumUp: boolean;
}

export interface PoolState {
  readonly virtualServers: ReadonlyMap<string, VirtualServerState>;
  readonly groups: LvsModel['groups'];
  readonly shutDown: boolean;
}

export function startsAlive(vs: VirtualServer, rs: RealServer): boolean {
  const probing = rs.checkers.filter((c) => 'timing' in c);
  if (rs.checkers.length === 0) return true;
  if (vs.alpha) return false;
  return !probing.some((c) => c.timing.alpha);
}

/** Sum of the weights of the live real servers (keepalived's quorum measure). */
export function aliveWeight(servers: ReadonlyMap<string, RealServerState>): number {
  let sum = 0;
  for (const s of servers.values()) if (s.up) sum += s.weight;
  return sum;
}

export function initialVirtualServer(vs: VirtualServer): VirtualServerState {
  const servers = new Map<string, RealServerState>();
  for (const rs of vs.realServers) {
    servers.set(rs.name, { name: rs.name, up: startsAlive(vs, rs), weight: rs.weight, config: rs });
  }
  return { name: vs.name, config: vs, servers, quorumUp: aliveWeight(servers) >= vs.quorum };
}

export function initialPoolState(model: LvsModel): PoolState {
  const virtualServers = new Map<string, VirtualServerState>();
  for (const vs of model.virtualServers) virtualServers.set(vs.name, initialVirtualServer(vs));
  return { virtualServers, groups: model.groups, shutDown: false };
}

/**
 * The quorum decision with hysteresis: a held quorum is lost when the live weight falls below
 * quorum - hysteresis; a lost quorum comes back when it reaches quorum + hysteresis.
 */
export function nextQuorum(held: boolean, alive: number, quorum: number, hysteresis: number): boolean {
  if (held) return alive >= quorum - hysteresis;
  return alive >= quorum + hysteresis;
}

/**
 * Reload: the state of the new configuration with what is known of the running one carried over.
 * A real server present before and after keeps its liveness, and its dynamic weight while its
 * configured weight is unchanged; the quorum is re-evaluated from the held state (no effects: the
 * checkers report real transitions). New real servers start as `startsAlive` says.
 */
export function carryOver(previous: PoolState, next: PoolState): PoolState {
  const virtualServers = new Map<string, VirtualServerState>();
  for (const [name, vs] of next.virtualServers) {
    const old = previous.virtualServers.get(name);
    if (old === undefined) {
      virtualServers.set(name, vs);
      continue;
    }
    const servers = new Map<string, RealServerState>();
    for (const [rsName, rs] of vs.servers) {
      const was = old.servers.get(rsName);
      const weight = was !== undefined && was.config.weight === rs.config.weight ? was.weight : rs.weight;
      servers.set(rsName, was === undefined ? rs : { ...rs, up: was.up, weight });
    }
    const quorumUp = nextQuorum(old.quorumUp, aliveWeight(servers), vs.config.quorum, vs.config.hysteresis);
    virtualServers.set(name, { ...vs, servers, quorumUp });
  }
  return { ...next, virtualServers };
}
