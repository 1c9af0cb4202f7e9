/**
 * The VRRP domain: vrrp_instance, vrrp_script, vrrp_sync_group, track_file, vrrp_track_process,
 * static addresses/routes/rules and the other VRRP-pass blocks -> VrrpModel, with keepalived
 * 2.2.7's parse-time messages (at their lines) and its post-parse messages, in its order:
 * non-existent interfaces, script checks and the security summary, sync groups, each instance's
 * completion, sync-group tracking, duplicate VRIDs.
 */
import type { ConfigNode } from '../../ast.js';
import { ConfigErrorClass } from '../../diagnostics.js';
import type { ConfigDomain, ValidationContext } from '../../domain.js';
import type { TrackFile, TrackProcess, VrrpModel, VrrpScript } from '../../model/vrrp.js';
import '../../model/vrrp.js';
import { RulePreferences } from '../../syntax/rule.js';
import { parseInstance, type InstanceDraft, type InstanceParse } from './instance.js';
import { blockMissingParameter, VRRP_TOP_KEYWORDS } from './keywords.js';
import { finishInstances } from './finish.js';
import { checkNotifyScripts, checkScripts, noteDefaultUsers, scriptContext, type SpanScripts } from './scripts.js';
import { readGarpGroup, readLinkbeat, readStaticAddresses, readStaticRoutes, readStaticRules, readTrackGroup, readUpDownDelays } from './static.js';
import { parseSyncGroup, type SyncGroupDraft } from './sync-group.js';
import { parseTrackFile, parseTrackProcess, parseVrrpScript, type ParsedVrrpScript } from './trackers.js';

export { VRRP_TOP_KEYWORDS } from './keywords.js';


/** Everything the VRRP pass collects while reading, in file order. */
interface PassState {
  readonly parse: InstanceParse;
  readonly sc: SpanScripts;
  readonly scripts: Map<string, ParsedVrrpScript>;
  readonly model: { -readonly [K in keyof VrrpModel]: VrrpModel[K] extends readonly (infer T)[] ? T[] : never };
  readonly drafts: InstanceDraft[];
  readonly groups: SyncGroupDraft[];
  readonly garpTaken: Set<string>;
  missingInterface: boolean;
}

function newState(ctx: ValidationContext): PassState {
  const st: PassState = {
    sc: scriptContext(ctx), scripts: new Map(), drafts: [], groups: [], garpTaken: new Set(), missingInterface: false,
    model: {
      instances: [], scripts: [], trackFiles: [], trackProcesses: [], syncGroups: [], staticAddresses: [], staticRoutes: [],
      staticRules: [], garpGroups: [], trackGroups: [], linkbeatInterfaces: [], upDownDelays: [],
    },
    parse: undefined as unknown as InstanceParse,
  };
  (st as { parse: InstanceParse }).parse = {
    ctx, dynamic: ctx.model.global?.dynamicInterfaces ?? false, rulePreferences: new RulePreferences(),
    onMissingInterface: () => { st.missingInterface = true; }, vmacNames: new Map(),
    known: { scripts: new Map(), files: new Map(), processes: new Map() },
  };
  return st;
}

function readScript(node: ConfigNode, st: PassState, ctx: ValidationContext): void {
  const last = node.children?.[node.children.length - 1];
  st.sc.setSpan(last ? { file: last.span.file, line: last.span.line + 1 } : node.span);
  const s = parseVrrpScript(node, ctx, st.sc);
  if (!s) return;
  st.scripts.set(s.name, s);
  st.parse.known.scripts.set(s.name, { weight: s.weight, reverse: s.weightReverse });
}

function readTrackFile(node: ConfigNode, st: PassState, ctx: ValidationContext): void {
  const t: TrackFile | undefined = parseTrackFile(node, ctx);
  if (!t) return;
  st.model.trackFiles.push(t);
  st.parse.known.files.set(t.name, { weight: t.weight, reverse: t.weightReverse });
}

function readTrackProcess(node: ConfigNode, st: PassState, ctx: ValidationContext): void {
  const p: TrackProcess | undefined = parseTrackProcess(node, ctx);
  if (!p) return;
  st.model.trackProcesses.push(p);
  st.parse.known.processes.set(p.name, { weight: p.weight, reverse: p.weightReverse });
}

function readNode(node: ConfigNode, st: PassState, ctx: ValidationContext): void {
  const m = st.model;
  if (blockMissingParameter(node, ctx)) return;
  switch (node.keyword) {
    case 'vrrp_script': readScript(node, st, ctx); break;
    case 'track_file': case 'vrrp_track_file': readTrackFile(node, st, ctx); break;
    case 'vrrp_track_process': readTrackProcess(node, st, ctx); break;
    case 'vrrp_instance': {
      const name = node.args[0] ?? '';
      if (st.drafts.some((x) => x.name === name)) {
        ctx.report(ConfigErrorClass.GeneralError, `vrrp instance ${name} already defined`, node.span);
        break;
      }
      const d = parseInstance(node, ctx, st.parse);
      noteDefaultUsers(d.notify, st.sc);
      st.drafts.push(d);
      break;
    }
    case 'vrrp_sync_group': {
      const g = parseSyncGroup(node, ctx, st.parse.known);
      noteDefaultUsers(g.notify, st.sc);
      st.groups.push(g);
      break;
    }
    case 'static_ipaddress': m.staticAddresses.push(...readStaticAddresses(node, st.parse)); break;
    case 'static_routes': m.staticRoutes.push(...readStaticRoutes(node, st.parse)); break;
    case 'static_rules': m.staticRules.push(...readStaticRules(node, st.parse)); break;
    case 'garp_group': { const g = readGarpGroup(node, st.parse, st.garpTaken); if (g) m.garpGroups.push(g); break; }
    case 'linkbeat_interfaces': m.linkbeatInterfaces.push(...readLinkbeat(node, st.parse)); break;
    case 'interface_up_down_delays': m.upDownDelays.push(...readUpDownDelays(node, st.parse)); break;
    case 'track_group': m.trackGroups.push(readTrackGroup(node)); break;
    default: break;
  }
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
    const st = newState(ctx);
    for (const node of nodes) readNode(node, st, ctx);
    // without instances keepalived runs no VRRP process, and none of the checks below
    if (st.drafts.length === 0) return st.model;
    const first = nodes[0]?.span ?? { file: '', line: 0 };
    if (st.missingInterface) {
      ctx.report(ConfigErrorClass.BadInterface, 'Non-existent interface specified in configuration', first, 'none');
      return st.model;
    }
    const usable = checkScripts(st.scripts, ctx, st.sc);
    checkNotifyScripts([...st.drafts, ...st.groups], ctx, st.sc);
    for (const line of st.sc.summary('')) ctx.report(ConfigErrorClass.Security, line, first, 'none');
    st.model.scripts = [...st.scripts.values()].filter((s) => usable.has(s.name)).map(toScript);
    const { instances, syncGroups } = finishInstances(st.drafts, st.groups, ctx);
    st.model.instances = instances;
    st.model.syncGroups = syncGroups;
    return st.model;
  },
};
