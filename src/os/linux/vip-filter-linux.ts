/**
 * The Linux side of the no_accept firewall: NftVipFilter (src/vrrp/vip-filter.ts) over the nft
 * runner (a long-lived `nft -j -i` coprocess, one-shot `nft -j` as fallback). One per VRRP
 * subsystem; created only when some instance runs with no_accept.
 */
import type { GlobalModel } from '../../config/model/global.js';
import type { DriverLog } from '../../vrrp/ports.js';
import { NftVipFilter } from '../../vrrp/vip-filter.js';
import { vipFilterOptions } from '../../vrrp/vip-filter-nft.js';
import { NftRunner } from './nft-runner.js';
import { LinuxProcessRunner } from './process-runner.js';

export interface LinuxVipFilter {
  readonly filter: NftVipFilter;
  /** Removes the table and ends the nft coprocess. */
  close(): Promise<void>;
}

export function openLinuxVipFilter(global: Pick<GlobalModel, 'raw'>, log: Pick<DriverLog, 'error' | 'detail'>): LinuxVipFilter {
  const runner = new NftRunner(new LinuxProcessRunner());
  const filter = new NftVipFilter(vipFilterOptions(global), runner, log);
  return {
    filter,
    close: async () => {
      await filter.close();
      await runner.close();
    },
  };
}
