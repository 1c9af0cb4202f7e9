/**
 * vrrp_instance keywords beyond the core ones of instance.ts: per-instance GARP settings,
 * use_vmac, vrf, mcast_dst_ip, unicast peers with min/max TTL, virtual routes and rules, notify
 * scripts and smtp_alert; with keepalived 2.2.7's parse-time messages (probed with keepalived -t).
 */
import type { ConfigNode } from '../../ast.js';
import { ConfigErrorClass } from '../../diagnostics.js';
import type { ValidationContext } from '../../domain.js';
import type { GarpSettings } from '../../model/vrrp.js';
import { scriptAndUser } from '../../scripts.js';
import { isMulticast, parseIp, parseIpPrefix } from '../../syntax/ip.js';
import { parseBoolWord, readDouble, readUnsigned } from '../../syntax/numbers.js';
import { err, take } from '../global/read.js';
import type { InstanceDraft, InstanceParse } from './instance.js';
import { readRoutes, readRules } from './static.js';

export type Handler = (c: ConfigNode, d: InstanceDraft, ctx: ValidationContext, p: InstanceParse) => void;

const UINT_MAX = 4294967295;

/** `garp_*` of an instance: "(VI): KEYWORD 'x' invalid - ignoring" and the zero-repeat fixes. */
function garp(key: keyof GarpSettings, invalid: (name: string, a: string) => string, zeroFix?: string): Handler {
  return (c, d, ctx) => {
    const a = c.args[0] ?? '';
    const v = take(readUnsigned(a, 0, UINT_MAX), c, ctx);
    if (v === undefined) { err(ctx, c, invalid(d.name, a)); return; }
    if (v === 0 && zeroFix !== undefined) {
      err(ctx, c, `(${d.name}): ${zeroFix} must be greater than 0, setting to 1`);
      d.garp[key] = 1;
      return;
    }
    d.garp[key] = v;
  };
}

function useVmac(c: ConfigNode, d: InstanceDraft, ctx: ValidationContext, p: InstanceParse): void {
  d.useVmac = true;
  for (const w of c.args) {
    if (/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(w)) d.vmacMac = w.toLowerCase();
    else if (w === 'netlink_notify_msg') continue;
    else if (d.vmacName === undefined) {
      const owner = p.vmacNames.get(w);
      if (owner !== undefined && owner !== d.name) err(ctx, c, `(${d.name}) VRRP instance ${owner} is already using ${w} - ignoring name`);
      else { d.vmacName = w; p.vmacNames.set(w, d.name); }
    }
  }
}

function unicastPeers(c: ConfigNode, d: InstanceDraft, ctx: ValidationContext): void {
  d.peerBlock = true;
  for (const line of c.lines ?? []) {
    const [w = '', ...rest] = line.tokens;
    const p = parseIpPrefix(w);
    if (!p) {
      ctx.report(ConfigErrorClass.GeneralError, `Configuration error: VRRP instance[${d.name}] malformed unicast peer address[${w}]. Skipping...`, line.span);
      continue;
    }
    const family = d.family;
    if (family !== undefined && family !== p.family) {
      ctx.report(ConfigErrorClass.GeneralError, `Configuration error: VRRP instance[${d.name}] and unicast peer address[${p.text}] MUST be of the same family !!! Skipping...`, line.span);
      continue;
    }
    const peer: { address: string; family: 4 | 6; minTtl?: number; maxTtl?: number; span: ConfigNode['span'] } = { address: p.text, family: p.family, span: line.span };
    for (let i = 0; i < rest.length; i += 2) {
      const k = rest[i] ?? '';
      const v = rest[i + 1];
      if ((k !== 'min_ttl' && k !== 'max_ttl') || v === undefined) {
        ctx.report(ConfigErrorClass.GeneralError, `(${d.name}) ${k} is missing a value`, line.span);
        break;
      }
      const r = readUnsigned(v, 0, 255);
      if (!r.ok) { for (const m of r.messages) ctx.report(ConfigErrorClass.InvalidNumber, m, line.span); continue; }
      if (k === 'min_ttl') peer.minTtl = r.value; else peer.maxTtl = r.value;
    }
    if (peer.minTtl !== undefined && peer.maxTtl !== undefined && peer.minTtl > peer.maxTtl) {
      ctx.report(ConfigErrorClass.GeneralError, `(${d.name}) min_ttl ${peer.minTtl} > max_ttl ${peer.maxTtl} - all packets will be discarded`, line.span);
    }
    d.unicastPeers.push(peer);
  }
}

