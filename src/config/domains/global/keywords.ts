/**
 * The keywords keepalived 2.2.7 accepts in global_defs (found by probing /usr/sbin/keepalived -t
 * with every candidate name), and the top-level keywords of the global pass.
 */
import { block, list, values, type KeywordTable } from '../../schema.js';

/** Everything inside global_defs { }. */
export const GLOBAL_DEFS_KEYWORDS: KeywordTable = {
  ...values(
  'bfd_cpu_affinity', 'bfd_no_swap', 'bfd_priority', 'bfd_process_name', 'bfd_rlimit_rtime',
  'bfd_rlimit_rttime', 'bfd_rt_priority', 'checker_cpu_affinity', 'checker_log_all_failures',
  'checker_no_swap', 'checker_priority', 'checker_process_name', 'checker_rlimit_rtime',
  'checker_rlimit_rttime', 'checker_rt_priority', 'config_save_dir', 'data_use_instance',
  'dbus_service_name', 'default_interface', 'disable_local_igmp', 'dynamic_interfaces',
  'enable_dbus', 'enable_script_security', 'enable_snmp_checker', 'enable_snmp_keepalived',
  'enable_snmp_rfc', 'enable_snmp_rfcv2', 'enable_snmp_rfcv3', 'enable_snmp_vrrp', 'enable_traps',
  'fifo_write_vrrp_states_on_reload', 'include', 'include_check', 'log_unknown_vrids', 'lvs_flush',
  'lvs_flush_on_stop', 'lvs_flush_onstop', 'lvs_netlink_cmd_rcv_bufs',
  'lvs_netlink_cmd_rcv_bufs_force', 'lvs_netlink_monitor_rcv_bufs',
  'lvs_netlink_monitor_rcv_bufs_force', 'lvs_notify_fifo', 'lvs_notify_fifo_script',
  'lvs_process_name', 'lvs_sync_daemon', 'lvs_timeouts', 'max_auto_priority',
  'min_auto_priority_delay', 'nftables', 'nftables_counters', 'nftables_ifindex', 'nftables_ipvs',
  'nftables_ipvs_priority', 'nftables_ipvs_start_fwmark', 'nftables_priority', 'no_checker_emails',
  'no_email_faults', 'notification_email_from', 'notify_fifo', 'notify_fifo_script',
  'process_monitor_rcv_bufs', 'process_monitor_rcv_bufs_force', 'process_name', 'process_names',
  'random_seed', 'reload_check_config', 'reload_file', 'reload_repeat', 'reload_time_file',
  'router_id', 'rs_init_notifies', 'script_user', 'shutdown_script', 'shutdown_script_timeout',
  'smtp_alert', 'smtp_alert_checker', 'smtp_alert_vrrp', 'smtp_connect_timeout', 'smtp_helo_name',
  'smtp_server', 'snmp_socket', 'startup_script', 'startup_script_timeout', 'tmp_config_directory',
  'umask', 'vmac_addr_prefix', 'vmac_prefix', 'vrrp_check_unicast_src', 'vrrp_cpu_affinity',
  'vrrp_down_timer_adverts', 'vrrp_garp_extra_if', 'vrrp_garp_interval',
  'vrrp_garp_lower_prio_delay', 'vrrp_garp_lower_prio_repeat', 'vrrp_garp_master_delay',
  'vrrp_garp_master_refresh', 'vrrp_garp_master_refresh_repeat', 'vrrp_garp_master_repeat',
  'vrrp_gna_interval', 'vrrp_higher_prio_send_advert', 'vrrp_iptables',
  'vrrp_lower_prio_no_advert', 'vrrp_mcast_group4', 'vrrp_mcast_group6', 'vrrp_min_garp',
  'vrrp_netlink_cmd_rcv_bufs', 'vrrp_netlink_cmd_rcv_bufs_force', 'vrrp_netlink_monitor_rcv_bufs',
  'vrrp_netlink_monitor_rcv_bufs_force', 'vrrp_no_swap', 'vrrp_notify_fifo',
  'vrrp_notify_fifo_script', 'vrrp_notify_priority_changes', 'vrrp_priority', 'vrrp_process_name',
  'vrrp_rlimit_rtime', 'vrrp_rlimit_rttime', 'vrrp_rt_priority', 'vrrp_rx_bufs_multiplier',
  'vrrp_rx_bufs_policy', 'vrrp_skip_check_adv_addr', 'vrrp_startup_delay', 'vrrp_strict',
  'vrrp_version', 'vrrp_vmac_garp_intvl',
  // keepalived 2.2.8 (the one keyword accepted beyond 2.2.7; docs/config-compat.md)
  'v3_checksum_as_v2',
  ),
  notification_email: list,
  // keepalived-ts extension (not in keepalived): lb_data_plane auto|ipvs|nftables|none, read by src/lb/plane-select.ts.
  ...values('lb_data_plane'),
};

