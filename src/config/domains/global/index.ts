/**
 * The global domain: global_defs and the global-pass top-level settings (net_namespace, instance,
 * use_pid_dir, ...). Produces GlobalModel with keepalived 2.2.7's defaults.
 */
import type { ConfigNode } from '../../ast.js';
import type { ConfigDomain, ValidationContext } from '../../domain.js';
import type { GlobalModel, LvsGlobalSettings, LvsSyncDaemonSettings, NotifyFifo } from '../../model/global.js';
import { ConfigErrorClass } from '../../diagnostics.js';
import { resolveUser, scriptAndUser, unresolvedUserMessage } from '../../scripts.js';
import '../../model/global.js';
import { GLOBAL_HANDLERS, type GlobalState } from './handlers.js';
import { GLOBAL_MISSING_VALUE, GLOBAL_NEEDS_PARAMETER, GLOBAL_TOP_KEYWORDS } from './keywords.js';
import { err, missingParameter } from './read.js';

export { GLOBAL_DEFS_KEYWORDS, GLOBAL_TOP_KEYWORDS } from './keywords.js';

function initialState(): GlobalState {
  return {
    emails: [],
    smtpConnectTimeoutS: 30,
    scriptUser: undefined,
    enableScriptSecurity: false,
    version: 2,
    strict: false,
    mcastGroup4: '224.0.0.18',
    mcastGroup6: 'ff02::12',
    garpMasterDelayS: 5,
    garpMasterRepeat: 5,
    garpMasterRefreshS: 0,
    garpMasterRefreshRepeat: 1,
    garpLowerPrioDelayS: undefined,
    garpLowerPrioRepeat: undefined,
    garpIntervalUs: 0,
    gnaIntervalUs: 0,
    minGarp: false,
    lowerPrioNoAdvert: false,
    higherPrioSendAdvert: false,
    downTimerAdverts: 3,
    skipCheckAdvAddr: false,
    checkUnicastSrc: false,
    startupDelayUs: 0,
    notifyPriorityChanges: false,
    v3ChecksumAsV2: false,
    logUnknownVrids: false,
    dynamicInterfaces: false,
    allowIfChanges: false,
    defaultInterface: 'eth0',
    nftablesSeen: false,
    fifos: new Map(),
    fifoScripts: new Map(),
    lvsTimeoutsS: {},
    raw: new Map(),
  };
}

/** Returns false when keepalived stops at a keyword missing its parameter. */
function applyGlobalDefs(node: ConfigNode, st: GlobalState, ctx: ValidationContext): boolean {
  for (const c of node.children ?? []) {
    if (missingParameter(c, GLOBAL_NEEDS_PARAMETER, ctx)) return false;
    st.raw.set(c.keyword, c.args);
    const missing = c.args.length === 0 ? GLOBAL_MISSING_VALUE[c.keyword] : undefined;
    if (missing !== undefined) err(ctx, c, missing);
    else GLOBAL_HANDLERS[c.keyword]?.(c, st, ctx);
  }
  return true;
}

/**
 * The FIFO of `keyword` with its `keyword_script`, split as every keepalived 2.2.7 script
 * (`KEYWORD "cmd args" [user [group]]`, recorded): a user that does not resolve drops the script
 * with the daemon's lines ("Invalid user/group for vrrp_notify_fifo script P - ignoring").
 */
function notifyFifo(st: GlobalState, keyword: string, ctx: ValidationContext): NotifyFifo | undefined {
  const path = st.fifos.get(keyword)?.[0];
  if (path === undefined) return undefined;
  const node = st.fifoScripts.get(`${keyword}_script`);
  if (node === undefined) return { path };
  const { command, userWords, error, log } = scriptAndUser(node.args, node.argsText, node.keyword);
  if (error !== undefined) err(ctx, node, error);
  if (log !== undefined) ctx.report(ConfigErrorClass.DaemonLog, log, node.span, 'inline');
  if (command === undefined) return { path };
  if (userWords.length === 0) return { path, script: command };
  const words = userWords.slice(0, 2);
  const user = resolveUser(ctx.env, words);
  if (user) return { path, script: command, user };
  ctx.report(ConfigErrorClass.DaemonLog, unresolvedUserMessage(ctx.env, words) ?? 'No script user', node.span, 'inline');
  ctx.report(ConfigErrorClass.DaemonLog, `Invalid user/group for ${keyword} script ${command.argv[0] ?? ''} - ignoring`, node.span, 'inline');
  return { path };
}

