/**
 * The VRRP domain: vrrp_instance, vrrp_script, vrrp_sync_group, track_file, vrrp_track_process,
 * static addresses/routes/rules and the other VRRP-pass blocks -> VrrpModel, with keepalived
 * 2.2.7's parse-time and post-parse diagnostics.
 */
import type { ConfigNode } from '../../ast.js';
import { ConfigErrorClass } from '../../diagnostics.js';
import type { ConfigDomain, ValidationContext } from '../../domain.js';
import type { TrackFile, VrrpInstance, VrrpModel, VrrpScript } from '../../model/vrrp.js';
import '../../model/vrrp.js';
import { ScriptContext } from '../../scripts.js';
import { parseInstance, type InstanceDraft } from './instance.js';
import { VRRP_TOP_KEYWORDS } from './keywords.js';
import { checkInstances, checkInterfaces, checkNotifyScripts, checkScripts } from './post-checks.js';
import { parseTrackFile, parseVrrpScript, type ParsedVrrpScript } from './trackers.js';

export { VRRP_TOP_KEYWORDS } from './keywords.js';

function scriptContext(ctx: ValidationContext, firstSpan: ConfigNode['span'] | undefined): ScriptContext {
  const g = ctx.model.global;
  let span = firstSpan;
  const sc = new ScriptContext(ctx.env, { scriptUser: g?.scriptUser, enableScriptSecurity: g?.enableScriptSecurity ?? false }, () => {
    if (span) ctx.report(ConfigErrorClass.GeneralError, 'Unable to set default user keepalived_script for script', span);
  });
  return Object.assign(sc, { setSpan: (s: ConfigNode['span']) => { span = s; } });
}

function finalInstance(d: InstanceDraft, ctx: ValidationContext): VrrpInstance {
  const g = ctx.model.global?.vrrp;
  const family = d.vips[0]?.family ?? 4;
  const version = family === 6 ? 3 : (d.version ?? g?.version ?? 2);
  const strict = d.strict ?? g?.strict ?? false;
  const priority = d.priority ?? (d.state === 'MASTER' ? 255 : 100);
  const advertIntervalCs = version === 2 ? Math.max(100, Math.round(d.advertIntS) * 100) : Math.max(1, Math.round(d.advertIntS * 100));
  const inst: { -readonly [K in keyof VrrpInstance]: VrrpInstance[K] } = {
    name: d.name, span: d.span, vrid: d.vrid ?? 0, family, version,
    initialState: d.state ?? (priority === 255 ? 'MASTER' : 'BACKUP'), priority, advertIntervalCs,
    preempt: !d.nopreempt, preemptDelayUs: Math.round(d.preemptDelayS * 1e6),
    accept: d.accept ?? (!strict || priority === 255), strict,
    vips: d.vips, excludedVips: d.excludedVips, routes: [], rules: [], unicastPeers: d.unicastPeers,
    unicastFaultNoPeer: d.raw.has('unicast_fault_no_peer'),
    checkUnicastSrc: d.raw.has('check_unicast_src') || (g?.checkUnicastSrc ?? false),
    trackInterfaces: d.trackInterfaces, trackScripts: d.trackScripts, trackFiles: d.trackFiles,
    trackProcesses: d.trackProcesses, trackBfds: [], dontTrackPrimary: d.dontTrackPrimary,
    trackSrcIp: d.raw.has('track_src_ip'), notify: {}, notifyPriorityChanges: g?.notifyPriorityChanges ?? false,
    garp: {
      masterDelayS: g?.garpMasterDelayS ?? 5, masterRepeat: g?.garpMasterRepeat ?? 5,
      masterRefreshS: g?.garpMasterRefreshS ?? 0, masterRefreshRepeat: g?.garpMasterRefreshRepeat ?? 1,
      lowerPrioDelayS: strict ? 0 : (g?.garpLowerPrioDelayS ?? g?.garpMasterDelayS ?? 5),
      lowerPrioRepeat: strict ? 0 : (g?.garpLowerPrioRepeat ?? g?.garpMasterRepeat ?? 5),
    },
    lowerPrioNoAdvert: strict || (g?.lowerPrioNoAdvert ?? false),
    higherPrioSendAdvert: !strict && (g?.higherPrioSendAdvert ?? false),
    skipCheckAdvAddr: g?.skipCheckAdvAddr ?? false, downTimerAdverts: strict ? 3 : (g?.downTimerAdverts ?? 3),
    promoteSecondaries: d.raw.has('promote_secondaries'), raw: d.raw,
  };
  if (d.interface !== undefined) inst.interface = d.interface;
  if (d.auth && !strict && version === 2) inst.auth = d.auth;
  if (d.unicastSrcIp !== undefined) inst.unicastSrcIp = d.unicastSrcIp;
  if (d.unicastTtl !== undefined) inst.unicastTtl = d.unicastTtl;
  if (d.useVmac) inst.useVmac = { xmitBase: d.vmacXmitBase };
  return inst;
}

