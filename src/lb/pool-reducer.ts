/**
 * The pool reducer: `reducePool(state, event) -> { state, effects }`, pure. Real-server UP/DOWN
 * (and dynamic weight) events update liveness, then the quorum is re-evaluated with hysteresis;
 * quorum and sorry-server transitions come out as effects (the daemon runs quorum_up/quorum_down
 * and logs). `shutdown` emits the omega down notifications. The desired pool is rendered from
 * the state by `desiredPool` (pool-desired.ts).
 */
import type { PoolEffect, PoolEvent } from './pool-types.js';
import {
  aliveWeight, nextQuorum, type PoolState, type RealServerState, type VirtualServerState,
} from './pool-state.js';

export interface PoolStep {
  readonly state: PoolState;
  readonly effects: readonly PoolEffect[];
  /** False when the event changed nothing (the data plane need not be touched). */
  readonly changed: boolean;
}

export function reducePool(state: PoolState, event: PoolEvent): PoolStep {
  if (state.shutDown) return { state, effects: [], changed: false };
  if (event.type === 'shutdown') return shutdown(state);
  const vs = state.virtualServers.get(event.vs);
  const rs = vs?.servers.get(event.rs);
  if (vs === undefined || rs === undefined) {
    return { state, effects: [{ type: 'unknown-server', vs: event.vs, rs: event.rs }], changed: false };
  }
  const updated = applyToServer(rs, event);
  if (updated.up === rs.up && updated.weight === rs.weight) return { state, effects: [], changed: false };
  const servers = new Map(vs.servers);
  servers.set(rs.name, updated);
  const { next, effects } = requorum({ ...vs, servers });
  const virtualServers = new Map(state.virtualServers);
  virtualServers.set(vs.name, next);
  return { state: { ...state, virtualServers }, effects, changed: true };
}

function applyToServer(rs: RealServerState, event: Exclude<PoolEvent, { type: 'shutdown' }>): RealServerState {
  switch (event.type) {
    case 'rs-up': return { ...rs, up: true };
    case 'rs-down': return { ...rs, up: false };
    case 'rs-weight': return { ...rs, weight: Math.max(0, Math.trunc(event.weight)) };
  }
}

function requorum(vs: VirtualServerState): { next: VirtualServerState; effects: PoolEffect[] } {
  const alive = aliveWeight(vs.servers);
  const held = nextQuorum(vs.quorumUp, alive, vs.config.quorum, vs.config.hysteresis);
  if (held === vs.quorumUp) return { next: vs, effects: [] };
  return { next: { ...vs, quorumUp: held }, effects: quorumEffects(vs, held, alive) };
}

function quorumEffects(vs: VirtualServerState, held: boolean, alive: number): PoolEffect[] {
  const cfg = vs.config;
  const script = held ? cfg.quorumUp?.cmd : cfg.quorumDown?.cmd;
  const effects: PoolEffect[] = [
    { type: held ? 'quorum-up' : 'quorum-down', vs: vs.name, aliveWeight: alive, ...(script !== undefined ? { script } : {}) },
  ];
  const sorry = cfg.sorryServer;
  if (sorry !== undefined) {
    const label = `${sorry.endpoint.address}:${sorry.endpoint.port}`;
    effects.push({ type: held ? 'sorry-server-out' : 'sorry-server-in', vs: vs.name, sorry: label });
  }
  return effects;
}

function shutdown(state: PoolState): PoolStep {
  const effects: PoolEffect[] = [];
  for (const vs of state.virtualServers.values()) {
    if (!vs.config.omega) continue;
    for (const rs of vs.servers.values()) {
      if (rs.up) effects.push({ type: 'rs-down-on-shutdown', vs: vs.name, rs: rs.name });
    }
  }
  return { state: { ...state, shutDown: true }, effects, changed: true };
}

/** Convenience for the checker wiring: turns a transition into a pool event. */
export function realServerEvent(vs: string, rs: string, up: boolean): PoolEvent {
  return up ? { type: 'rs-up', vs, rs } : { type: 'rs-down', vs, rs };
}