/** `keyword [<BOOL>]` of an instance: "(VI) invalid KEYWORD X specified". */
function optionalBool(key: 'lowerPrioNoAdvert' | 'higherPrioSendAdvert'): Handler {
  return (c, d, ctx) => {
    const a = c.args[0];
    const v = a === undefined ? true : parseBoolWord(a);
    if (v === undefined) err(ctx, c, `(${d.name}) invalid ${c.keyword} ${a ?? ''} specified`);
    else d[key] = v;
  };
}

function garpExtraIf(c: ConfigNode, d: InstanceDraft, ctx: ValidationContext): void {
  const all = c.args[0] === 'all';
  const a = c.args[all ? 1 : 0];
  if (a === undefined) { err(ctx, c, `(${d.name}): ${c.keyword} specified without time - ignoring`); return; }
  const v = take(readUnsigned(a, 0, 86400), c, ctx);
  if (v === undefined) err(ctx, c, `(${d.name}): ${c.keyword} '${a}' invalid - ignoring`);
}

function notifyScript(k: string): Handler {
  return (c, d, ctx) => {
    const { command, userWords, error, log } = scriptAndUser(c.args, c.argsText, c.keyword);
    if (error !== undefined) err(ctx, c, error);
    if (log !== undefined) ctx.report(ConfigErrorClass.DaemonLog, log, c.span, 'inline');
    if (command) d.notify[k] = { argv: command.argv, span: c.span, userWords };
  };
}

