/**
 * Config model instance -> what the driver runs: the engine's VrrpInstanceParams (every effective
 * setting) plus the instance's binding to the host (interface, VIPs to install, unicast TTL,
 * tracked interface). Pure: the primary address of an interface is looked up through a callback.
 */
import type { GlobalModel } from '../config/model/global.js';
import type { NotifyScripts, RouteSpec, RuleSpec, SyncGroup, TrackerRef, VirtualAddress, VrrpInstance } from '../config/model/vrrp.js';
import { checkParams, type GarpSchedule, type UnicastPeerParams, type VrrpAuth, type VrrpInstanceParams } from './params.js';
import type { VrrpFamily } from './packet-types.js';
import type { RouteEntry, RuleEntry, VipSpec, VmacSpec } from './ports.js';
import type { TrackedInterface } from './driver-track.js';

export interface InstanceBinding {
  readonly params: VrrpInstanceParams;
  readonly interfaceName: string;
  /** Advertised VIPs then excluded VIPs, as installed while MASTER. */
  readonly vips: readonly VipSpec[];
  /** virtual_routes, installed after the VIPs while MASTER (as configured, without the span; absent = none). */
  readonly routes?: readonly RouteEntry[];
  /** virtual_rules, installed after the routes while MASTER (absent = none). */
  readonly rules?: readonly RuleEntry[];
  /** TTL of unicast adverts (`unicast_ttl`, default 255). */
  readonly unicastTtl: number;
  /** Whether the instance interface going down puts the instance in FAULT (not dont_track_primary). */
  readonly trackInterface: boolean;
  /** mcast_src_ip / unicast_src_ip given: the source is not taken from the interface (absent = false). */
  readonly sourceConfigured?: boolean;
  /**
   * no_accept (explicit, or vrrp_strict) on a non-owner: VIP traffic dropped while MASTER. An
   * owner (priority 255) always accepts: keepalived 2.2.7 installs no rule for it.
   */
  readonly noAccept?: boolean;
  /** Settings we read but do not act on (reported once at startup). */
  readonly unsupported: readonly string[];
  /** notify_* scripts (resolved by the config layer; absent = none). */
  readonly notify?: NotifyScripts;
  /** track_interface entries (absent = none). */
  readonly trackedInterfaces?: readonly TrackedInterface[];
  /** track_script entries, weight defaulted to the script's (absent = none). */
  readonly trackedScripts?: readonly TrackedInterface[];
  /** track_file entries, weight defaulted to the file's (absent = none). */
  readonly trackedFiles?: readonly TrackedInterface[];
  /** track_process entries, weight defaulted to the definition's (absent = none). */
  readonly trackedProcesses?: readonly TrackedInterface[];
  /** use_vmac: created before the instance starts, deleted after it stops (absent = none). */
  readonly vmac?: VmacBinding;
}

export interface VmacBinding extends VmacSpec {
  /** vmac_xmit_base: adverts are sent (and received) on the base interface. */
  readonly xmitBase: boolean;
  /** The default name (`vrrp.VRID`): when another interface has it, keepalived tries vrrp1.VRID, vrrp2.VRID ... */
  readonly defaultName: boolean;
  /** Set when another name was taken instead: the configured one (reload matches on it). */
  readonly configuredName?: string;
}

export class ConfigAdapterError extends Error {
  readonly code = 'ERR_VRRP_CONFIG_ADAPTER';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigAdapterError';
  }
}

/** Looks up an interface's primary IPv4 address or IPv6 link-local address. */
export type PrimaryAddressLookup = (interfaceName: string, family: VrrpFamily) => string | undefined;

const SCOPE_NUMBERS: Readonly<Record<string, number>> = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 };
const US_PER_MS = 1000;
const MS_PER_S = 1000;

function scopeNumber(scope: string | undefined): number | undefined {
  if (scope === undefined) return undefined;
  if (/^[0-9]+$/.test(scope)) return Number(scope);
  return SCOPE_NUMBERS[scope];
}

function familyOf(instance: VrrpInstance): VrrpFamily {
  return instance.family === 6 ? 'ipv6' : 'ipv4';
}

