/**
 * The typed VRRP model the engine runs on: instances with their effective settings (defaults,
 * global defaults and strict-mode adjustments applied), scripts, trackers and sync groups.
 * Units are in the names (Cs = centiseconds, Us = microseconds, S = seconds).
 */
import type { IpFamily } from '../syntax/ip.js';
import type { ScriptCommand, ScriptUser } from '../scripts.js';
import type { Span } from '../diagnostics.js';
import type { ParsedRoute } from '../syntax/route.js';
import type { ParsedRule } from '../syntax/rule.js';
import type { ParsedAddress } from '../syntax/address.js';

/**
 * A virtual (or static) address as read by the address syntax (`dev` absent = the instance
 * interface, or default_interface for static addresses; `preferredLft` undefined = the kernel
 * default, 0 for IPv6 /128 VIPs), with where it was written.
 */
export interface VirtualAddress extends Omit<ParsedAddress, 'flags'> {
  readonly flags: readonly ParsedAddress['flags'][number][];
  readonly span: Span;
}

/** A virtual/static route as read (see src/config/syntax/route.ts), with tracking settled. */
export interface RouteSpec extends ParsedRoute {
  readonly span: Span;
}

/** A virtual/static rule as read (see src/config/syntax/rule.ts); `preference` always set. */
export interface RuleSpec extends ParsedRule {
  readonly preference: number;
  readonly span: Span;
}

/** A static_ipaddress entry: always has an interface (its `dev` or default_interface). */
export interface StaticAddress extends VirtualAddress {
  readonly dev: string;
}

export interface GarpGroup {
  readonly garpIntervalUs?: number;
  readonly gnaIntervalUs?: number;
  readonly interfaces: readonly string[];
}

export interface TrackGroup {
  readonly name: string;
  readonly members: readonly string[];
}

export interface LinkbeatInterface {
  readonly name: string;
  readonly method: 'MII' | 'ETHTOOL' | 'IOCTL';
}

export interface InterfaceUpDownDelay {
  readonly name: string;
  readonly downDelayS: number;
  readonly upDelayS: number;
}

export interface ScriptSpec {
  readonly command: ScriptCommand;
  readonly user: ScriptUser;
}

export interface VrrpScript {
  readonly name: string;
  readonly script: ScriptSpec;
  readonly intervalUs: number;
  readonly timeoutUs: number;
  readonly weight: number;
  readonly weightReverse: boolean;
  readonly rise: number;
  readonly fall: number;
  readonly initFail: boolean;
}

export interface TrackFile {
  readonly name: string;
  readonly path: string;
  readonly weight: number;
  readonly weightReverse: boolean;
  readonly initFile?: { readonly value: number; readonly overwrite: boolean };
}

export interface TrackProcess {
  readonly name: string;
  readonly process: string;
  readonly params?: readonly string[];
  readonly paramMatch: 'exact' | 'initial' | 'partial';
  readonly weight: number;
  readonly weightReverse: boolean;
  readonly quorum: number;
  readonly quorumMax: number;
  readonly fullCommand: boolean;
  readonly delayUs: number;
  readonly terminateDelayUs: number;
  readonly forkDelayUs: number;
}

export interface TrackerRef {
  readonly name: string;
  readonly weight: number;
  readonly reverse: boolean;
}

export interface UnicastPeer {
  readonly address: string;
  readonly family: IpFamily;
  readonly minTtl?: number;
  readonly maxTtl?: number;
}

export interface NotifyScripts {
  readonly master?: ScriptSpec;
  readonly backup?: ScriptSpec;
  readonly fault?: ScriptSpec;
  readonly stop?: ScriptSpec;
  readonly deleted?: ScriptSpec;
  readonly generic?: ScriptSpec;
  readonly masterRxLowerPri?: ScriptSpec;
}

export interface GarpSettings {
  readonly masterDelayS: number;
  readonly masterRepeat: number;
  readonly masterRefreshS: number;
  readonly masterRefreshRepeat: number;
  readonly lowerPrioDelayS: number;
  readonly lowerPrioRepeat: number;
}

