/**
 * The Linux data-plane factories for selectDataPlane (src/lb/plane-select.ts): IPVS through the
 * generic-netlink IpvsClient (IpvsUnavailableError, code IPVS_UNAVAILABLE, on a kernel without
 * IPVS), nftables through `nft` run by the asynchronous ProcessRunner (lb_kind DR: the real
 * servers' on-link devices from `ip -j route get`).
 */
import type { DataPlane } from '../../lb/data-plane.js';
import type { DataPlaneFactories } from '../../lb/plane-select.js';
import { IpvsDataPlane, type IpvsPlaneOptions } from '../../lb/planes/ipvs-plane.js';
import type { IpvsPort } from '../../lb/planes/ipvs-port.js';
import type { IpvsSyncPort } from '../../lb/planes/ipvs-sync.js';
import { NftablesDataPlane, type NftPlaneOptions } from '../../lb/planes/nft-plane.js';
import { NetlinkClient } from './netlink/client.js';
import { IpvsClient } from './netlink/ipvs.js';
import { NftRunner, type NftRunnerOptions } from './nft-runner.js';
import type { ProcessRunner } from './process-runner.js';

export interface LinuxPlaneOptions {
  readonly runner: ProcessRunner;
  readonly ipvs?: IpvsPlaneOptions;
  readonly nftables?: NftPlaneOptions & NftRunnerOptions;
}

/** The IpvsClient is the IpvsPort (checked here at compile time). */
export async function openIpvsPort(): Promise<{ port: IpvsPort; close(): void }> {
  const netlink = NetlinkClient.openGeneric();
  try {
    const client = await IpvsClient.open(netlink);
    const port: IpvsPort = client;
    return { port, close: () => netlink.close() };
  } catch (e) {
    netlink.close();
    throw e;
  }
}

/** The IpvsClient as the sync daemon's port (lvs_sync_daemon; IpvsUnavailableError without IPVS). */
export async function openIpvsSyncPort(): Promise<{ port: IpvsSyncPort; close(): void }> {
  const netlink = NetlinkClient.openGeneric();
  try {
    const port: IpvsSyncPort = await IpvsClient.open(netlink);
    return { port, close: () => netlink.close() };
  } catch (e) {
    netlink.close();
    throw e;
  }
}

const ROUTE_GET_TIMEOUT_MS = 2_000;

/**
 * lb_kind DR on nftables: the device of each real server's directly connected route
 * (`ip -j route get ADDR`: a route through a gateway, or none, leaves the address out).
 */
export function onLinkDevices(runner: ProcessRunner, argvPrefix: readonly string[] = []): (addresses: readonly string[]) => Promise<Map<string, string>> {
  return async (addresses) => {
    const out = new Map<string, string>();
    for (const address of addresses) {
      const r = await runner.run({ argv: [...argvPrefix, 'ip', '-j', 'route', 'get', address], timeoutMs: ROUTE_GET_TIMEOUT_MS });
      if (r.kind !== 'exited' || r.exitCode !== 0) continue;
      try {
        const [route] = JSON.parse(r.stdout) as { dev?: unknown; gateway?: unknown; type?: unknown }[];
        if (route !== undefined && typeof route.dev === 'string' && route.gateway === undefined && route.type !== 'local') out.set(address, route.dev);
      } catch {
        // not JSON: leave the address out (reported as not on-link)
      }
    }
    return out;
  };
}

export function linuxDataPlaneFactories(options: LinuxPlaneOptions): DataPlaneFactories {
  return {
    ipvs: async (): Promise<DataPlane> => new IpvsDataPlane((await openIpvsPort()).port, options.ipvs ?? {}),
    nftables: async (): Promise<DataPlane> => {
      const runner = new NftRunner(options.runner, options.nftables ?? {});
      const probe = await runner.probe();
      if (!probe.ok) throw Object.assign(new Error(`nft is not usable: ${probe.error ?? ''}`), { code: 'NFT_UNAVAILABLE' });
      const argvPrefix = options.nftables?.argvPrefix ?? [];
      return new NftablesDataPlane(runner, { resolveDevices: onLinkDevices(options.runner, argvPrefix), ...(options.nftables ?? {}) });
    },
  };
}