export const OPTION_HANDLERS: Record<string, Handler> = {
  garp_master_delay: garp('masterDelayS', (n, a) => `(${n}): garp_master_delay '${a}' invalid - ignoring`),
  garp_master_repeat: garp('masterRepeat', (n, a) => `(${n}): garp_master_repeat '${a}' invalid - ignoring`, 'garp_master_repeat'),
  garp_master_refresh: garp('masterRefreshS', (n, a) => `(${n}): Invalid garp_master_refresh '${a}' - ignoring`),
  garp_master_refresh_repeat: garp('masterRefreshRepeat', (n, a) => `(${n}): garp_master_refresh_repeat '${a}' invalid - ignoring`, 'garp_master_refresh_repeat'),
  garp_lower_prio_delay: garp('lowerPrioDelayS', (n, a) => `(${n}): garp_lower_prio_delay '${a}' invalid - ignoring`),
  garp_lower_prio_repeat: garp('lowerPrioRepeat', (n, a) => `(${n}): Invalid garp_lower_prio_repeat '${a}'`),
  preempt_delay: (c, d, ctx) => {
    const a = c.args[0] ?? '';
    const r = readDouble(a, 0, 1000);
    if (r.ok) { d.preemptDelayS = r.value; return; }
    for (const m of r.messages) ctx.report(ConfigErrorClass.InvalidNumber, m, c.span);
    if (/^[+-]?[0-9.]/.test(a)) err(ctx, c, `(${d.name}) Preempt_delay not valid! must be between 0-1000`);
  },
  unicast_ttl: (c, d, ctx) => {
    const a = c.args[0] ?? '';
    const v = take(readUnsigned(a, 0, 255), c, ctx);
    if (v === undefined) err(ctx, c, `(${d.name}): TTL '${a}' not valid - must be between 0 & 255`);
    else d.unicastTtl = v;
  },
  mcast_dst_ip: (c, d, ctx) => {
    const a = c.args[0] ?? '';
    const ip = parseIp(a);
    if (!ip || !isMulticast(ip)) err(ctx, c, `(${d.name}) mcast_dst_ip ${a} not multicast. Skipping...`);
    else d.mcastDstIp = ip.text;
  },
  use_vmac: useVmac,
  use_ipvlan: (c, d) => {
    d.useIpvlan = true;
    for (const w of c.args) {
      if (w === 'bridge' || w === 'private' || w === 'vepa') continue;
      const p = parseIpPrefix(w);
      if (p) d.ipvlanAddress = `${p.text}/${p.prefixLength}`;
      else d.vmacName ??= w;
    }
  },
  vrf: (c, d, ctx, p) => {
    const name = c.args[0] ?? '';
    if (d.interface !== undefined) { err(ctx, c, `(${d.name}) Cannot specify VRF interface and interface - ignoring`); return; }
    if (!ctx.env.interfaces().has(name) && !p.dynamic) {
      err(ctx, c, `(${d.name}) WARNING - VRF interface ${name} doesn't exist`);
      p.onMissingInterface();
    }
    d.vrf = name;
  },
  unicast_peer: unicastPeers,
  garp_extra_if: garpExtraIf,
  vmac_garp_intvl: (c, d, ctx) => {
    err(ctx, c, 'Keyword "vmac_garp_intvl" is deprecated - please use "garp_extra_if"');
    garpExtraIf(c, d, ctx);
  },
  linkbeat_use_polling: (c, d, ctx) => {
    err(ctx, c, `(${d.name}) 'linkbeat_use_polling' in vrrp instance deprecated - use linkbeat_interfaces block`);
  },
  kernel_rx_buf_size: (c, d, ctx) => {
    const a = c.args[0] ?? '';
    if (take(readUnsigned(a, 0, 4294967295), c, ctx) === undefined) err(ctx, c, `(${d.name}) invalid kernel_rx_buf_size specified`);
  },
  lower_prio_no_advert: optionalBool('lowerPrioNoAdvert'),
  higher_prio_send_advert: optionalBool('higherPrioSendAdvert'),
  down_timer_adverts: (c, d, ctx) => {
    const a = c.args[0] ?? '';
    const v = take(readUnsigned(a, 1, 100), c, ctx);
    if (v === undefined) err(ctx, c, `(${d.name}): Invalid down_timer_adverts [1:100] '${a}'`);
    else d.downTimerAdverts = v;
  },
  lvs_sync_daemon_interface: (c, d, ctx) => {
    err(ctx, c, `(${d.name}) Specifying lvs_sync_daemon_interface against a vrrp is deprecated.`);
    err(ctx, c, '        Please use global lvs_sync_daemon');
  },
  virtual_routes: (c, d, _ctx, p) => { d.routes.push(...readRoutes(c, p)); },
  virtual_rules: (c, d, _ctx, p) => { d.rules.push(...readRules(c, p)); },
  smtp_alert: (c, d, ctx) => {
    const a = c.args[0];
    const v = a === undefined ? true : parseBoolWord(a);
    if (v === undefined) err(ctx, c, `Invalid vrrp_instance smtp_alert parameter ${a ?? ''}`);
    else d.smtpAlert = v;
  },
  notify_priority_changes: (c, d, ctx) => {
    const a = c.args[0];
    const v = a === undefined ? true : parseBoolWord(a);
    if (v === undefined) err(ctx, c, `(${d.name}) Invalid value '${a ?? ''}' for notify_priority_changes specified`);
    else d.notifyPriorityChanges = v;
  },
  // keepalived 2.2.7 turns the check off for any true/false word, and says so for anything else
  skip_check_adv_addr: (c, d, ctx) => {
    const a = c.args[0];
    if (a !== undefined && parseBoolWord(a) === undefined) err(ctx, c, `(${d.name}) invalid skip_check_adv_addr ${a} specified`);
    else d.skipCheckAdvAddr = true;
  },
  v3_checksum_as_v2: (c, d, ctx) => {
    const a = c.args[0];
    const v = a === undefined ? true : parseBoolWord(a);
    if (v === undefined) err(ctx, c, `(${d.name}) invalid v3_checksum_as_v2 ${a ?? ''} specified`);
    else d.v3ChecksumAsV2 = v;
  },
  old_unicast_checksum: (c, d, ctx) => {
    const a = c.args[0];
    if (a !== undefined && a !== 'never') err(ctx, c, `(${d.name}) Unknown old_unicast_chksum mode ${a} - ignoring`);
  },
  debug: (c, d, ctx) => {
    const a = c.args[0] ?? '';
    if (take(readUnsigned(a, 0, 4), c, ctx) === undefined) err(ctx, c, `(${d.name}) Debug value '${a}' not valid; must be between 0-4`);
  },
};

for (const k of ['notify_master', 'notify_backup', 'notify_fault', 'notify_stop', 'notify_deleted', 'notify', 'notify_master_rx_lower_pri']) {
  OPTION_HANDLERS[k] = notifyScript(k);
}
