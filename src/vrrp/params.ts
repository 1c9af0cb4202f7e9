/**
 * What the VRRP engine needs to know about one instance, independent of the config module (an
 * adapter maps the config model to this). Durations carry their unit in the name.
 */
import { VrrpError } from './errors.js';
import { VRRP_V3_MAX_INTERVAL_CS, type V3Ipv4ChecksumAccept, type V3Ipv4ChecksumForm, type VrrpFamily, type VrrpVersion } from './packet-types.js';

export type VrrpAuth =
  | { readonly type: 'none' }
  | { readonly type: 'PASS'; readonly password: string }
  | { readonly type: 'AH'; readonly password: string };

/** keepalived's GARP / unsolicited NA schedule (keepalived-behaviour §5.6). */
export interface GarpSchedule {
  /** GARPs per VIP sent at once on becoming MASTER (`garp_master_repeat`, default 5). */
  readonly masterRepeat: number;
  /** Delay of the second burst (`garp_master_delay`, default 5 s; 0 = no second burst). */
  readonly masterDelayMs: number;
  /** Period of refresh bursts while MASTER (`garp_master_refresh`, 0 = off, the default). */
  readonly masterRefreshMs: number;
  readonly masterRefreshRepeat: number;
  /** GARPs sent when a lower-priority advert is received as MASTER, now and after the delay. */
  readonly lowerPrioRepeat: number;
  readonly lowerPrioDelayMs: number;
}

export interface UnicastPeerParams {
  readonly address: string;
  readonly minTtl?: number;
  readonly maxTtl?: number;
}

export interface VrrpInstanceParams {
  /** Instance name as in the config (`VI_1`), used in log messages. */
  readonly name: string;
  readonly version: VrrpVersion;
  readonly family: VrrpFamily;
  readonly vrid: number;
  /** Configured (base) priority: 255 = address owner, otherwise 1..254. */
  readonly priority: number;
  /** The `state` keyword: only MASTER with priority 255 takes over at startup. */
  readonly initialState: 'MASTER' | 'BACKUP';
  /** Advertisement_Interval in centiseconds (v2: a multiple of 100). */
  readonly advertIntervalCs: number;
  readonly preempt: boolean;
  /** `preempt_delay` (0 = none). */
  readonly preemptDelayMs: number;
  /** Our primary address (IPv4) or link-local (IPv6): advert source and tie-break key. */
  readonly primaryAddress: string;
  /** The advertised addresses, in order (IPv6: the link-local first). */
  readonly vips: readonly string[];
  readonly auth: VrrpAuth;
  /** v3 over IPv4: the checksum form we send (`v3_checksum_as_v2` = message-only). */
  readonly v3ChecksumSend: V3Ipv4ChecksumForm;
  /** v3 over IPv4: the forms we accept on receive. */
  readonly v3ChecksumAccept: V3Ipv4ChecksumAccept;
  /** Empty = multicast (224.0.0.18 / ff02::12). */
  readonly unicastPeers: readonly UnicastPeerParams[];
  readonly checkUnicastSrc: boolean;
  /** `lower_prio_no_advert`: as MASTER, do not re-advertise on a lower-priority advert. */
  readonly lowerPrioNoAdvert: boolean;
  /** `higher_prio_send_advert`: as MASTER, send one advert before yielding to a higher one. */
  readonly higherPrioSendAdvert: boolean;
  /** `owner_ignore_adverts` (strict mode): an owner drops every received advert (RFC 5798). */
  readonly ownerIgnoreAdverts: boolean;
  /**
   * `skip_check_adv_addr`: an advert from the current master is not checked against our VIP list
   * (by default, as keepalived 2.2.7, any advert whose list differs is dropped as addr_list_err).
   */
  readonly skipCheckAdvAddr: boolean;
  /** `down_timer_adverts` (default 3). */
  readonly downTimerAdverts: number;
  readonly garp: GarpSchedule;
  /** `vrrp_startup_delay` (0 = none): adverts are ignored and nothing is sent meanwhile. */
  readonly startupDelayMs: number;
  /** `notify_priority_changes`: each effective priority change is a MASTER_PRIORITY / BACKUP_PRIORITY event. */
  readonly notifyPriorityChanges?: boolean;
}