export interface VrrpInstance {
  readonly name: string;
  readonly span: Span;
  readonly interface?: string;
  readonly vrid: number;
  readonly family: IpFamily;
  readonly version: 2 | 3;
  readonly initialState: 'MASTER' | 'BACKUP';
  readonly priority: number;
  readonly advertIntervalCs: number;
  readonly preempt: boolean;
  readonly preemptDelayUs: number;
  readonly accept: boolean;
  readonly strict: boolean;
  readonly auth?: { readonly type: 'PASS' | 'AH'; readonly password: string };
  readonly vips: readonly VirtualAddress[];
  readonly excludedVips: readonly VirtualAddress[];
  readonly routes: readonly RouteSpec[];
  readonly rules: readonly RuleSpec[];
  readonly unicastSrcIp?: string;
  readonly mcastDstIp?: string;
  readonly unicastPeers: readonly UnicastPeer[];
  readonly unicastTtl?: number;
  readonly unicastFaultNoPeer: boolean;
  readonly checkUnicastSrc: boolean;
  readonly trackInterfaces: readonly TrackerRef[];
  readonly trackScripts: readonly TrackerRef[];
  readonly trackFiles: readonly TrackerRef[];
  readonly trackProcesses: readonly TrackerRef[];
  readonly trackBfds: readonly TrackerRef[];
  readonly dontTrackPrimary: boolean;
  /**
   * track_src_ip: read and kept; keepalived 2.2.7 behaved the same with and without it in every
   * case measured (docs/vrrp-compat.md), so nothing at runtime depends on it.
   */
  readonly trackSrcIp: boolean;
  readonly notify: NotifyScripts;
  readonly notifyPriorityChanges: boolean;
  /** `v3_checksum_as_v2` (keepalived 2.2.8; instance, else global_defs): v3 IPv4 checksum without the pseudo-header. */
  readonly v3ChecksumAsV2: boolean;
  readonly smtpAlert?: boolean;
  readonly garp: GarpSettings;
  readonly useVmac?: { readonly name: string; readonly mac?: string; readonly xmitBase: boolean };
  readonly vrf?: string;
  readonly lowerPrioNoAdvert: boolean;
  readonly higherPrioSendAdvert: boolean;
  readonly skipCheckAdvAddr: boolean;
  readonly downTimerAdverts: number;
  readonly promoteSecondaries: boolean;
  readonly syncGroup?: string;
  /** Every keyword given, with its raw arguments (for settings the engine does not model yet). */
  readonly raw: ReadonlyMap<string, readonly string[]>;
}

export interface SyncGroup {
  readonly name: string;
  /** Instances that exist (others are dropped with keepalived's message). */
  readonly members: readonly string[];
  readonly notify: NotifyScripts;
  readonly trackScripts: readonly TrackerRef[];
  readonly trackInterfaces: readonly TrackerRef[];
  readonly trackFiles: readonly TrackerRef[];
  readonly trackProcesses: readonly TrackerRef[];
  readonly trackingWeight: boolean;
  readonly notifyPriorityChanges: boolean;
  readonly smtpAlert?: boolean;
}

export interface VrrpModel {
  readonly instances: readonly VrrpInstance[];
  readonly scripts: readonly VrrpScript[];
  readonly trackFiles: readonly TrackFile[];
  readonly trackProcesses: readonly TrackProcess[];
  readonly syncGroups: readonly SyncGroup[];
  readonly staticAddresses: readonly StaticAddress[];
  readonly staticRoutes: readonly RouteSpec[];
  readonly staticRules: readonly RuleSpec[];
  readonly garpGroups: readonly GarpGroup[];
  readonly trackGroups: readonly TrackGroup[];
  readonly linkbeatInterfaces: readonly LinkbeatInterface[];
  readonly upDownDelays: readonly InterfaceUpDownDelay[];
}

declare module '../domain.js' {
  interface ConfigModel {
    vrrp: VrrpModel;
  }
}