function lvsSettings(st: GlobalState): LvsGlobalSettings {
  // keepalived's lvs_flush takes no value: any argument is ignored
  const flush = st.raw.has('lvs_flush');
  const sd = st.lvsSyncDaemon;
  const num = (v: string | undefined): number | undefined => (v !== undefined && /^[0-9]+$/.test(v) ? Number(v) : undefined);
  const [port, ttl] = [num(sd?.port), num(sd?.ttl)];
  const syncDaemon: LvsSyncDaemonSettings | undefined = sd === undefined ? undefined : {
    interface: sd.interface,
    instance: sd.instance,
    ...(sd.syncId !== undefined ? { syncId: sd.syncId } : {}),
    ...(sd.maxlen !== undefined ? { maxLen: sd.maxlen } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(ttl !== undefined ? { ttl } : {}),
    ...(sd.group !== undefined ? { group: sd.group } : {}),
  };
  const flushOnStop = st.lvsFlushOnStop === 'VS' || st.lvsFlushOnStop === 'ALL' ? st.lvsFlushOnStop : undefined;
  return {
    timeoutsS: { ...st.lvsTimeoutsS },
    flush,
    ...(flushOnStop !== undefined ? { flushOnStop } : {}),
    ...(syncDaemon !== undefined ? { syncDaemon } : {}),
  };
}

function toModel(st: GlobalState, top: Map<string, readonly string[]>, ctx: ValidationContext): GlobalModel {
  const m: { -readonly [K in keyof GlobalModel]: GlobalModel[K] } = {
    routerId: st.routerId ?? ctx.env.hostname(),
    notificationEmails: st.emails,
    smtpConnectTimeoutS: st.smtpConnectTimeoutS,
    scriptUser: st.scriptUser,
    enableScriptSecurity: st.enableScriptSecurity,
    dynamicInterfaces: st.dynamicInterfaces,
    allowIfChanges: st.allowIfChanges,
    defaultInterface: st.defaultInterface,
    raw: st.raw,
    lvs: lvsSettings(st),
    vrrp: {
      version: st.version, strict: st.strict, mcastGroup4: st.mcastGroup4, mcastGroup6: st.mcastGroup6,
      garpMasterDelayS: st.garpMasterDelayS, garpMasterRepeat: st.garpMasterRepeat,
      garpMasterRefreshS: st.garpMasterRefreshS, garpMasterRefreshRepeat: st.garpMasterRefreshRepeat,
      garpLowerPrioDelayS: st.garpLowerPrioDelayS, garpLowerPrioRepeat: st.garpLowerPrioRepeat,
      garpIntervalUs: st.garpIntervalUs, gnaIntervalUs: st.gnaIntervalUs, minGarp: st.minGarp,
      lowerPrioNoAdvert: st.lowerPrioNoAdvert, higherPrioSendAdvert: st.higherPrioSendAdvert,
      downTimerAdverts: st.downTimerAdverts, skipCheckAdvAddr: st.skipCheckAdvAddr,
      checkUnicastSrc: st.checkUnicastSrc, startupDelayUs: st.startupDelayUs,
      notifyPriorityChanges: st.notifyPriorityChanges, logUnknownVrids: st.logUnknownVrids,
      v3ChecksumAsV2: st.v3ChecksumAsV2,
    },
  };
  if (st.emailFrom !== undefined) m.notificationEmailFrom = st.emailFrom;
  if (st.defaultScriptUserSettled === true) m.defaultScriptUserSettled = true;
  if (st.smtpServer) m.smtpServer = st.smtpServer;
  if (st.smtpHeloName !== undefined) m.smtpHeloName = st.smtpHeloName;
  if (st.smtpAlert !== undefined) m.smtpAlert = st.smtpAlert;
  if (st.smtpAlertVrrp !== undefined) m.smtpAlertVrrp = st.smtpAlertVrrp;
  if (st.smtpAlertChecker !== undefined) m.smtpAlertChecker = st.smtpAlertChecker;
  const fifo = (keyword: string): NotifyFifo | undefined => notifyFifo(st, keyword, ctx);
  const [nf, vf, lf] = [fifo('notify_fifo'), fifo('vrrp_notify_fifo'), fifo('lvs_notify_fifo')];
  if (nf !== undefined) m.notifyFifo = nf;
  if (vf !== undefined) m.vrrpNotifyFifo = vf;
  if (lf !== undefined) m.lvsNotifyFifo = lf;
  const ns = top.get('net_namespace')?.[0];
  if (ns !== undefined) m.netNamespace = ns;
  const inst = top.get('instance')?.[0];
  if (inst !== undefined) m.instanceName = inst;
  return m;
}

export const globalDomain: ConfigDomain<'global'> = {
  name: 'global',
  pass: 'global',
  keywords: GLOBAL_TOP_KEYWORDS,
  validate(nodes: readonly ConfigNode[], ctx: ValidationContext): GlobalModel {
    const st = initialState();
    const top = new Map<string, readonly string[]>();
    for (const node of nodes) {
      if (node.keyword === 'global_defs') { if (!applyGlobalDefs(node, st, ctx)) break; }
      else top.set(node.keyword, node.args);
    }
    return toModel(st, top, ctx);
  },
};
