/**
 * The nftables data plane: builds the ruleset (nft-ruleset.ts) and hands it to an `NftPort`
 * (src/os/linux/nft-runner.ts runs `nft -j -f`). Each apply is one transaction; a rejected one
 * leaves the kernel on the previous ruleset, and the plane keeps the previous object list so the
 * next apply deletes the right stale objects.
 */
import {
  failResult, okResult, poolSize, type ApplyResult, type DataPlane, type DataPlaneDescription,
} from '../data-plane.js';
import { buildRuleset, DEFAULT_NFT_TABLE, NO_OBJECTS, removeTableBatch, type NftObjects } from '../nft-ruleset.js';
import type { DesiredPool } from '../pool-types.js';

export interface NftRunResult {
  readonly ok: boolean;
  /** nft's error text when not ok. */
  readonly error?: string;
}

/** Runs one JSON batch atomically. */
export interface NftPort {
  run(batch: unknown): Promise<NftRunResult>;
  /** Releases what the runner holds (its nft coprocess). */
  close?(): Promise<void>;
}

export interface NftPlaneOptions {
  readonly table?: string;
  readonly masquerade?: boolean;
  readonly nowMs?: () => number;
}

export class NftablesDataPlane implements DataPlane {
  readonly kind = 'nftables' as const;
  private objects: NftObjects = NO_OBJECTS;
  private current: DesiredPool = { services: [] };
  private lastError: string | undefined;
  private readonly table: string;
  private readonly nowMs: () => number;

  constructor(private readonly port: NftPort, private readonly options: NftPlaneOptions = {}) {
    this.table = options.table ?? DEFAULT_NFT_TABLE;
    this.nowMs = options.nowMs ?? (() => performance.now());
  }

  /** Removes the table a killed daemon may have left (its conntrack flows keep going). */
  async start(): Promise<ApplyResult> {
    return this.removeAll();
  }

  async apply(desired: DesiredPool): Promise<ApplyResult> {
    const t0 = this.nowMs();
    const build = buildRuleset(desired, this.objects, {
      table: this.table,
      ...(this.options.masquerade !== undefined ? { masquerade: this.options.masquerade } : {}),
    });
    const r = await this.port.run(build.batch);
    if (!r.ok) {
      this.lastError = r.error ?? 'nft failed';
      return failResult('NFT_APPLY_FAILED', `nftables transaction rejected, previous ruleset kept: ${this.lastError}`, build.warnings, t0, this.nowMs());
    }
    this.lastError = undefined;
    this.objects = build.objects;
    this.current = desired;
    return okResult(build.batch.nftables.length, build.warnings, t0, this.nowMs());
  }

  async removeAll(): Promise<ApplyResult> {
    const t0 = this.nowMs();
    const r = await this.port.run(removeTableBatch(this.table));
    if (!r.ok) {
      this.lastError = r.error ?? 'nft failed';
      return failResult('NFT_REMOVE_FAILED', `could not remove table inet ${this.table}: ${this.lastError}`, [], t0, this.nowMs());
    }
    this.objects = NO_OBJECTS;
    this.current = { services: [] };
    return okResult(1, [], t0, this.nowMs());
  }

  async close(): Promise<void> {
    await this.port.close?.();
  }

  describe(): DataPlaneDescription {
    return {
      kind: 'nftables',
      summary: `nftables (table inet ${this.table}${this.options.masquerade === true ? ', masquerade' : ''})`,
      ...poolSize(this.current),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }
}
