/**
 * The end of the VRRP pass: sync groups are linked, each instance is completed (complete.ts),
 * sync-group tracking is applied, duplicate VRIDs are refused, and the drafts become the typed
 * model with effective settings (instance, then global_defs, then keepalived defaults).
 */
import { ConfigErrorClass } from '../../diagnostics.js';
import type { ValidationContext } from '../../domain.js';
import type { SyncGroup, TrackerRef, VrrpInstance } from '../../model/vrrp.js';
import { checkInterface, completeInstance, type Effective } from './complete.js';
import type { InstanceDraft } from './instance.js';
import { notifyScripts } from './scripts.js';
import { checkGroupTrackedInterfaces, dropMemberWeights, linkSyncGroups, toSyncGroup, type SyncGroupDraft } from './sync-group.js';
import type { TrackerLine } from './trackers.js';

/** The address family: of the first VIP, else IPv6 for native_ipv6, else IPv4. */
export function familyOf(d: InstanceDraft): 4 | 6 {
  return d.family ?? d.vips[0]?.family ?? (d.nativeIpv6 === true ? 6 : 4);
}

function effective(d: InstanceDraft, ctx: ValidationContext): Effective {
  const g = ctx.model.global?.vrrp;
  const family = familyOf(d);
  const version = family === 6 ? 3 : (d.version ?? g?.version ?? 2);
  const priority = d.priority ?? (d.state === 'MASTER' ? 255 : 100);
  return { strict: d.strict ?? g?.strict ?? false, version, priority, state: d.state ?? (priority === 255 ? 'MASTER' : 'BACKUP') };
}

function refs(list: readonly TrackerLine[]): TrackerRef[] {
  return list.map((t) => ({ name: t.name, weight: t.weight, reverse: t.reverse }));
}

/** Two multicast instances clash on one interface, family, VRID and group; unicast ones when they share a peer. */
function clashKey(d: InstanceDraft, e: Effective): string | undefined {
  if (d.vrid === undefined || d.interface === undefined) return undefined;
  const family = familyOf(d);
  const group = d.unicastPeers.length > 0 ? 'unicast' : (d.mcastDstIp ?? 'default');
  void e;
  return `${d.interface}/${family}/${d.vrid}/${group}`;
}

function peersOverlap(a: InstanceDraft, b: InstanceDraft): boolean {
  if (a.unicastPeers.length === 0) return true;
  return a.unicastPeers.some((p) => b.unicastPeers.some((q) => q.address === p.address));
}

/** Returns false when two instances clash (keepalived stops there). */
function checkDuplicateVrids(done: readonly { d: InstanceDraft; e: Effective }[], ctx: ValidationContext): boolean {
  let ok = true;
  const seen = new Map<string, InstanceDraft[]>();
  for (const { d, e } of done) {
    const key = clashKey(d, e);
    if (key === undefined) continue;
    const others = seen.get(key) ?? [];
    const other = others.find((o) => peersOverlap(o, d));
    if (other) {
      const family = familyOf(d);
      ctx.report(ConfigErrorClass.Fatal, `${other.name} and ${d.name} both use VRID ${d.vrid ?? 0} with IPv${family} on interface ${d.interface ?? ''}`, d.span, 'none');
      ok = false;
    }
    seen.set(key, [...others, d]);
  }
  return ok;
}

