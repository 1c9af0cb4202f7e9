/**
 * NftVipFilter: the VipFilterPort of the daemon, one nftables table for every no_accept instance
 * (rules in vip-filter-nft.ts). Pure: batches go through an NftBatchPort (the Linux NftRunner).
 *
 * - Each instance says which of its VIPs are dropped now (all while MASTER, none otherwise); the
 *   table holds their union. Changes are applied one batch at a time, in call order.
 * - The first batch creates the whole table (replacing any leftover of a killed daemon) in one
 *   transaction; later ones only add/delete set elements.
 * - A batch the kernel refused changed nothing (nft transactions are atomic): the error is
 *   reported and the previous rules stay; the next change retries from what is installed. A batch
 *   whose outcome is unknown (nft died with it) makes the next one rebuild the table.
 * - cleanup() removes a leftover table at start; close() removes ours at stop.
 */
import type { DriverLog, VipFilterPort, VipSpec } from './ports.js';
import { createBatch, deleteBatch, deltaBatch, elementsOf, isEmpty, type VipFilterElements, type VipFilterOptions } from './vip-filter-nft.js';

export interface NftBatchResult {
  readonly ok: boolean;
  readonly error?: string;
  /** The batch may or may not have been applied. */
  readonly uncertain?: boolean;
}

/** Runs one JSON batch as one kernel transaction (NftRunner). */
export interface NftBatchPort {
  run(batch: unknown, options?: { readonly retryLost?: boolean }): Promise<NftBatchResult>;
}

export class NftVipFilter implements VipFilterPort {
  private readonly wanted = new Map<string, readonly VipSpec[]>();
  /** What the kernel has; undefined = no table of ours, or unknown. */
  private installed: VipFilterElements | undefined;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    readonly options: VipFilterOptions,
    private readonly nft: NftBatchPort,
    private readonly log: Pick<DriverLog, 'error' | 'detail'>,
  ) {}

  drop(instance: string, vips: readonly VipSpec[]): Promise<void> {
    if (vips.length === 0) this.wanted.delete(instance);
    else this.wanted.set(instance, vips);
    return this.enqueue(() => this.apply(instance));
  }

  /** Removes a table of our name left by a previous run (nothing when there is none). */
  cleanup(): Promise<void> {
    return this.enqueue(async () => {
      const r = await this.nft.run(deleteBatch(this.options));
      if (!r.ok) this.log.error(`could not remove a previous nftables table inet ${this.options.table}: ${r.error ?? 'failed'}`);
      this.installed = undefined;
    });
  }

  /** Stop: the table goes (keepalived deletes its tables on exit). */
  close(): Promise<void> {
    this.closed = true;
    this.wanted.clear();
    return this.enqueue(async () => {
      const r = await this.nft.run(deleteBatch(this.options));
      if (!r.ok) this.log.error(`could not remove nftables table inet ${this.options.table}: ${r.error ?? 'failed'}`);
      this.installed = undefined;
    });
  }

  /** Resolves when every queued change has been applied (or reported). */
  idle(): Promise<void> {
    return this.queue;
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work).catch((e: unknown) => {
      this.log.error(`nftables: ${e instanceof Error ? e.message : String(e)}`);
    });
    return this.queue;
  }

  private async apply(instance: string): Promise<void> {
    if (this.closed) return;
    const target = elementsOf([...this.wanted.values()].flat());
    const from = this.installed;
    if (from === undefined && isEmpty(target)) return; // nothing to drop, no table needed yet
    const batch = from === undefined ? createBatch(this.options, target) : deltaBatch(this.options, from, target);
    if (batch.nftables.length === 0) return;
    const r = await this.nft.run(batch, { retryLost: from === undefined });
    if (r.ok) {
      this.installed = target;
      this.log.detail(`nftables: inet ${this.options.table} drops ${describe(target)}`);
      return;
    }
    if (r.uncertain === true) this.installed = undefined;
    this.log.error(`(${instance}) could not update the firewall drop rules (inet ${this.options.table}), previous rules kept: ${r.error ?? 'failed'}`);
  }
}

function describe(e: VipFilterElements): string {
  const all = [...e.v4, ...e.v6, ...e.v6LinkLocal.map(([a, i]) => `${a}%${i}`)];
  return all.length === 0 ? 'nothing' : all.join(' ');
}
