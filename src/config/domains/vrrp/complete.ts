/**
 * keepalived 2.2.7's completion of each vrrp_instance after the VRRP pass, in its order and
 * wording (established by probing keepalived -t): missing interface and VIPs, strict-mode and
 * address-owner consistency, authentication, preemption, advert interval rounding, VMAC and
 * tracker adjustments. Messages are printed without a location.
 */
import { ConfigErrorClass } from '../../diagnostics.js';
import type { ValidationContext } from '../../domain.js';
import type { InstanceDraft } from './instance.js';

/** Effective settings the checks need, from the instance and global_defs. */
export interface Effective {
  readonly strict: boolean;
  readonly version: 2 | 3;
  readonly priority: number;
  state: 'MASTER' | 'BACKUP';
}

function say(ctx: ValidationContext, d: InstanceDraft, text: string, cls = ConfigErrorClass.GeneralError): void {
  ctx.report(cls, `(${d.name}) ${text}`, d.span, 'none');
}

/** keepalived fits at most this many VIPs in an advert (255 IPv4; IPv6 limited by a 1500 MTU). */
function maxVips(family: 4 | 6): number {
  return family === 4 ? 255 : 89;
}

/** "%f"-style seconds with 6 decimals, as keepalived prints advert intervals. */
function seconds6(s: number): string {
  return s.toFixed(6);
}

function checkAuthAndState(d: InstanceDraft, e: Effective, ctx: ValidationContext): void {
  if (e.strict && e.state === 'MASTER' && e.priority !== 255) {
    say(ctx, d, 'State MASTER must match being address owner');
    e.state = 'BACKUP';
  }
  if (d.auth?.type === 'AH' && e.state === 'MASTER' && e.priority !== 255 && !e.strict) {
    say(ctx, d, 'Initial state master is incompatible with AH authentication - clearing');
    e.state = 'BACKUP';
  }
}

function checkStrictIpv6(d: InstanceDraft, e: Effective, ctx: ValidationContext): void {
  const first = d.vips[0];
  if (!e.strict || first?.family !== 6) return;
  if (!first.address.toLowerCase().startsWith('fe80:')) say(ctx, d, 'the first IPv6 VIP address must be link local');
}

function checkUnicast(d: InstanceDraft, ctx: ValidationContext): void {
  if ((d.unicastKeyword || d.peerBlock) && d.unicastPeers.length === 0) {
    say(ctx, d, 'A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.');
  }
}

const IFF_MULTICAST = 0x1000;

/** A multicast instance on an interface without IFF_MULTICAST goes to FAULT. */
function checkMulticast(d: InstanceDraft, ctx: ValidationContext): void {
  if (d.interface === undefined || d.unicastPeers.length > 0) return;
  const info = ctx.env.interfaces().get(d.interface);
  if (info && (info.flags & IFF_MULTICAST) === 0) say(ctx, d, `interface ${d.interface} does not support multicast, specify unicast peers - disabling`);
}

function checkAuthSupport(d: InstanceDraft, e: Effective, ctx: ValidationContext): void {
  if (!d.auth) return;
  if (e.strict) say(ctx, d, 'Strict mode does not support authentication. Ignoring.');
  else if (e.version === 3) say(ctx, d, 'VRRP version 3 does not support authentication. Ignoring.');
  else return;
  delete d.auth;
}

function checkPreempt(d: InstanceDraft, e: Effective, ctx: ValidationContext): void {
  if (d.nopreempt && e.priority === 255) {
    say(ctx, d, 'nopreempt is incompatible with priority 255. resetting nopreempt');
    d.nopreempt = false;
  } else if (d.nopreempt && e.state === 'MASTER') {
    say(ctx, d, 'Warning - nopreempt will not work with initial state MASTER - clearing');
    d.nopreempt = false;
  }
  if (d.preemptDelayS === 0) return;
  if (e.strict) {
    say(ctx, d, 'preempt_delay is incompatible with strict mode - resetting');
    if (!d.nopreempt) { d.preemptDelayS = 0; return; }
  }
  if (d.nopreempt) {
    say(ctx, d, 'preempt_delay is incompatible with nopreempt mode - resetting');
    d.preemptDelayS = 0;
  } else if (e.state === 'MASTER') {
    say(ctx, d, 'Warning - preempt delay will not work with initial state MASTER - clearing');
    d.preemptDelayS = 0;
  }
}

/** Settings strict mode does not allow, reset with keepalived's messages (in its order). */
function checkStrictSettings(d: InstanceDraft, e: Effective, ctx: ValidationContext): void {
  if (!e.strict) return;
  if (d.downTimerAdverts !== undefined && d.downTimerAdverts !== 3) {
    say(ctx, d, 'down_timer_adverts is incompatible with strict mode - resetting');
    delete d.downTimerAdverts;
  }
  if (d.accept === true && e.version === 2 && e.priority !== 255) {
    say(ctx, d, 'warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting');
    d.accept = false;
  }
  if ((d.garp.lowerPrioRepeat ?? 0) !== 0) say(ctx, d, 'Strict mode requires no repeat garps. resetting');
  if ((d.garp.lowerPrioDelayS ?? 0) !== 0) say(ctx, d, 'Strict mode requires no repeat garp delay. resetting');
  if (d.lowerPrioNoAdvert === false) say(ctx, d, 'Strict mode requires no lower priority advert. resetting');
  if (d.higherPrioSendAdvert === true) say(ctx, d, 'strict mode requires higher_prio_send_advert to be clear. resetting');
  d.garp.lowerPrioRepeat = 0;
  d.garp.lowerPrioDelayS = 0;
  d.lowerPrioNoAdvert = true;
  d.higherPrioSendAdvert = false;
}