/** One configured address -> the kernel's view (interface defaulted, IPv6 flags as keepalived). */
export function vipSpec(vip: VirtualAddress, defaultInterface: string): VipSpec {
  const ipv6 = vip.address.includes(':');
  const scope = scopeNumber(vip.scope);
  const lifetime = vip.preferredLft === 'forever' ? undefined : vip.preferredLft ?? (ipv6 && vip.prefixLength === 128 ? 0 : undefined);
  return {
    address: vip.address,
    prefixLength: vip.prefixLength,
    interfaceName: vip.dev ?? defaultInterface,
    ...(vip.broadcast !== undefined ? { broadcast: vip.broadcast } : {}),
    ...(vip.label !== undefined ? { label: vip.label } : {}),
    ...(scope !== undefined ? { scope } : {}),
    ...(vip.peer !== undefined ? { peer: vip.peer } : {}),
    ...(ipv6 || vip.flags.includes('nodad') ? { nodad: true } : {}),
    ...(vip.flags.includes('noprefixroute') ? { noPrefixRoute: true } : {}),
    ...(vip.flags.includes('home') ? { homeAddress: true } : {}),
    ...(lifetime !== undefined ? { preferredLifetimeS: lifetime } : {}),
  };
}

/** A configured route as the route port takes it (where it was written left out: reload compares bindings). */
export function routeEntry(route: RouteSpec): RouteEntry {
  const { span: _span, ...entry } = route;
  return entry;
}

/** A configured rule as the route port takes it (without the span). */
export function ruleEntry(rule: RuleSpec): RuleEntry {
  const { span: _span, ...entry } = rule;
  return entry;
}

function garpSchedule(instance: VrrpInstance, global: GlobalModel): GarpSchedule {
  const g = instance.garp;
  const minGarp = global.vrrp.minGarp;
  return {
    masterRepeat: minGarp ? 1 : g.masterRepeat,
    masterDelayMs: minGarp ? 0 : Math.round(g.masterDelayS * MS_PER_S),
    masterRefreshMs: Math.round(g.masterRefreshS * MS_PER_S),
    masterRefreshRepeat: g.masterRefreshRepeat,
    lowerPrioRepeat: g.lowerPrioRepeat,
    lowerPrioDelayMs: Math.round(g.lowerPrioDelayS * MS_PER_S),
  };
}

function auth(instance: VrrpInstance): VrrpAuth {
  if (instance.version !== 2 || instance.auth === undefined) return { type: 'none' };
  return { type: instance.auth.type, password: instance.auth.password };
}

function peers(instance: VrrpInstance): UnicastPeerParams[] {
  return instance.unicastPeers.map((p) => ({
    address: p.address,
    ...(p.minTtl !== undefined ? { minTtl: p.minTtl } : {}),
    ...(p.maxTtl !== undefined ? { maxTtl: p.maxTtl } : {}),
  }));
}

