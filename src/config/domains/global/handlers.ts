/**
 * global_defs keyword handlers with keepalived 2.2.7's messages (probed with keepalived -t).
 * Keywords without a handler here are accepted and kept in `raw`.
 */
import type { ConfigNode } from '../../ast.js';
import { ConfigErrorClass } from '../../diagnostics.js';
import type { ValidationContext } from '../../domain.js';
import { parseIp, isMulticast } from '../../syntax/ip.js';
import { parseBoolWord, readInteger, readTimerUs, readUnsigned } from '../../syntax/numbers.js';
import { resolveUser, unresolvedUserMessage, type ScriptUser } from '../../scripts.js';
import { EXTRA_GLOBAL_HANDLERS } from './handlers-extra.js';
import { err, readUmask, take, warn } from './read.js';

/** The mutable state the handlers fill; frozen into GlobalModel by the domain. */
export interface GlobalState {
  routerId?: string;
  emails: string[];
  emailFrom?: string;
  smtpServer?: { host: string; port: number };
  smtpHeloName?: string;
  smtpConnectTimeoutS: number;
  smtpAlert?: boolean;
  smtpAlertVrrp?: boolean;
  smtpAlertChecker?: boolean;
  scriptUser: ScriptUser | null | undefined;
  enableScriptSecurity: boolean;
  version: 2 | 3;
  strict: boolean;
  mcastGroup4: string;
  mcastGroup6: string;
  garpMasterDelayS: number;
  garpMasterRepeat: number;
  garpMasterRefreshS: number;
  garpMasterRefreshRepeat: number;
  garpLowerPrioDelayS: number | undefined;
  garpLowerPrioRepeat: number | undefined;
  garpIntervalUs: number;
  gnaIntervalUs: number;
  minGarp: boolean;
  lowerPrioNoAdvert: boolean;
  higherPrioSendAdvert: boolean;
  downTimerAdverts: number;
  skipCheckAdvAddr: boolean;
  checkUnicastSrc: boolean;
  startupDelayUs: number;
  notifyPriorityChanges: boolean;
  v3ChecksumAsV2: boolean;
  logUnknownVrids: boolean;
  dynamicInterfaces: boolean;
  allowIfChanges: boolean;
  defaultInterface: string;
  nftablesSeen: boolean;
  fifos: Map<string, readonly string[]>;
  /** *_notify_fifo_script nodes by keyword (the first one of each counts). */
  fifoScripts: Map<string, ConfigNode>;
  garpExtraIf?: { intervalS: number; all: boolean };
  lvsTimeoutsS: { tcp?: number; tcpfin?: number; udp?: number };
  lvsFlushOnStop?: string;
  defaultScriptUserSettled?: boolean;
  lvsSyncDaemon?: { interface: string; instance: string; syncId?: number; maxlen?: number; port?: string; ttl?: string; group?: string };
  umask?: number;
  raw: Map<string, readonly string[]>;
}

type Handler = (node: ConfigNode, st: GlobalState, ctx: ValidationContext) => void;

function flag(set: (st: GlobalState, v: boolean) => void): Handler {
  return (node, st, ctx) => {
    const a = node.args[0];
    if (a === undefined) return set(st, true);
    const v = parseBoolWord(a);
    if (v === undefined) err(ctx, node, `Invalid value for ${node.keyword} specified`);
    else set(st, v);
  };
}

function garpDelay(set: (st: GlobalState, s: number) => void): Handler {
  return (node, st, ctx) => {
    const a = node.args[0] ?? '';
    const v = take(readUnsigned(a, 0, 2147483647), node, ctx);
    if (v === undefined) err(ctx, node, `${node.keyword} '${a}' invalid - ignoring`);
    else set(st, v);
  };
}

function interval(set: (st: GlobalState, us: number) => void): Handler {
  return (node, st, ctx) => {
    const a = node.args[0] ?? '';
    const v = take(readTimerUs(a), node, ctx);
    if (v === undefined) err(ctx, node, `${node.keyword} '${a}' is invalid`);
    else set(st, v);
  };
}

function mcastGroup(family: 4 | 6, set: (st: GlobalState, a: string) => void): Handler {
  return (node, st, ctx) => {
    const a = node.args[0] ?? '';
    const ip = parseIp(a);
    if (!ip || ip.family !== family) err(ctx, node, `Can't parse ${node.keyword} [${a}]. Skipping`);
    else if (!isMulticast(ip)) err(ctx, node, `${node.keyword} [${a}] is not multicast. Skipping`);
    else set(st, ip.text);
  };
}