function checkXmitBase(d: InstanceDraft, e: Effective, ctx: ValidationContext): void {
  if (!d.vmacXmitBase) return;
  if (!d.useVmac && d.useIpvlan !== true) say(ctx, d, 'vmac_xmit_base is only valid with a vmac');
  else if (e.strict) say(ctx, d, 'xmit_base is incompatible with strict mode - resetting');
  else return;
  d.vmacXmitBase = false;
}

/** Rounds the advert interval as keepalived does; returns centiseconds. */
export function advertIntervalCs(d: InstanceDraft, e: Effective, ctx: ValidationContext): number {
  const s = d.advertIntS;
  if (e.version === 2) {
    if (s !== Math.trunc(s)) say(ctx, d, `VRRPv2 advertisement interval ${seconds6(s)}s must be an integer. rounding`);
    return Math.max(1, Math.round(s)) * 100;
  }
  if (s >= 40.96) {
    say(ctx, d, `VRRPv3 advertisement interval ${s.toFixed(2)}s is out of range. Must be less than 40.96s. Setting to 40.95s`);
    return 4095;
  }
  const cs = Math.round(s * 100);
  if (Math.abs(cs - s * 100) > 1e-6) say(ctx, d, `VRRPv3 advertisement interval ${seconds6(s)}s must be in units of 10ms - rounding`);
  return Math.max(1, cs);
}

function checkVips(d: InstanceDraft, ctx: ValidationContext): void {
  const first = d.vips[0];
  if (!first) return;
  const max = maxVips(first.family);
  if (d.vips.length <= max) return;
  say(ctx, d, `Number of VIPs (${d.vips.length}) exceeds maximum/space available in packet (max ${max} addresses) - excess moved to eVIPs`);
  d.excludedVips.push(...d.vips.splice(max));
}

function checkTrackInterfaces(d: InstanceDraft, e: Effective, ctx: ValidationContext): void {
  d.trackInterfaces = d.trackInterfaces.filter((t) => {
    if (t.name !== d.interface) return true;
    say(ctx, d, `Ignoring track_interface ${t.name} since own interface`);
    return false;
  });
  if (d.vips.length === 0 && !d.noVip) say(ctx, d, 'No VIP specified; at least one is sensible');
  if (e.priority !== 255) return;
  const owner = <T extends { weight: number }>(list: T[], text: (t: T) => string): T[] => list.map((t) => {
    if (t.weight === 0) return t;
    say(ctx, d, text(t));
    return { ...t, weight: 0 };
  });
  d.trackInterfaces = owner(d.trackInterfaces, (t) => `ignoring ${t.name} tracked interface due to address owner`);
  d.trackScripts = owner(d.trackScripts, (t) => `ignoring tracked script ${t.name} with weights due to address_owner`);
  d.trackFiles = owner(d.trackFiles, (t) => `ignoring tracked file ${t.name} with weight ${t.weight} due to address_owner`);
}

/**
 * Completes one instance. Returns false when keepalived stops the whole VRRP configuration
 * ("Unknown interface!", "at least one is required").
 */
/** keepalived first checks that every instance has an interface; false stops the configuration. */
export function checkInterface(d: InstanceDraft, ctx: ValidationContext): boolean {
  if (d.interface !== undefined || d.vrf !== undefined || (d.unicastSrcIp !== undefined && d.unicastPeers.length > 0)) return true;
  say(ctx, d, 'Unknown interface!');
  return false;
}

export function completeInstance(d: InstanceDraft, e: Effective, ctx: ValidationContext): { ok: boolean; advertIntervalCs: number } {
  if (d.vrid === undefined) {
    say(ctx, d, 'the virtual router id must be set');
    return { ok: false, advertIntervalCs: 100 };
  }
  if (d.vips.length === 0 && !d.noVip) {
    if (e.strict || e.version === 3) {
      say(ctx, d, 'No VIP specified; at least one is required');
      return { ok: false, advertIntervalCs: 100 };
    }
    say(ctx, d, 'No VIP specified; at least one is sensible');
  }
  checkAuthAndState(d, e, ctx);
  checkStrictIpv6(d, e, ctx);
  checkAuthSupport(d, e, ctx);
  checkUnicast(d, ctx);
  checkMulticast(d, ctx);
  checkPreempt(d, e, ctx);
  checkStrictSettings(d, e, ctx);
  const cs = advertIntervalCs(d, e, ctx);
  checkXmitBase(d, e, ctx);
  if (d.mcastDstIp !== undefined && d.unicastPeers.length > 0) {
    say(ctx, d, 'multicast destination specified with unicast - ignoring');
    delete d.mcastDstIp;
  }
  if ((d.useVmac || d.useIpvlan === true) && d.raw.has('promote_secondaries')) say(ctx, d, 'promote_secondaries is automatically set for vmacs - ignoring');
  if (d.useIpvlan === true && d.ipvlanAddress === undefined && (d.vips[0]?.family ?? 4) === 4) {
    say(ctx, d, 'IPv4 ipvlan requires a source ip address to be configured. setting instance to fault state');
  }
  checkVips(d, ctx);
  checkTrackInterfaces(d, e, ctx);
  return { ok: true, advertIntervalCs: cs };
}
