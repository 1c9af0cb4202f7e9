/**
 * The IPVS settings of global_defs as the IPVS data plane and the sync daemon use them:
 * `lvs_timeouts` (0 = leave the kernel's value, as IPVS_CMD_SET_CONFIG does), `lvs_flush`,
 * `lvs_flush_on_stop`, and `lvs_sync_daemon` (sync id defaulting to the instance's
 * virtual_router_id, as keepalived does). Pure.
 */
import type { GlobalModel } from '../../config/model/global.js';
import type { VrrpModel } from '../../config/model/vrrp.js';
import type { IpvsPlaneOptions } from './ipvs-plane.js';
import type { IpvsSyncDaemonSpec } from './ipvs-sync.js';

export function ipvsPlaneOptions(global: GlobalModel | undefined): IpvsPlaneOptions {
  const lvs = global?.lvs;
  if (lvs === undefined) return {};
  const t = lvs.timeoutsS;
  const anyTimeout = t.tcp !== undefined || t.tcpfin !== undefined || t.udp !== undefined;
  return {
    ...(anyTimeout ? { timeouts: { tcpSec: t.tcp ?? 0, tcpFinSec: t.tcpfin ?? 0, udpSec: t.udp ?? 0 } } : {}),
    ...(lvs.flush ? { flushOnStart: true } : {}),
    ...(lvs.flushOnStop !== undefined ? { flushOnStop: lvs.flushOnStop } : {}),
  };
}

export type SyncDaemonSetting =
  | { readonly ok: true; readonly instance: string; readonly spec: IpvsSyncDaemonSpec }
  | { readonly ok: false; readonly reason: string };

/** The sync daemon of `lvs_sync_daemon`, or why there is none (undefined: not configured). */
export function ipvsSyncDaemonSetting(global: GlobalModel | undefined, vrrp: VrrpModel | undefined): SyncDaemonSetting | undefined {
  const sd = global?.lvs.syncDaemon;
  if (sd === undefined) return undefined;
  const inst = vrrp?.instances.find((i) => i.name === sd.instance);
  if (inst === undefined) return { ok: false, reason: `lvs_sync_daemon: no vrrp_instance '${sd.instance}' - no IPVS sync daemon` };
  return {
    ok: true,
    instance: inst.name,
    spec: {
      interface: sd.interface,
      syncId: sd.syncId ?? inst.vrid,
      ...(sd.maxLen !== undefined ? { syncMaxLen: sd.maxLen } : {}),
      ...(sd.group !== undefined ? { mcastGroup: sd.group } : {}),
      ...(sd.port !== undefined ? { mcastPort: sd.port } : {}),
      ...(sd.ttl !== undefined ? { mcastTtl: sd.ttl } : {}),
    },
  };
}
