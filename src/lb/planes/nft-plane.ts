/**
 * The nftables data plane: builds the ruleset (nft-ruleset.ts) and hands it to an `NftPort`
 * (src/os/linux/nft-runner.ts). Each apply is one transaction; a rejected one leaves the kernel on
 * the previous ruleset.
 *
 * The first apply (and the first after a failure or removeAll) is a full rebuild; the others send
 * only the difference from the state last applied (nft-diff.ts), small enough for the nft
 * coprocess. When a batch fails and the port can list the table, the plane resyncs its object
 * list from the kernel and retries once with a full rebuild: a coprocess that died after
 * committing a batch, or a table edited by hand, never leaves the plane failing forever.
 * lb_kind DR services live in a second table (`netdev <table>_dr`, nft-dr.ts), rebuilt in the same
 * transaction whenever its content changes; removeAll removes both tables.
 */
import {
  failResult, okResult, poolSize, type ApplyResult, type DataPlane, type DataPlaneDescription,
} from '../data-plane.js';
import { diffRuleset } from '../nft-diff.js';
import { buildRuleset, DEFAULT_NFT_TABLE, NO_OBJECTS, removeTableBatch, type NftBuild, type NftObjects } from '../nft-ruleset.js';
import { buildDrRuleset, drAddresses, removeDrTableCommands, type DeviceOf, type DrBuild } from '../nft-dr.js';
import { objectsOfState, type NftState } from '../nft-state.js';
import type { DesiredPool } from '../pool-types.js';

export interface NftRunResult {
  readonly ok: boolean;
  /** nft's error text when not ok. */
  readonly error?: string;
  /** Not ok, and whether the batch was applied is unknown (the nft coprocess died with it). */
  readonly uncertain?: boolean;
}

export interface NftRunOptions {
  /** false: a batch lost with the coprocess is not re-run (it is reported `uncertain`). */
  readonly retryLost?: boolean;
}

/** Runs one JSON batch atomically. */
export interface NftPort {
  run(batch: unknown, options?: NftRunOptions): Promise<NftRunResult>;
  /** The regular chains and the sets of `inet TABLE` in the kernel (undefined: could not list). */
  listObjects?(table: string): Promise<NftObjects | undefined>;
  /** Releases what the runner holds (its nft coprocess). */
  close?(): Promise<void>;
}

export interface NftPlaneOptions {
  readonly table?: string;
  readonly masquerade?: boolean;
  readonly nowMs?: () => number;
  /** false: every apply is a full rebuild (the anchor of bench:pool). Default true. */
  readonly incremental?: boolean;
  /**
   * lb_kind DR: the device of each real-server address (its directly connected route); absent
   * addresses are not on-link. Without it DR services are reported and not installed.
   */
  readonly resolveDevices?: (addresses: readonly string[]) => Promise<DeviceOf>;
}

/** The DR table is absent (after removeAll), or unknown (undefined: rebuild it on the next apply). */
const NO_DR_TABLE = '[]';

