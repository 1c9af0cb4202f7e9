/**
 * The DataPlane port: what the pool asks of a forwarding engine (IPVS, nftables, or none).
 *
 * Contract: `apply(desired)` makes the kernel match the desired pool in one step where the engine
 * allows it; when it fails, the previous state stays in force (nftables: the transaction is
 * rejected whole; IPVS: the adapter rolls back what it changed) and the result says why.
 * `start()` prepares the engine and removes what a killed daemon left behind; `removeAll()`
 * takes everything down (stop). `describe()` is for logs and status.
 */
import type { DesiredPool } from './pool-types.js';

export type DataPlaneKind = 'ipvs' | 'nftables' | 'none';
export type DataPlaneChoice = DataPlaneKind | 'auto';

export const DATA_PLANE_CHOICES: readonly DataPlaneChoice[] = ['auto', 'ipvs', 'nftables', 'none'];

export type ApplyResult =
  | { readonly ok: true; readonly changes: number; readonly warnings: readonly string[]; readonly durationMs: number }
  | { readonly ok: false; readonly error: string; readonly code: string; readonly warnings: readonly string[]; readonly durationMs: number };

export interface DataPlaneDescription {
  readonly kind: DataPlaneKind;
  /** One line for the start-up log: "nftables (table inet keepalived_ts)", "none (events only)". */
  readonly summary: string;
  readonly services: number;
  readonly destinations: number;
  readonly lastError?: string;
}

export interface DataPlane {
  readonly kind: DataPlaneKind;
  start(): Promise<ApplyResult>;
  apply(desired: DesiredPool): Promise<ApplyResult>;
  removeAll(): Promise<ApplyResult>;
  describe(): DataPlaneDescription;
  /** Releases what the adapter holds (a coprocess, a socket); the kernel state is left as is. */
  close?(): Promise<void>;
}

/** Counts for describe(). */
export function poolSize(pool: DesiredPool): { services: number; destinations: number } {
  let destinations = 0;
  for (const s of pool.services) destinations += s.dests.length;
  return { services: pool.services.length, destinations };
}

export function okResult(changes: number, warnings: readonly string[], startedMs: number, nowMs: number): ApplyResult {
  return { ok: true, changes, warnings, durationMs: nowMs - startedMs };
}

export function failResult(code: string, error: string, warnings: readonly string[], startedMs: number, nowMs: number): ApplyResult {
  return { ok: false, code, error, warnings, durationMs: nowMs - startedMs };
}

/** The data plane that does nothing: checks drive notify scripts only. */
export class NoDataPlane implements DataPlane {
  readonly kind = 'none' as const;
  private last: DesiredPool = { services: [] };

  start(): Promise<ApplyResult> {
    return Promise.resolve({ ok: true, changes: 0, warnings: [], durationMs: 0 });
  }

  apply(desired: DesiredPool): Promise<ApplyResult> {
    this.last = desired;
    return Promise.resolve({ ok: true, changes: 0, warnings: [], durationMs: 0 });
  }

  removeAll(): Promise<ApplyResult> {
    this.last = { services: [] };
    return Promise.resolve({ ok: true, changes: 0, warnings: [], durationMs: 0 });
  }

  describe(): DataPlaneDescription {
    return { kind: 'none', summary: 'none (events only, no forwarding)', ...poolSize(this.last) };
  }
}
