/**
 * The typed model of global_defs and the other global-pass top-level settings, with keepalived
 * 2.2.7's defaults applied. Durations carry their unit in the name.
 */
import type { ScriptCommand, ScriptUser } from '../scripts.js';

export interface NotifyFifo {
  readonly path: string;
  readonly script?: ScriptCommand;
  /** `user [group]` given after the script's command (else the daemon's default script user). */
  readonly user?: { readonly uid: number; readonly gid: number };
}

export interface GlobalModel {
  /** router_id; default: the host name. */
  readonly routerId: string;
  readonly notificationEmails: readonly string[];
  readonly notificationEmailFrom?: string;
  readonly smtpServer?: { readonly host: string; readonly port: number };
  readonly smtpHeloName?: string;
  readonly smtpConnectTimeoutS: number;
  readonly smtpAlert?: boolean;
  readonly smtpAlertVrrp?: boolean;
  readonly smtpAlertChecker?: boolean;
  /** script_user resolved; null when given but invalid; absent when not given. */
  readonly scriptUser: ScriptUser | null | undefined;
  readonly enableScriptSecurity: boolean;
  /**
   * The default script user was already settled while reading global_defs (a startup/shutdown
   * script without a user, before enable_script_security): keepalived does not look again.
   */
  readonly defaultScriptUserSettled?: boolean;
  readonly vrrp: GlobalVrrpDefaults;
  readonly dynamicInterfaces: boolean;
  readonly allowIfChanges: boolean;
  readonly defaultInterface: string;
  readonly notifyFifo?: NotifyFifo;
  readonly vrrpNotifyFifo?: NotifyFifo;
  readonly lvsNotifyFifo?: NotifyFifo;
  /** lvs_timeouts, lvs_flush, lvs_flush_on_stop, lvs_sync_daemon. */
  readonly lvs: LvsGlobalSettings;
  /** Top-level net_namespace NAME. */
  readonly netNamespace?: string;
  /** Top-level instance NAME. */
  readonly instanceName?: string;
  /** Every accepted keyword with its raw arguments (for keywords the daemon does not act on yet). */
  readonly raw: ReadonlyMap<string, readonly string[]>;
}

export interface LvsGlobalSettings {
  /** lvs_timeouts in seconds (absent: the kernel's value is left alone). */
  readonly timeoutsS: { readonly tcp?: number; readonly tcpfin?: number; readonly udp?: number };
  /** lvs_flush: flush every IPVS service at start. */
  readonly flush: boolean;
  /** lvs_flush_on_stop: bare = 'ALL' flushes IPVS, VS deletes our services (default: ours, one by one). */
  readonly flushOnStop?: 'VS' | 'ALL';
  readonly syncDaemon?: LvsSyncDaemonSettings;
}

/** lvs_sync_daemon IF INSTANCE [id N] [maxlen N] [port N] [ttl N] [group IP]. */
export interface LvsSyncDaemonSettings {
  readonly interface: string;
  /** The vrrp_instance whose MASTER/BACKUP state makes the daemon master/backup. */
  readonly instance: string;
  /** Default: the instance's virtual_router_id. */
  readonly syncId?: number;
  readonly maxLen?: number;
  readonly port?: number;
  readonly ttl?: number;
  readonly group?: string;
}

export interface GlobalVrrpDefaults {
  /** vrrp_version: 2 or 3 (default 2). */
  readonly version: 2 | 3;
  readonly strict: boolean;
  readonly mcastGroup4: string;
  readonly mcastGroup6: string;
  readonly garpMasterDelayS: number;
  readonly garpMasterRepeat: number;
  readonly garpMasterRefreshS: number;
  readonly garpMasterRefreshRepeat: number;
  /** Undefined: same as the master delay/repeat. */
  readonly garpLowerPrioDelayS: number | undefined;
  readonly garpLowerPrioRepeat: number | undefined;
  /** Pacing between GARP/NA per interface, microseconds (0 = none). */
  readonly garpIntervalUs: number;
  readonly gnaIntervalUs: number;
  readonly minGarp: boolean;
  readonly lowerPrioNoAdvert: boolean;
  readonly higherPrioSendAdvert: boolean;
  readonly downTimerAdverts: number;
  readonly skipCheckAdvAddr: boolean;
  readonly checkUnicastSrc: boolean;
  readonly startupDelayUs: number;
  readonly notifyPriorityChanges: boolean;
  readonly logUnknownVrids: boolean;
  /** `v3_checksum_as_v2` in global_defs (keepalived 2.2.8): the instances' default. */
  readonly v3ChecksumAsV2: boolean;
  readonly vmacPrefix?: string;
  readonly vmacAddrPrefix?: string;
}

declare module '../domain.js' {
  interface ConfigModel {
    global: GlobalModel;
  }
}
