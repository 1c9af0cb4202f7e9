/**
 * The checker subsystem's output: a typed stream of real-server events that a load-balancing data
 * plane (IPVS, nftables, or none) consumes. The checker layer only decides; a PoolSink applies.
 * A sink must not block: it is called synchronously from the checker's event path.
 */
import type { Endpoint } from '../config/model/lvs.js';

export type PoolEventType =
  /** First state of a real server at start (or when a reload adds it); no log line. */
  | 'initial'
  /** The real server became healthy: all of its checkers pass. */
  | 'up'
  /** A checker failed: the real server leaves the pool (or gets weight 0 with inhibit). */
  | 'down'
  /** MISC_CHECK misc_dynamic / FILE_CHECK dynamic changed the effective weight. */
  | 'weight'
  /** A reload dropped the real server from the configuration. */
  | 'removed';

export interface PoolEvent {
  readonly type: PoolEventType;
  /** keepalived's names: `[192.0.2.1]:tcp:80`, `FWM 3`, ... */
  readonly virtualServer: string;
  readonly realServer: string;
  readonly endpoint: Endpoint;
  /** Whether the real server is healthy after this event. */
  readonly up: boolean;
  /** Effective weight (configured, or the last dynamic weight). */
  readonly weight: number;
  /** inhibit_on_failure: a down server stays in the pool with weight 0. */
  readonly inhibit: boolean;
  /** Why: the checker's failure or success detail. */
  readonly reason: string;
}

export interface PoolSink {
  apply(event: PoolEvent): void;
}

/** Drops everything: the `none` data plane until one is wired. */
export const NOOP_POOL_SINK: PoolSink = { apply: () => undefined };

/** Keeps every event and the last state of each real server (tests, status dumps). */
export class RecordingPoolSink implements PoolSink {
  readonly events: PoolEvent[] = [];
  private readonly last = new Map<string, PoolEvent>();

  apply(event: PoolEvent): void {
    this.events.push(event);
    const key = poolKey(event.virtualServer, event.realServer);
    if (event.type === 'removed') this.last.delete(key);
    else this.last.set(key, event);
  }

  /** The last known state of one real server of one virtual server. */
  state(virtualServer: string, realServer: string): PoolEvent | undefined {
    return this.last.get(poolKey(virtualServer, realServer));
  }

  /** Real servers currently in the pool (up), as `VS RS` keys. */
  upServers(): string[] {
    return [...this.last.entries()].filter(([, e]) => e.up).map(([k]) => k);
  }
}

export function poolKey(virtualServer: string, realServer: string): string {
  return `${virtualServer} ${realServer}`;
}
