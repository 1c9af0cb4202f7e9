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

function fifo(node: ConfigNode, st: GlobalState, ctx: ValidationContext): void {
  const name = node.args[0];
  if (name === undefined) { err(ctx, node, `No ${node.keyword} name specified`); return; }
  st.fifos.set(node.keyword, node.args);
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

function lvsFlushOnStop(node: ConfigNode, st: GlobalState, ctx: ValidationContext): void {
  const a = node.args[0];
  if (a === undefined || a === 'VS' || a === 'ALL') st.lvsFlushOnStop = a ?? 'ALL';
  else err(ctx, node, `Unknown lvs_flush_on_stop type ${a}`);
}

export const EXTRA_GLOBAL_HANDLERS: Readonly<Record<string, Handler>> = {
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
  snmp_socket: (node, _st, ctx) => {
    if (node.args[0] === undefined) err(ctx, node, 'SNMP error : snmp socket name missing');
  },
};