function processPriority(name: string): Handler {
  return (node, _st, ctx) => {
    const v = take(readInteger(node.args[0] ?? '', -20, 19), node, ctx);
    if (v === undefined) err(ctx, node, `Invalid ${name} process priority specified`);
  };
}

function realtimePriority(name: string): Handler {
  return (node, _st, ctx) => {
    const a = node.args[0] ?? '';
    if (!/^[+-]?[0-9]+$/.test(a)) {
      take(readInteger(a, -2147483648, 2147483647), node, ctx);
      err(ctx, node, `${name} process real-time priority '${a}' invalid`);
      return;
    }
    const v = Number.parseInt(a, 10);
    if (v < 1) warn(ctx, node, `${name} process real-time priority ${v} less than minimum 1 - setting to minimum`);
    else if (v > 99) warn(ctx, node, `${name} process real-time priority ${v} greater than maximum 99 - setting to maximum`);
  };
}

/**
 * keepalived resolves a host name with getaddrinfo. Without a resolver in the environment we
 * accept what the hosts file knows (the corpus machine had no DNS: only /etc/hosts names passed).
 */
function knownHostName(ctx: ValidationContext, host: string): boolean {
  const hosts = ctx.env.readFile('/etc/hosts') ?? '127.0.0.1 localhost\n';
  return hosts.split('\n').some((l) => l.replace(/#.*/, '').trim().split(/\s+/).slice(1).includes(host));
}

function smtpServer(node: ConfigNode, st: GlobalState, ctx: ValidationContext): void {
  const host = node.args[0] ?? '';
  const portText = node.args[1];
  let port = 25;
  if (portText !== undefined) {
    const p = take(readUnsigned(portText, 1, 65535), node, ctx);
    if (p === undefined) {
      take(readUnsigned(portText, 1, 65535), node, ctx); // keepalived reads the port twice
      err(ctx, node, `Invalid smtp server ${host} ${portText}`);
      return;
    }
    port = p;
  }
  if (!parseIp(host) && !knownHostName(ctx, host)) {
    err(ctx, node, `Invalid smtp server ${host} ${portText ?? '25'}`);
    return;
  }
  st.smtpServer = { host, port };
}

/** startup_script / shutdown_script SCRIPT [user [group]]: the user must resolve (script_user by default). */
function runOnceScript(which: 'startup' | 'shutdown'): Handler {
  return (node, st, ctx) => {
    if (node.args.length === 0) { err(ctx, node, `${which} script missing`); return; }
    const userWords = node.args.slice(1);
    if (userWords.length === 0 && !st.enableScriptSecurity) st.defaultScriptUserSettled = true;
    const ok = userWords.length > 0 ? resolveUser(ctx.env, userWords) !== undefined : st.scriptUser !== null;
    if (!ok) err(ctx, node, `Invalid ${which} script`);
  };
}

function runOnceTimeout(node: ConfigNode, _st: GlobalState, ctx: ValidationContext): void {
  const a = node.args[0] ?? '';
  if (take(readUnsigned(a, 1, 1000), node, ctx) === undefined) err(ctx, node, `${node.keyword} '${a}' must be in [1, 1000] - ignoring`);
}

/** lvs_sync_daemon IF INSTANCE [id N] [maxlen N] [port N] [ttl N] [group IP]; only the first one counts. */
function lvsSyncDaemon(node: ConfigNode, st: GlobalState, ctx: ValidationContext): void {
  if (st.lvsSyncDaemon) {
    err(ctx, node, `lvs_sync_daemon has already been specified as ${st.lvsSyncDaemon.interface} ${st.lvsSyncDaemon.instance} - ignoring`);
    return;
  }
  const [ifname = '', ...opts] = node.args;
  const sd: NonNullable<GlobalState['lvsSyncDaemon']> = { interface: ifname, instance: '' };
  for (let i = 0; i < opts.length; i += 2) {
    const k = opts[i] ?? '';
    const v = opts[i + 1] ?? '';
    if (!['inst', 'id', 'maxlen', 'port', 'ttl', 'group'].includes(k)) { sd.instance = k; i--; continue; }
    if (k === 'inst') sd.instance = v;
    else if (k === 'id') {
      const n = take(readUnsigned(v, 0, 255), node, ctx);
      if (n === undefined) err(ctx, node, `Invalid syncid (${v}) - defaulting to vrid`);
      else sd.syncId = n;
    } else if (k === 'maxlen') {
      const n = take(readUnsigned(v, 1, 65507), node, ctx);
      if (n === undefined) err(ctx, node, `Invalid lvs_sync_daemon maxlen (${v}) - ignoring`);
      else sd.maxlen = n;
    } else if (k === 'port' || k === 'ttl' || k === 'group') sd[k] = v;
  }
  st.lvsSyncDaemon = sd;
}

export const GLOBAL_HANDLERS: Readonly<Record<string, Handler>> = {
  ...EXTRA_GLOBAL_HANDLERS,
  lvs_sync_daemon: lvsSyncDaemon,
  startup_script: runOnceScript('startup'),
  shutdown_script: runOnceScript('shutdown'),
  startup_script_timeout: runOnceTimeout,
  shutdown_script_timeout: runOnceTimeout,
  router_id: (node, st, ctx) => {
    const a = node.args[0];
    if (a === undefined) err(ctx, node, 'routerid name missing - ignoring');
    else st.routerId = a;
  },
  notification_email: (node, st, ctx) => {
    const lines = node.lines ?? [];
    if (node.args.length > 0) err(ctx, node, `Block ${node.keyword} has extra parameters ${node.args.join(' ')} ...`);
    if (lines.length === 0) warn(ctx, { ...node, span: node.endSpan ?? node.span }, 'Warning - empty notification_email block');
    for (const l of lines) st.emails.push(...l.tokens);
  },
  smtp_server: smtpServer,
  smtp_helo_name: (node, st) => { if (node.args[0] !== undefined) st.smtpHeloName = node.args[0]; },
  smtp_connect_timeout: (node, st, ctx) => {
    const a = node.args[0] ?? '';
    const v = take(readUnsigned(a, 0, 4294), node, ctx);
    if (v === undefined) err(ctx, node, `smtp_connect_timeout '${a}' must be in [0, 4294] - ignoring`);
    else st.smtpConnectTimeoutS = v;
  },
  script_user: (node, st, ctx) => {
    const u = resolveUser(ctx.env, node.args);
    if (!u) {
      const why = unresolvedUserMessage(ctx.env, node.args);
      if (why !== undefined) ctx.report(ConfigErrorClass.DaemonLog, why, node.span, 'inline');
      err(ctx, node, 'Error setting global script uid/gid');
      st.scriptUser = null;
    } else st.scriptUser = u;
  },
  enable_script_security: flag((st, v) => { st.enableScriptSecurity = v; }),
  vrrp_version: (node, st, ctx) => {
    const v = take(readInteger(node.args[0] ?? '', 2, 3), node, ctx);
    if (v === undefined) err(ctx, node, 'VRRP Error: Version must be either 2 or 3');
    else st.version = v === 3 ? 3 : 2;
  },
  vrrp_strict: flag((st, v) => { st.strict = v; }),
  vrrp_mcast_group4: mcastGroup(4, (st, a) => { st.mcastGroup4 = a; }),
  vrrp_mcast_group6: mcastGroup(6, (st, a) => { st.mcastGroup6 = a; }),
  vrrp_garp_master_delay: garpDelay((st, s) => { st.garpMasterDelayS = s; }),
  vrrp_garp_master_repeat: (node, st, ctx) => {
    const a = node.args[0] ?? '';
    const v = take(readUnsigned(a, 0, 2147483647), node, ctx);
    if (v === undefined) err(ctx, node, `vrrp_garp_master_repeat '${a}' invalid - ignoring`);
    else if (v === 0) { err(ctx, node, 'vrrp_garp_master_repeat must be greater than 0, setting to 1'); st.garpMasterRepeat = 1; }
    else st.garpMasterRepeat = v;
  },
  vrrp_garp_master_refresh: (node, st, ctx) => {
    const a = node.args[0] ?? '';
    const v = take(readUnsigned(a, 0, 2147483647), node, ctx);
    if (v === undefined) err(ctx, node, `Invalid vrrp_garp_master_refresh '${a}' - ignoring`);
    else st.garpMasterRefreshS = v;
  },
  vrrp_garp_master_refresh_repeat: (node, st, ctx) => {
    const a = node.args[0] ?? '';
    const v = take(readUnsigned(a, 0, 2147483647), node, ctx);
    if (v === undefined) err(ctx, node, `vrrp_garp_master_refresh_repeat '${a}' invalid - ignoring`);
    else st.garpMasterRefreshRepeat = v;
  },
  vrrp_garp_lower_prio_delay: garpDelay((st, s) => { st.garpLowerPrioDelayS = s; }),
  vrrp_garp_lower_prio_repeat: (node, st, ctx) => {
    const a = node.args[0] ?? '';
    const v = take(readUnsigned(a, 0, 2147483647), node, ctx);
    if (v === undefined) err(ctx, node, `Invalid vrrp_garp_lower_prio_repeat '${a}'`);
    else st.garpLowerPrioRepeat = v;
  },
  vrrp_garp_interval: interval((st, us) => { st.garpIntervalUs = us; }),
  vrrp_gna_interval: interval((st, us) => { st.gnaIntervalUs = us; }),
  vrrp_min_garp: flag((st, v) => { st.minGarp = v; }),
  vrrp_lower_prio_no_advert: flag((st, v) => { st.lowerPrioNoAdvert = v; }),
  vrrp_higher_prio_send_advert: flag((st, v) => { st.higherPrioSendAdvert = v; }),
  vrrp_down_timer_adverts: (node, st, ctx) => {
    const a = node.args[0] ?? '';
    const v = take(readUnsigned(a, 1, 100), node, ctx);
    if (v === undefined) err(ctx, node, `Invalid vrrp_down_timer_adverts [1:100] '${a}'`);
    else st.downTimerAdverts = v;
  },
  // keepalived 2.2.7 takes any word after vrrp_skip_check_adv_addr without complaint
  vrrp_skip_check_adv_addr: (node, st) => { st.skipCheckAdvAddr = parseBoolWord(node.args[0] ?? 'true') !== false; },
  vrrp_check_unicast_src: (_node, st) => { st.checkUnicastSrc = true; },
  vrrp_startup_delay: (node, st, ctx) => {
    const a = node.args[0] ?? '';
    const v = take(readTimerUs(a, 1000), node, ctx);
    if (v === undefined) err(ctx, node, `vrrp_startup_delay '${a}' is invalid`);
    else st.startupDelayUs = v;
  },
  vrrp_notify_priority_changes: flag((st, v) => { st.notifyPriorityChanges = v; }),
  // keepalived 2.2.8: the default of every vrrp_instance (optional true/false argument)
  v3_checksum_as_v2: flag((st, v) => { st.v3ChecksumAsV2 = v; }),
  log_unknown_vrids: (_node, st) => { st.logUnknownVrids = true; },
  dynamic_interfaces: (node, st, ctx) => {
    const a = node.args[0];
    st.dynamicInterfaces = true;
    if (a === 'allow_if_changes') st.allowIfChanges = true;
    else if (a !== undefined) err(ctx, node, `Unknown dynamic_interfaces option '${a}'`);
  },
  default_interface: (node, st) => { if (node.args[0] !== undefined) st.defaultInterface = node.args[0]; },
  max_auto_priority: (node, _st, ctx) => {
    const a = node.args[0];
    if (a === undefined) return;
    if (take(readInteger(a, -1, 99), node, ctx) === undefined) err(ctx, node, `max_auto_priority '${a}' must be in [0, 99] (or -1 to disable) - ignoring`);
  },
  vrrp_priority: processPriority('vrrp'),
  checker_priority: processPriority('checker'),
  bfd_priority: processPriority('bfd'),
  vrrp_rt_priority: realtimePriority('vrrp'),
  checker_rt_priority: realtimePriority('checker'),
  bfd_rt_priority: realtimePriority('bfd'),
  umask: (node, st, ctx) => {
    const r = readUmask(node.args);
    if (!r.ok) err(ctx, node, r.message);
    else st.umask = r.mask;
  },
  vrrp_iptables: (node, st, ctx) => {
    err(ctx, node, "iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option");
    st.nftablesSeen = true;
  },
  nftables: (node, st, ctx) => {
    if (st.nftablesSeen) err(ctx, node, 'nftables already specified - ignoring');
    st.nftablesSeen = true;
  },
};
