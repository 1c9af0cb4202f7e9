/**
 * More global_defs keyword handlers (see handlers.ts), with keepalived 2.2.7's messages as probed
 * with keepalived -t: e-mail and SMTP alert switches, FIFOs, extra GARP interval, random seed,
 * LVS timeouts and flushing, nftables priority, receive-buffer policy, SNMP socket.
 */
import type { ConfigNode } from '../../ast.js';
import type { ValidationContext } from '../../domain.js';
import { parseBoolWord, readInteger, readUnsigned } from '../../syntax/numbers.js';
import type { GlobalState } from './handlers.js';
import { err, take } from './read.js';

type Handler = (node: ConfigNode, st: GlobalState, ctx: ValidationContext) => void;

/** smtp_alert* and data_use_instance: "Invalid value 'x' for global NAME specified". */
function globalBool(shownName: string, set: (st: GlobalState, v: boolean) => void): Handler {
  return (node, st, ctx) => {
    const a = node.args[0];
    const v = a === undefined ? true : parseBoolWord(a);
    if (v === undefined) err(ctx, node, `Invalid value '${a ?? ''}' for global ${shownName} specified`);
    else set(st, v);
  };
}

/** notify_fifo / vrrp_notify_fifo / lvs_notify_fifo NAME [user [group]]: the first one counts. */
function fifo(node: ConfigNode, st: GlobalState, ctx: ValidationContext): void {
  const name = node.args[0];
  if (name === undefined) { err(ctx, node, `No ${node.keyword} name specified`); return; }
  if (st.fifos.has(node.keyword)) { err(ctx, node, `${node.keyword} already specified - ignoring ${name}`); return; }
  st.fifos.set(node.keyword, node.args);
}

/** *_notify_fifo_script SCRIPT [user [group]]: the first one counts (run with the FIFO name appended). */
function fifoScript(node: ConfigNode, st: GlobalState, ctx: ValidationContext): void {
  const script = node.args[0];
  if (script === undefined) return; // "No ..._script specified" comes from GLOBAL_MISSING_VALUE
  if (st.fifoScripts.has(node.keyword)) { err(ctx, node, `${node.keyword} already specified - ignoring ${script}`); return; }
  st.fifoScripts.set(node.keyword, node);
}

function garpExtraIf(node: ConfigNode, st: GlobalState, ctx: ValidationContext): void {
  const all = node.args[0] === 'all';
  const a = node.args[all ? 1 : 0] ?? '';
  const v = take(readUnsigned(a, 1, 86400), node, ctx);
  if (v === undefined) err(ctx, node, `${node.keyword} '${a}' invalid - ignoring`);
  else st.garpExtraIf = { intervalS: v, all };
}

function lvsTimeouts(node: ConfigNode, st: GlobalState, ctx: ValidationContext): void {
  for (let i = 0; i + 1 < node.args.length; i += 2) {
    const kind = node.args[i] ?? '';
    const a = node.args[i + 1] ?? '';
    if (kind !== 'tcp' && kind !== 'tcpfin' && kind !== 'udp') continue;
    const v = take(readUnsigned(a, 0, 2147483647), node, ctx);
    if (v === undefined) err(ctx, node, `Invalid lvs_timeout ${kind} (${a}) - ignoring`);
    else st.lvsTimeoutsS[kind] = v;
  }
}

/** lvs_flush_on_stop [VS]: bare = flush everything; keepalived 2.2.7 knows no other word (not even ALL). */
function lvsFlushOnStop(node: ConfigNode, st: GlobalState, ctx: ValidationContext): void {
  const a = node.args[0];
  if (a === undefined) st.lvsFlushOnStop = 'ALL';
  else if (a === 'VS') st.lvsFlushOnStop = 'VS';
  else err(ctx, node, `Unknown lvs_flush_on_stop type ${a}`);
}

/** A number read with keepalived's message, then `message(arg)` when it is not valid. */
function numberOr(min: number, max: number, message: (a: string, keyword: string) => string, signed = false): Handler {
  return (node, _st, ctx) => {
    const a = node.args[0] ?? '';
    const v = take(signed ? readInteger(a, min, max) : readUnsigned(a, min, max), node, ctx);
    if (v === undefined) err(ctx, node, message(a, node.keyword));
  };
}

