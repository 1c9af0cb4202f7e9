/**
 * The desired load-balancing pool: what the pool reducer produces and every data plane applies.
 * Plain data, no kernel notion: a service is a set of matches (address+port, address range, or
 * firewall mark), a scheduler, a forwarding method, optional persistence, and destinations with
 * weights (weight 0 = inhibited: no new connections, established ones kept).
 */
import type { AddressFamily, ForwardingMethod, LvsProtocol } from '../config/model/lvs.js';

/** What a packet must match to belong to a virtual service. */
export type ServiceMatch =
  | {
      readonly kind: 'address';
      readonly family: AddressFamily;
      /** Inclusive address range; first === last for a single VIP. */
      readonly first: string;
      readonly last: string;
      /** 0 = any port (persistent port-less services). */
      readonly port: number;
    }
  | { readonly kind: 'fwmark'; readonly fwmark: number; readonly family?: AddressFamily };

export type DestRole = 'real' | 'sorry';

export interface DesiredDest {
  /** The real server's name as keepalived prints it, or `sorry:<name>`. */
  readonly id: string;
  readonly role: DestRole;
  readonly address: string;
  readonly family: AddressFamily;
  /** 0 = the virtual service's port (or none for fwmark services). */
  readonly port: number;
  /** 0 = inhibited (kept, but takes no new connection). */
  readonly weight: number;
  readonly forwarding: ForwardingMethod;
  readonly upperThreshold?: number;
  readonly lowerThreshold?: number;
}

export interface DesiredService {
  /** The virtual server's name (`[192.0.2.100]:tcp:80`, `FWM 3`, `[group]:0`). */
  readonly id: string;
  readonly matches: readonly ServiceMatch[];
  /** Undefined for fwmark services (any protocol). */
  readonly protocol?: LvsProtocol;
  readonly scheduler: string;
  readonly schedulerFlags: readonly string[];
  readonly forwarding: ForwardingMethod;
  /** Set when the service is persistent. */
  readonly persistenceTimeoutS?: number;
  readonly dests: readonly DesiredDest[];
}

export interface DesiredPool {
  readonly services: readonly DesiredService[];
}

export const EMPTY_POOL: DesiredPool = { services: [] };

/** A real-server transition from the checker subsystem (or a dynamic weight change). */
export type PoolEvent =
  | { readonly type: 'rs-up'; readonly vs: string; readonly rs: string }
  | { readonly type: 'rs-down'; readonly vs: string; readonly rs: string }
  | { readonly type: 'rs-weight'; readonly vs: string; readonly rs: string; readonly weight: number }
  | { readonly type: 'shutdown' };

/** Events out of the pool: the daemon runs scripts / notifies on them. */
export type PoolEffect =
  | { readonly type: 'quorum-up'; readonly vs: string; readonly aliveWeight: number; readonly script?: string }
  | { readonly type: 'quorum-down'; readonly vs: string; readonly aliveWeight: number; readonly script?: string }
  | { readonly type: 'sorry-server-in'; readonly vs: string; readonly sorry: string }
  | { readonly type: 'sorry-server-out'; readonly vs: string; readonly sorry: string }
  /** omega: the down notifiers of servers still up are run at shutdown. */
  | { readonly type: 'rs-down-on-shutdown'; readonly vs: string; readonly rs: string }
  | { readonly type: 'unknown-server'; readonly vs: string; readonly rs: string };

/**
 * The small interface through which the pool consumes real-server transitions. The checker
 * subsystem (or the daemon wiring it) calls `onRealServer`; the pool never imports it.
 */
export interface RealServerEventSink {
  onRealServer(vs: string, rs: string, up: boolean): void;
  onRealServerWeight?(vs: string, rs: string, weight: number): void;
}