function finalInstance(d: InstanceDraft, e: Effective, advertIntervalCs: number, syncGroup: SyncGroupDraft | undefined, ctx: ValidationContext): VrrpInstance {
  const g = ctx.model.global?.vrrp;
  const group = syncGroup?.name;
  // a sync group's notify_priority_changes applies to members that do not set their own (measured, 2.2.7)
  const groupNotifiesPriority = syncGroup?.notifyPriorityChanges === true;
  const strict = e.strict;
  const masterDelayS = d.garp.masterDelayS ?? g?.garpMasterDelayS ?? 5;
  const masterRepeat = d.garp.masterRepeat ?? g?.garpMasterRepeat ?? 5;
  const inst: { -readonly [K in keyof VrrpInstance]: VrrpInstance[K] } = {
    name: d.name, span: d.span, vrid: d.vrid ?? 0, family: familyOf(d), version: e.version,
    initialState: e.state, priority: e.priority, advertIntervalCs,
    preempt: !d.nopreempt, preemptDelayUs: Math.round(d.preemptDelayS * 1e6),
    accept: d.accept ?? (!strict || e.priority === 255), strict,
    vips: d.vips, excludedVips: d.excludedVips, routes: d.routes, rules: d.rules, unicastPeers: d.unicastPeers,
    unicastFaultNoPeer: d.raw.has('unicast_fault_no_peer'),
    checkUnicastSrc: d.raw.has('check_unicast_src') || d.unicastPeers.some((p) => p.minTtl !== undefined || p.maxTtl !== undefined) || (g?.checkUnicastSrc ?? false),
    trackInterfaces: refs(d.trackInterfaces), trackScripts: refs(d.trackScripts), trackFiles: refs(d.trackFiles),
    trackProcesses: refs(d.trackProcesses), trackBfds: refs(d.trackBfds), dontTrackPrimary: d.dontTrackPrimary,
    trackSrcIp: d.raw.has('track_src_ip'), notify: notifyScripts(d.notifyResolved), notifyPriorityChanges: d.notifyPriorityChanges ?? (groupNotifiesPriority ? true : undefined) ?? g?.notifyPriorityChanges ?? false,
    v3ChecksumAsV2: d.v3ChecksumAsV2 ?? g?.v3ChecksumAsV2 ?? false,
    garp: {
      masterDelayS, masterRepeat,
      masterRefreshS: d.garp.masterRefreshS ?? g?.garpMasterRefreshS ?? 0,
      masterRefreshRepeat: d.garp.masterRefreshRepeat ?? g?.garpMasterRefreshRepeat ?? 1,
      lowerPrioDelayS: strict ? 0 : (d.garp.lowerPrioDelayS ?? g?.garpLowerPrioDelayS ?? masterDelayS),
      lowerPrioRepeat: strict ? 0 : (d.garp.lowerPrioRepeat ?? g?.garpLowerPrioRepeat ?? masterRepeat),
    },
    lowerPrioNoAdvert: strict || (d.lowerPrioNoAdvert ?? g?.lowerPrioNoAdvert ?? false),
    higherPrioSendAdvert: !strict && (d.higherPrioSendAdvert ?? g?.higherPrioSendAdvert ?? false),
    skipCheckAdvAddr: d.skipCheckAdvAddr ?? g?.skipCheckAdvAddr ?? false, downTimerAdverts: strict ? 3 : (d.downTimerAdverts ?? g?.downTimerAdverts ?? 3),
    promoteSecondaries: d.raw.has('promote_secondaries') || d.useVmac, raw: d.raw,
  };
  if (d.interface !== undefined) inst.interface = d.interface;
  if (d.auth) inst.auth = d.auth;
  if (d.unicastSrcIp !== undefined) inst.unicastSrcIp = d.unicastSrcIp;
  if (d.mcastDstIp !== undefined) inst.mcastDstIp = d.mcastDstIp;
  if (d.unicastTtl !== undefined) inst.unicastTtl = d.unicastTtl;
  if (d.vrf !== undefined) inst.vrf = d.vrf;
  if (d.smtpAlert !== undefined) inst.smtpAlert = d.smtpAlert;
  if (group !== undefined) inst.syncGroup = group;
  if (d.useVmac) {
    const vmac: { name: string; mac?: string; xmitBase: boolean } = { name: d.vmacName ?? `vrrp.${d.vrid ?? 0}`, xmitBase: d.vmacXmitBase };
    if (d.vmacMac !== undefined) vmac.mac = d.vmacMac;
    inst.useVmac = vmac;
  }
  return inst;
}

export function finishInstances(drafts: readonly InstanceDraft[], groupDrafts: readonly SyncGroupDraft[], ctx: ValidationContext): { instances: VrrpInstance[]; syncGroups: SyncGroup[] } {
  const groups = linkSyncGroups(groupDrafts, drafts, ctx);
  const groupOf = new Map<string, SyncGroupDraft>();
  for (const g of groups) for (const m of g.members) groupOf.set(m, g);
  const done: { d: InstanceDraft; e: Effective; cs: number }[] = [];
  if (!drafts.every((d) => checkInterface(d, ctx))) return { instances: [], syncGroups: [] };
  for (const d of drafts) {
    const e = effective(d, ctx);
    const r = completeInstance(d, e, ctx);
    if (!r.ok) return { instances: [], syncGroups: [] };
    const g = groupOf.get(d.name);
    if (g) dropMemberWeights(d, g, ctx);
    done.push({ d, e, cs: r.advertIntervalCs });
  }
  if (checkDuplicateVrids(done, ctx)) {
    const byName = new Map(done.map(({ d }) => [d.name, d]));
    for (const g of groups) checkGroupTrackedInterfaces(g, byName, ctx);
  }
  return {
    instances: done.map(({ d, e, cs }) => finalInstance(d, e, cs, groupOf.get(d.name), ctx)),
    syncGroups: groups.map(toSyncGroup),
  };
}
