/**
 * VRRP-pass keyword tables for keepalived 2.2.7 (sub-block tables found by probing
 * /usr/sbin/keepalived -t with candidate names; see the report for the method).
 */
import type { ConfigNode } from '../../ast.js';
import type { ValidationContext } from '../../domain.js';
import { block, list, values, type KeywordTable } from '../../schema.js';
import { missingParameter } from '../global/read.js';

const TRACKERS = {
  track_interface: list, track_script: list, track_file: list, track_process: list, track_bfd: list,
};

export const AUTHENTICATION_KEYWORDS: KeywordTable = values('auth_type', 'auth_pass');

export const VRRP_INSTANCE_KEYWORDS: KeywordTable = {
  ...values(
    'interface', 'virtual_router_id', 'priority', 'state', 'advert_int', 'version', 'nopreempt', 'preempt',
    'preempt_delay', 'unicast_src_ip', 'mcast_src_ip', 'unicast_ttl',
    'unicast_fault_no_peer', 'check_unicast_src', 'mcast_dst_ip', 'track_src_ip', 'dont_track_primary',
    'notify_master', 'notify_backup', 'notify_fault', 'notify_stop', 'notify', 'notify_deleted',
    'notify_master_rx_lower_pri', 'notify_priority_changes', 'smtp_alert', 'garp_master_delay',
    'garp_master_repeat', 'garp_master_refresh', 'garp_master_refresh_repeat', 'garp_lower_prio_delay',
    'garp_lower_prio_repeat', 'garp_extra_if', 'use_vmac', 'vmac_xmit_base', 'use_vmac_addr', 'use_ipvlan',
    'native_ipv6', 'accept', 'no_accept', 'strict_mode', 'skip_check_adv_addr', 'promote_secondaries',
    'lower_prio_no_advert', 'higher_prio_send_advert', 'down_timer_adverts', 'old_unicast_checksum',
    'linkbeat_use_polling', 'debug', 'lvs_sync_daemon_interface', 'kernel_rx_buf_size', 'vrf',
    'vmac_garp_intvl',
    // keepalived 2.2.8 (the one keyword accepted beyond 2.2.7; docs/config-compat.md)
    'v3_checksum_as_v2',
  ),
  authentication: block(AUTHENTICATION_KEYWORDS),
  virtual_ipaddress: list,
  virtual_ipaddress_excluded: list,
  virtual_routes: list,
  virtual_rules: list,
  unicast_peer: list,
  ...TRACKERS,
};

export const VRRP_SCRIPT_KEYWORDS: KeywordTable = values('script', 'interval', 'timeout', 'weight', 'rise', 'fall', 'user', 'init_fail');

export const SYNC_GROUP_KEYWORDS: KeywordTable = {
  ...values('notify', 'notify_master', 'notify_backup', 'notify_fault', 'notify_stop', 'notify_priority_changes',
    'smtp_alert', 'global_tracking', 'sync_group_tracking_weight'),
  group: list, track_interface: list, track_script: list, track_file: list, track_process: list, track_bfd: list,
};

export const TRACK_FILE_KEYWORDS: KeywordTable = values('file', 'weight', 'init_file');
export const TRACK_PROCESS_KEYWORDS: KeywordTable = values(
  'process', 'param_match', 'weight', 'quorum', 'quorum_max', 'delay', 'fork_delay', 'terminate_delay', 'full_command',
);
export const GARP_GROUP_KEYWORDS: KeywordTable = { ...values('garp_interval', 'gna_interval', 'interface'), interfaces: list };
export const TRACK_GROUP_KEYWORDS: KeywordTable = { group: list };

/** Top-level keywords owned by the VRRP pass. */
export const VRRP_TOP_KEYWORDS: KeywordTable = {
  vrrp_instance: block(VRRP_INSTANCE_KEYWORDS),
  vrrp_script: block(VRRP_SCRIPT_KEYWORDS),
  vrrp_sync_group: block(SYNC_GROUP_KEYWORDS),
  track_file: block(TRACK_FILE_KEYWORDS),
  vrrp_track_file: block(TRACK_FILE_KEYWORDS),
  vrrp_track_process: block(TRACK_PROCESS_KEYWORDS),
  garp_group: block(GARP_GROUP_KEYWORDS),
  track_group: block(TRACK_GROUP_KEYWORDS),
  static_ipaddress: list,
  static_routes: list,
  static_rules: list,
  linkbeat_interfaces: list,
  interface_up_down_delays: list,
};

/** vrrp_instance keywords without which keepalived 2.2.7 stops ("is missing a parameter"), probed one by one. */
export const INSTANCE_NEEDS_PARAMETER: ReadonlySet<string> = new Set([
  'interface', 'virtual_router_id', 'priority', 'state', 'advert_int', 'version', 'preempt_delay', 'unicast_src_ip',
  'mcast_src_ip', 'unicast_ttl', 'mcast_dst_ip', 'notify_master', 'notify_backup', 'notify_fault', 'notify_stop', 'notify',
  'notify_master_rx_lower_pri', 'garp_master_delay', 'garp_master_repeat', 'garp_master_refresh', 'garp_master_refresh_repeat',
  'garp_lower_prio_delay', 'garp_lower_prio_repeat', 'down_timer_adverts', 'debug', 'lvs_sync_daemon_interface', 'vrf',
]);

/** Keywords of the other VRRP blocks without which keepalived 2.2.7 stops, probed one by one. */
export const BLOCK_NEEDS_PARAMETER: Readonly<Record<string, ReadonlySet<string>>> = {
  vrrp_sync_group: new Set(['notify', 'notify_master', 'notify_backup', 'notify_fault', 'notify_stop']),
  vrrp_script: new Set(['interval', 'timeout', 'weight', 'rise', 'fall', 'user']),
  vrrp_track_process: new Set(['process', 'quorum', 'quorum_max', 'delay', 'fork_delay', 'terminate_delay']),
  garp_group: new Set(['garp_interval', 'gna_interval', 'interface']),
};

/** True when keepalived stops at one of this block's keywords (the message is reported). */
export function blockMissingParameter(block: ConfigNode, ctx: ValidationContext): boolean {
  const needs = BLOCK_NEEDS_PARAMETER[block.keyword];
  return needs !== undefined && (block.children ?? []).some((c) => missingParameter(c, needs, ctx));
}