function toScript(s: ParsedVrrpScript): VrrpScript {
  return {
    name: s.name, script: { command: s.command, user: s.user }, intervalUs: s.intervalUs, timeoutUs: s.timeoutUs,
    weight: s.weight, weightReverse: s.weightReverse, rise: s.rise, fall: s.fall, initFail: s.initFail,
  };
}

export const vrrpDomain: ConfigDomain<'vrrp'> = {
  name: 'vrrp',
  pass: 'vrrp',
  keywords: VRRP_TOP_KEYWORDS,
  validate(nodes: readonly ConfigNode[], ctx: ValidationContext): VrrpModel {
    const sc = scriptContext(ctx, nodes[0]?.span) as ScriptContext & { setSpan(s: ConfigNode['span']): void };
    const scripts = new Map<string, ParsedVrrpScript>();
    const trackFiles: TrackFile[] = [];
    const drafts: InstanceDraft[] = [];
    for (const node of nodes) {
      if (node.keyword === 'vrrp_script') {
        const last = node.children?.[node.children.length - 1];
        sc.setSpan(last ? { file: last.span.file, line: last.span.line + 1 } : node.span);
        const s = parseVrrpScript(node, ctx, sc);
        if (s) scripts.set(s.name, s);
      } else if (node.keyword === 'track_file' || node.keyword === 'vrrp_track_file') {
        const t = parseTrackFile(node, ctx);
        if (t) trackFiles.push(t);
      } else if (node.keyword === 'vrrp_instance') {
        const d = parseInstance(node, ctx, sc);
        for (const t of d.trackScripts) {
          if (!scripts.has(t.name)) ctx.report(ConfigErrorClass.GeneralError, `(${d.name}) track script ${t.name} not found, ignoring...`, t.span);
        }
        d.trackScripts = d.trackScripts.filter((t) => scripts.has(t.name));
        drafts.push(d);
      }
    }
    const empty: VrrpModel = { instances: [], scripts: [], trackFiles, trackProcesses: [], syncGroups: [], staticAddresses: [], staticRoutes: [], staticRules: [] };
    if (!checkInterfaces(drafts, ctx, ctx.model.global?.dynamicInterfaces ?? false)) return empty;
    const usable = checkScripts(drafts, scripts, ctx, sc);
    checkNotifyScripts(drafts, ctx, sc);
    checkInstances(drafts, ctx);
    const first = nodes[0]?.span ?? { file: '', line: 0 };
    for (const line of sc.summary('')) ctx.report(ConfigErrorClass.Security, line, first, 'none');
    return {
      ...empty,
      instances: drafts.map((d) => finalInstance(d, ctx)),
      scripts: [...scripts.values()].filter((s) => usable.has(s.name)).map(toScript),
    };
  },
};