/** Top-level keywords owned by the global pass. */
export const GLOBAL_TOP_KEYWORDS: KeywordTable = {
  global_defs: block(GLOBAL_DEFS_KEYWORDS),
  ...values('net_namespace', 'net_namespace_ipvs', 'instance', 'use_pid_dir', 'child_wait_time', 'linkbeat_use_polling', 'namespace_with_ipsets'),
};

/** global_defs keywords without which keepalived 2.2.7 stops ("is missing a parameter"), probed one by one. */
export const GLOBAL_NEEDS_PARAMETER: ReadonlySet<string> = new Set([
  'bfd_process_name', 'bfd_rlimit_rtime', 'bfd_rlimit_rttime', 'checker_process_name', 'checker_rlimit_rtime',
  'checker_rlimit_rttime', 'config_save_dir', 'lvs_process_name', 'nftables_ipvs_priority', 'nftables_ipvs_start_fwmark',
  'nftables_priority', 'process_name', 'random_seed', 'smtp_connect_timeout', 'smtp_server', 'umask', 'vmac_addr_prefix',
  'vmac_prefix', 'vrrp_down_timer_adverts', 'vrrp_garp_interval', 'vrrp_garp_lower_prio_delay', 'vrrp_garp_lower_prio_repeat',
  'vrrp_garp_master_delay', 'vrrp_garp_master_refresh', 'vrrp_garp_master_refresh_repeat', 'vrrp_garp_master_repeat',
  'vrrp_gna_interval', 'vrrp_mcast_group4', 'vrrp_mcast_group6', 'vrrp_process_name', 'vrrp_rlimit_rtime', 'vrrp_rlimit_rttime',
  'vrrp_startup_delay', 'vrrp_version',
]);

/** What keepalived says for other global_defs keywords given without a value (they do not stop it). */
export const GLOBAL_MISSING_VALUE: Readonly<Record<string, string>> = {
  bfd_cpu_affinity: 'No bfd cpu_id set specified', bfd_priority: 'No bfd process priority specified',
  bfd_rt_priority: 'No bfd process real-time priority specified', checker_cpu_affinity: 'No checker cpu_id set specified',
  checker_priority: 'No checker process priority specified', checker_rt_priority: 'No checker process real-time priority specified',
  dbus_service_name: 'dbus_service_name missing - ignoring', default_interface: 'default_interface requires interface name',
  lvs_netlink_cmd_rcv_bufs: 'lvs_netlink_cmd_rcv_bufs size missing', lvs_netlink_monitor_rcv_bufs: 'lvs_netlink_monitor_rcv_bufs size missing',
  lvs_notify_fifo_script: 'No lvs_notify_fifo_script specified', lvs_sync_daemon: 'lvs_sync_daemon requires interface',
  lvs_timeouts: 'lvs_timeouts requires at least one option', min_auto_priority_delay: 'min_auto_priority_delay requires delay time',
  notify_fifo_script: 'No notify_fifo_script specified', process_monitor_rcv_bufs: 'process_monitor_rcv_bufs size missing',
  reload_time_file: 'reload_time_file invalid', script_user: 'No script username specified',
  shutdown_script_timeout: 'shutdown_script_timeout requires value', startup_script_timeout: 'startup_script_timeout requires value',
  tmp_config_directory: 'tmp_config_directory missing directory name', vrrp_cpu_affinity: 'No vrrp cpu_id set specified',
  vrrp_garp_extra_if: 'vrrp_garp_extra_if specified without time - ignoring', vrrp_netlink_cmd_rcv_bufs: 'vrrp_netlink_cmd_rcv_bufs size missing',
  vrrp_netlink_monitor_rcv_bufs: 'vrrp_netlink_monitor_rcv_bufs size missing', vrrp_notify_fifo_script: 'No vrrp_notify_fifo_script specified',
  vrrp_priority: 'No vrrp process priority specified', vrrp_rt_priority: 'No vrrp process real-time priority specified',
  vrrp_rx_bufs_multiplier: 'Invalid vrrp_rx_bufs_multiplier', vrrp_rx_bufs_policy: 'vrrp_rx_bufs_policy missing',
};