function cpuAffinity(process: string): Handler {
  return (node, _st, ctx) => {
    for (const a of node.args) {
      if (take(readUnsigned(a, 0, 4095), node, ctx) === undefined) { err(ctx, node, `Invalid cpu_id:0 specified for ${process} process`); return; }
    }
  };
}

const INCLUDE_CHECK_TYPES = new Set(['readable', 'match', 'wildcard_match', 'brace_match']);

export const EXTRA_GLOBAL_HANDLERS: Readonly<Record<string, Handler>> = {
  checker_log_all_failures: (node, _st, ctx) => {
    if (node.args[0] !== undefined && parseBoolWord(node.args[0]) === undefined) err(ctx, node, 'Invalid value for checker_log_all_failures specified');
  },
  rs_init_notifies: globalBool('rs_init_notifies', () => undefined),
  vrrp_rx_bufs_multiplier: numberOr(1, 4294967295, (a) => `Invalid vrrp_rx_bufs_multiplier ${a}`),
  min_auto_priority_delay: numberOr(1, 10000000, (a) => `min_auto_priority_delay '${a}' must be in [1, 10000000] - ignoring`),
  nftables_ipvs_start_fwmark: numberOr(0, 4294967295, (a) => `invalid ipvs nftables start_fwmark priority '${a}'`),
  vrrp_cpu_affinity: cpuAffinity('vrrp'),
  checker_cpu_affinity: cpuAffinity('checker'),
  bfd_cpu_affinity: cpuAffinity('bfd'),
  include_check: (node, _st, ctx) => {
    for (const a of node.args) {
      const t = a.replace(/^[+-]/, '');
      if (!INCLUDE_CHECK_TYPES.has(t)) err(ctx, node, `Unknown include_check type '${a}' - ignoring`);
    }
  },
  notification_email_from: (node, st, ctx) => {
    if (node.args[0] === undefined) err(ctx, node, 'emailfrom missing - ignoring');
    else st.emailFrom = node.args[0];
  },
  smtp_alert: globalBool('smtp_alert', (st, v) => { st.smtpAlert = v; }),
  smtp_alert_vrrp: globalBool('smtp_alert_vrrp', (st, v) => { st.smtpAlertVrrp = v; }),
  smtp_alert_checker: globalBool('smtp_alert_checker', (st, v) => { st.smtpAlertChecker = v; }),
  data_use_instance: globalBool('date_use_instance', () => undefined),
  notify_fifo: fifo,
  vrrp_notify_fifo: fifo,
  lvs_notify_fifo: fifo,
  notify_fifo_script: fifoScript,
  vrrp_notify_fifo_script: fifoScript,
  lvs_notify_fifo_script: fifoScript,
  vrrp_garp_extra_if: garpExtraIf,
  vrrp_vmac_garp_intvl: garpExtraIf,
  random_seed: (node, _st, ctx) => {
    const a = node.args[0] ?? '';
    if (take(readUnsigned(a, 0, 4294967295), node, ctx) === undefined) err(ctx, node, `random_seed ${a} invalid`);
  },
  lvs_timeouts: lvsTimeouts,
  lvs_flush_on_stop: lvsFlushOnStop,
  lvs_flush_onstop: lvsFlushOnStop,
  nftables_priority: (node, _st, ctx) => {
    const a = node.args[0] ?? '';
    if (take(readInteger(a, -2147483648, 2147483647), node, ctx) === undefined) err(ctx, node, `invalid nftables chain priority '${a}'`);
  },
  vrrp_rx_bufs_policy: (node, _st, ctx) => {
    for (const a of node.args) {
      if (a === 'MTU' || a === 'ADVERT' || a === 'NO_SETTING') continue;
      if (take(readUnsigned(a, 0, 4294967295), node, ctx) === undefined) err(ctx, node, `Invalid vrrp_rx_bufs_policy ${a}`);
    }
  },
  ...Object.fromEntries(['vrrp_netlink_cmd_rcv_bufs', 'vrrp_netlink_monitor_rcv_bufs', 'lvs_netlink_cmd_rcv_bufs',
    'lvs_netlink_monitor_rcv_bufs', 'process_monitor_rcv_bufs'].map((k) => [k, numberOr(0, 4294967295, (a, kw) => `${kw} size (${a}) invalid`)])),
  snmp_socket: (node, _st, ctx) => {
    if (node.args[0] === undefined) err(ctx, node, 'SNMP error : snmp socket name missing');
  },
};