export const DEFAULT_GARP: GarpSchedule = {
  masterRepeat: 5,
  masterDelayMs: 5000,
  masterRefreshMs: 0,
  masterRefreshRepeat: 1,
  lowerPrioRepeat: 5,
  lowerPrioDelayMs: 5000,
};

/** keepalived's defaults for everything but the identity of the instance. */
export function defaultParams(
  base: Pick<VrrpInstanceParams, 'name' | 'vrid' | 'primaryAddress' | 'vips'> & Partial<VrrpInstanceParams>,
): VrrpInstanceParams {
  return {
    version: 2,
    family: base.primaryAddress.includes(':') ? 'ipv6' : 'ipv4',
    priority: 100,
    initialState: 'BACKUP',
    advertIntervalCs: 100,
    preempt: true,
    preemptDelayMs: 0,
    auth: { type: 'none' },
    v3ChecksumSend: 'pseudo-header',
    v3ChecksumAccept: 'pseudo-header',
    unicastPeers: [],
    checkUnicastSrc: false,
    lowerPrioNoAdvert: false,
    higherPrioSendAdvert: false,
    ownerIgnoreAdverts: false,
    skipCheckAdvAddr: false,
    downTimerAdverts: 3,
    garp: DEFAULT_GARP,
    startupDelayMs: 0,
    ...base,
  };
}

export function isOwner(params: VrrpInstanceParams): boolean {
  return params.priority === 255;
}

function fail(params: VrrpInstanceParams, message: string): never {
  throw new VrrpError('ERR_VRRP_PARAMS', `(${params.name}) ${message}`);
}

/**
 * Checks the RFC MUSTs the engine relies on (the config layer reports them to the user first):
 * VRID 1..255, priority 1..255, interval range, one address family, v2 over IPv4 only. The IPv6
 * list must start with a link-local only in strict mode (keepalived merely warns otherwise).
 */
export function checkParams(params: VrrpInstanceParams, options: { readonly strict?: boolean } = {}): VrrpInstanceParams {
  if (!Number.isInteger(params.vrid) || params.vrid < 1 || params.vrid > 255) fail(params, `VRID ${params.vrid} outside 1..255`);
  if (!Number.isInteger(params.priority) || params.priority < 1 || params.priority > 255) fail(params, `priority ${params.priority} outside 1..255`);
  const maxCs = params.version === 2 ? 25500 : VRRP_V3_MAX_INTERVAL_CS;
  if (!Number.isInteger(params.advertIntervalCs) || params.advertIntervalCs < 1 || params.advertIntervalCs > maxCs) {
    fail(params, `advert interval ${params.advertIntervalCs} cs outside 1..${maxCs}`);
  }
  if (params.version === 2 && params.advertIntervalCs % 100 !== 0) fail(params, 'VRRPv2 advert interval must be whole seconds');
  if (params.version === 2 && params.family === 'ipv6') fail(params, 'VRRPv2 is IPv4 only');
  if (params.vips.length > 255) fail(params, 'more than 255 virtual addresses');
  const wrongFamily = params.vips.find((vip) => vip.includes(':') !== (params.family === 'ipv6'));
  if (wrongFamily !== undefined) fail(params, `${wrongFamily} is not an ${params.family} address`);
  const first = params.vips[0];
  if (options.strict === true && params.family === 'ipv6' && first !== undefined && !first.toLowerCase().startsWith('fe80:')) {
    fail(params, `the first IPv6 virtual address must be link-local, not ${first}`);
  }
  if (params.downTimerAdverts < 1 || params.downTimerAdverts > 100) fail(params, 'down_timer_adverts outside 1..100');
  return params;
}