function unsupportedSettings(instance: VrrpInstance): string[] {
  const out: string[] = [];
  if (instance.trackBfds.length > 0) out.push('track_bfd');
  if (instance.mcastDstIp !== undefined) out.push('mcast_dst_ip');
  return out;
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** keepalived's VMAC MAC: 00:00:5e:00:01:VRID for IPv4, 00:00:5e:00:02:VRID for IPv6 (RFC 5798 §7.3). */
export function virtualMac(family: VrrpFamily, vrid: number): string {
  return `00:00:5e:00:${family === 'ipv4' ? '01' : '02'}:${hex2(vrid)}`;
}

function vmacBinding(instance: VrrpInstance, family: VrrpFamily, baseInterface: string, primary: string): VmacBinding | undefined {
  const v = instance.useVmac;
  if (v === undefined) return undefined;
  return {
    name: v.name,
    baseInterface,
    mac: v.mac ?? virtualMac(family, instance.vrid),
    family,
    ...(family === 'ipv6' ? { linkLocal: primary } : {}),
    xmitBase: v.xmitBase,
    defaultName: v.name === `vrrp.${instance.vrid}`,
  };
}

/**
 * An instance's trackers plus its sync group's (keepalived: the group's track_* apply to every
 * member, with their weights; measured with 2.2.7: a group track_script weight -7 took a member
 * from 100 to 93, also without sync_group_tracking_weight). An entry the member tracks itself wins.
 */
function withGroup(own: readonly TrackerRef[], group: readonly TrackerRef[] | undefined): TrackedInterface[] {
  const out = own.map((t) => ({ name: t.name, weight: t.weight, reverse: t.reverse }));
  for (const t of group ?? []) if (!out.some((o) => o.name === t.name)) out.push({ name: t.name, weight: t.weight, reverse: t.reverse });
  return out;
}

/**
 * Maps one configured instance (with its sync group, if any, for the group's trackers); throws
 * ConfigAdapterError when it cannot run on this host.
 */
export function adaptInstance(instance: VrrpInstance, global: GlobalModel, primaryAddressOf: PrimaryAddressLookup, group?: SyncGroup): InstanceBinding {
  const family = familyOf(instance);
  const interfaceName = instance.interface ?? global.defaultInterface;
  const primary = instance.unicastSrcIp ?? primaryAddressOf(interfaceName, family);
  if (primary === undefined) {
    throw new ConfigAdapterError(`(${instance.name}) no ${family === 'ipv4' ? 'IPv4 primary' : 'IPv6 link-local'} address on ${interfaceName}`);
  }
  const params: VrrpInstanceParams = {
    name: instance.name,
    version: instance.version,
    family,
    vrid: instance.vrid,
    priority: instance.priority,
    initialState: instance.initialState,
    advertIntervalCs: instance.advertIntervalCs,
    preempt: instance.preempt,
    preemptDelayMs: Math.round(instance.preemptDelayUs / US_PER_MS),
    primaryAddress: primary,
    vips: instance.vips.map((v) => v.address),
    auth: auth(instance),
    // v3_checksum_as_v2 (keepalived 2.2.8): send message-only, accept either form; else the pseudo-header form only
    v3ChecksumSend: instance.v3ChecksumAsV2 ? 'message-only' : 'pseudo-header',
    v3ChecksumAccept: instance.v3ChecksumAsV2 ? 'either' : 'pseudo-header',
    unicastPeers: peers(instance),
    checkUnicastSrc: instance.checkUnicastSrc,
    lowerPrioNoAdvert: instance.lowerPrioNoAdvert,
    higherPrioSendAdvert: instance.higherPrioSendAdvert,
    ownerIgnoreAdverts: instance.strict,
    skipCheckAdvAddr: instance.skipCheckAdvAddr,
    downTimerAdverts: instance.downTimerAdverts,
    garp: garpSchedule(instance, global),
    startupDelayMs: Math.round(global.vrrp.startupDelayUs / US_PER_MS),
    notifyPriorityChanges: instance.notifyPriorityChanges,
  };
  try {
    checkParams(params, { strict: instance.strict });
  } catch (e) {
    throw new ConfigAdapterError((e as Error).message);
  }
  const vmac = vmacBinding(instance, family, interfaceName, primary);
  // use_vmac: VIPs and eVIPs that name no other interface live on the VMAC (keepalived.conf(5))
  const onVmac = (v: VirtualAddress): VirtualAddress => (vmac !== undefined && v.dev === interfaceName ? { ...v, dev: vmac.name } : v);
  return {
    params,
    interfaceName,
    vips: [...instance.vips, ...instance.excludedVips].map((v) => vipSpec(onVmac(v), vmac?.name ?? interfaceName)),
    routes: instance.routes.map(routeEntry),
    rules: instance.rules.map(ruleEntry),
    unicastTtl: instance.unicastTtl ?? 255,
    trackInterface: !instance.dontTrackPrimary,
    sourceConfigured: instance.unicastSrcIp !== undefined,
    noAccept: !instance.accept && instance.priority !== 255,
    unsupported: unsupportedSettings(instance),
    notify: instance.notify,
    trackedInterfaces: withGroup(instance.trackInterfaces, group?.trackInterfaces),
    trackedScripts: withGroup(instance.trackScripts, group?.trackScripts),
    trackedFiles: withGroup(instance.trackFiles, group?.trackFiles),
    trackedProcesses: withGroup(instance.trackProcesses, group?.trackProcesses),
    ...(vmac !== undefined ? { vmac } : {}),
  };
}
