/**
 * The typed model of bfd_instance blocks (RFC 5880 sessions), validated as keepalived 2.2.7 does.
 */
import type { Span } from '../diagnostics.js';

export interface BfdInstance {
  readonly name: string;
  readonly neighbor: string;
  readonly family: 'inet' | 'inet6';
  readonly source?: string;
  /** Desired min RX interval, microseconds (default 10 ms). */
  readonly minRxUs: number;
  /** Desired min TX interval, microseconds (default 10 ms). */
  readonly minTxUs: number;
  /** TX interval while the session is down, microseconds (default 1 s). */
  readonly idleTxUs: number;
  /** Detection multiplier (default 5). */
  readonly multiplier: number;
  readonly passive: boolean;
  /** Outgoing TTL / hop limit (default 255). */
  readonly ttl: number;
  /** Maximum hops accepted on receipt; -1 disables the check (default 0: single hop). */
  readonly maxHops: number;
  readonly span: Span;
}

export interface BfdModel {
  readonly instances: readonly BfdInstance[];
}

declare module '../domain.js' {
  interface ConfigModel {
    bfd: BfdModel;
  }
}