export class NftablesDataPlane implements DataPlane {
  readonly kind = 'nftables' as const;
  private objects: NftObjects = NO_OBJECTS;
  /** What the table holds after the last accepted apply; undefined: the next apply is full. */
  private state: NftState | undefined;
  /** The last apply failed: resync the object list from the kernel before the full rebuild. */
  private resync = false;
  private current: DesiredPool = { services: [] };
  private lastError: string | undefined;
  private readonly table: string;
  private readonly nowMs: () => number;
  /** The key of the DR table in the kernel (nft-dr.ts); undefined: unknown. start() removes a leftover. */
  private drKey: string | undefined = NO_DR_TABLE;
  private readonly devices = new Map<string, string>();

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
    const dr = await this.buildDr(desired);
    const build = this.build(desired);
    const warnings = [...build.warnings, ...dr.warnings];
    const diff = this.state !== undefined && this.options.incremental !== false ? diffRuleset(this.state, build.state) : undefined;
    if (diff === undefined) return this.applyFull(desired, build, dr, warnings, t0);
    const drCommands = dr.key === this.drKey ? [] : dr.commands;
    const batch = { nftables: [...diff.batch.nftables, ...drCommands] };
    const commands = batch.nftables.length;
    const r = commands === 0 ? { ok: true } : await this.port.run(batch, { retryLost: false });
    if (r.ok) {
      this.drKey = dr.key;
      return this.accepted(desired, diff.applied, commands, warnings, t0);
    }
    this.state = undefined;
    this.forgetDr(dr);
    this.resync = true;
    if (this.port.listObjects !== undefined) return this.applyFull(desired, build, dr, warnings, t0);
    return this.rejected(r.error, warnings, t0);
  }

  /** After a failed batch the DR table is unknown, unless there was none and none was wanted. */
  private forgetDr(dr: DrBuild): void {
    if (this.drKey !== NO_DR_TABLE || dr.key !== NO_DR_TABLE) this.drKey = undefined;
  }

  /** The DR table (a real server's device is resolved until found, then kept). */
  private async buildDr(desired: DesiredPool): Promise<DrBuild> {
    const wanted = drAddresses(desired).filter((a) => !this.devices.has(a));
    if (wanted.length > 0 && this.options.resolveDevices !== undefined) {
      const found = await this.options.resolveDevices(wanted).catch(() => new Map<string, string>());
      for (const [a, dev] of found) this.devices.set(a, dev);
    }
    return buildDrRuleset(desired, this.devices, this.table);
  }

  /** Full rebuild (resynced from the kernel after a failure); one resynced retry when it fails. */
  private async applyFull(desired: DesiredPool, first: NftBuild, dr: DrBuild, warnings: readonly string[], t0: number): Promise<ApplyResult> {
    let build = this.resync ? await this.resynced(desired) : first;
    const withDr = (b: NftBuild): { nftables: readonly unknown[] } => ({ nftables: [...b.batch.nftables, ...(dr.key === this.drKey ? [] : dr.commands)] });
    let r = await this.port.run(withDr(build));
    if (!r.ok && this.port.listObjects !== undefined && !this.resync) {
      build = await this.resynced(desired);
      this.forgetDr(dr);
      r = await this.port.run(withDr(build));
    }
    if (!r.ok) {
      this.state = undefined;
      this.forgetDr(dr);
      this.resync = true;
      return this.rejected(r.error, warnings, t0);
    }
    this.resync = false;
    const commands = withDr(build).nftables.length;
    this.drKey = dr.key;
    return this.accepted(desired, build.state, commands, warnings, t0);
  }

  private async resynced(desired: DesiredPool): Promise<NftBuild> {
    const listed = await this.port.listObjects?.(this.table);
    if (listed !== undefined) this.objects = listed;
    return this.build(desired);
  }

  private build(desired: DesiredPool): NftBuild {
    return buildRuleset(desired, this.objects, {
      table: this.table,
      ...(this.options.masquerade !== undefined ? { masquerade: this.options.masquerade } : {}),
    });
  }

  private accepted(desired: DesiredPool, state: NftState, commands: number, warnings: readonly string[], t0: number): ApplyResult {
    this.lastError = undefined;
    this.state = state;
    this.objects = objectsOfState(state);
    this.current = desired;
    return okResult(commands, warnings, t0, this.nowMs());
  }

  private rejected(error: string | undefined, warnings: readonly string[], t0: number): ApplyResult {
    this.lastError = error ?? 'nft failed';
    return failResult('NFT_APPLY_FAILED', `nftables transaction rejected, previous ruleset kept: ${this.lastError}`, warnings, t0, this.nowMs());
  }

  async removeAll(): Promise<ApplyResult> {
    const t0 = this.nowMs();
    const r = await this.port.run({ nftables: [...removeTableBatch(this.table).nftables, ...removeDrTableCommands(this.table)] });
    if (!r.ok) {
      this.lastError = r.error ?? 'nft failed';
      this.drKey = undefined;
      return failResult('NFT_REMOVE_FAILED', `could not remove table inet ${this.table}: ${this.lastError}`, [], t0, this.nowMs());
    }
    this.drKey = NO_DR_TABLE;
    this.objects = NO_OBJECTS;
    this.state = undefined;
    this.resync = false;
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
