import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDiagnostic } from '../../../src/config/diagnostics.js';
import { loadConfig } from '../../../src/config/pipeline.js';
import { readUmask } from '../../../src/config/domains/global/read.js';
import { fakeEnv } from './fake-env.js';

/** Diagnostic lines of keepalived -t for a global_defs body (messages probed with keepalived 2.2.7). */
function globalLines(body: string, files: Record<string, string> = {}): string[] {
  const env = fakeEnv({ ifs: ['eth0'], files: { '/k.conf': `global_defs {\n${body}\n}\n`, ...files } });
  return loadConfig('/k.conf', env).diagnostics.list.map(formatDiagnostic);
}

test('umask: symbolic bits joined by | and strtoul(base 0) numbers up to 0777', () => {
  assert.deepEqual(readUmask(['IWGRP', '|', 'IWOTH']), { ok: true, mask: 0o022 });
  assert.deepEqual(readUmask(['IXUSR|IWGRP|IXGRP|IWOTH|IXOTH']), { ok: true, mask: 0o133 });
  assert.deepEqual(readUmask(['0x1ff']), { ok: true, mask: 0o777 });
  assert.deepEqual(readUmask(['022']), { ok: true, mask: 0o022 });
  assert.deepEqual(readUmask(['777']), { ok: false, message: 'invalid umask value 777' });
  assert.deepEqual(readUmask(['IWGRP|BOGUS']), { ok: false, message: 'Unknown umask bit BOGUS' });
  assert.deepEqual(readUmask(['IWGRP', 'IWOTH']), { ok: false, message: 'Invalid umask syntax IWOTH' });
  assert.deepEqual(readUmask(['IWGRP', '|']), { ok: false, message: 'umask missing bit value' });
  assert.deepEqual(readUmask(['-1']), { ok: false, message: 'Unknown umask bit -1' });
});

test('umask in global_defs: valid symbolic masks are silent, bad ones are reported at their line', () => {
  assert.deepEqual(globalLines(' umask IWGRP | IWOTH | IROTH'), []);
  assert.deepEqual(globalLines(' umask 1000'), ['(Line 2) invalid umask value 1000']);
});

test('max_auto_priority without a value is accepted', () => {
  assert.deepEqual(globalLines(' max_auto_priority'), []);
  assert.deepEqual(globalLines(' max_auto_priority 100'), [
    "(Line 2) number '100' outside range [-1, 99]",
    "(Line 2) max_auto_priority '100' must be in [0, 99] (or -1 to disable) - ignoring",
  ]);
});

test('smtp_server: the port (default 25) is part of the message; host names come from the hosts file', () => {
  const hosts = { '/etc/hosts': '127.0.0.1 localhost\n' };
  assert.deepEqual(globalLines(' smtp_server mail.example.com', hosts), ['(Line 2) Invalid smtp server mail.example.com 25']);
  assert.deepEqual(globalLines(' smtp_server localhost', hosts), []);
  assert.deepEqual(globalLines(' smtp_server 192.0.2.1 XXX', hosts), [
    "(Line 2) invalid number 'XXX'", "(Line 2) invalid number 'XXX'", '(Line 2) Invalid smtp server 192.0.2.1 XXX',
  ]);
});

test('nftables / vrrp_iptables and lvs_sync_daemon: only the first counts', () => {
  assert.deepEqual(globalLines(' vrrp_iptables A B\n nftables\n nftables x\n lvs_sync_daemon eth1 V1 maxlen 120000 id 300\n lvs_sync_daemon eth1 V2'), [
    "(Line 2) iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option",
    '(Line 3) nftables already specified - ignoring',
    '(Line 4) nftables already specified - ignoring',
    "(Line 5) number '120000' outside range [1, 65507]",
    '(Line 5) Invalid lvs_sync_daemon maxlen (120000) - ignoring',
    "(Line 5) number '300' outside range [0, 255]",
    '(Line 5) Invalid syncid (300) - defaulting to vrid',
    '(Line 6) lvs_sync_daemon has already been specified as eth1 V1 - ignoring',
  ]);
  assert.deepEqual(globalLines(' nftables\n vrrp_iptables A B'), [
    "(Line 3) iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option",
  ]);
});

test('startup_script: missing script, bad timeout', () => {
  assert.deepEqual(globalLines(' startup_script\n startup_script_timeout SECONDS 1000'), [
    '(Line 2) startup script missing',
    "(Line 3) invalid number 'SECONDS'",
    "(Line 3) startup_script_timeout 'SECONDS' must be in [1, 1000] - ignoring",
  ]);
});

test('a global_defs keyword missing its mandatory parameter stops keepalived (exit 2); others only say so', () => {
  const env = fakeEnv({ files: { '/k.conf': 'global_defs {\n default_interface\n vmac_prefix\n router_id\n}\n' } });
  const r = loadConfig('/k.conf', env);
  assert.deepEqual(r.diagnostics.list.map(formatDiagnostic), [
    '(Line 2) default_interface requires interface name',
    '(Line 3) *** Configuration line starting `vmac_prefix` is missing a parameter after keyword `vmac_prefix` at word position 2',
  ]);
  assert.equal(r.abortExitCode, 2);
});

test('more global_defs values: e-mail, alerts, fifos, extra GARP, seeds, LVS and nftables settings', () => {
  assert.deepEqual(globalLines(' notification_email_from\n smtp_alert maybe\n vrrp_notify_fifo\n vrrp_garp_extra_if 100000\n random_seed x\n lvs_timeouts tcp x\n lvs_flush_on_stop bogus\n nftables_priority x\n data_use_instance maybe\n vrrp_rx_bufs_policy bogus\n snmp_socket'), [
    '(Line 2) emailfrom missing - ignoring',
    "(Line 3) Invalid value 'maybe' for global smtp_alert specified",
    '(Line 4) No vrrp_notify_fifo name specified',
    "(Line 5) number '100000' outside range [1, 86400]",
    "(Line 5) vrrp_garp_extra_if '100000' invalid - ignoring",
    "(Line 6) invalid number 'x'",
    '(Line 6) random_seed x invalid',
    "(Line 7) invalid number 'x'",
    '(Line 7) Invalid lvs_timeout tcp (x) - ignoring',
    '(Line 8) Unknown lvs_flush_on_stop type bogus',
    "(Line 9) invalid number 'x'",
    "(Line 9) invalid nftables chain priority 'x'",
    "(Line 10) Invalid value 'maybe' for global date_use_instance specified",
    "(Line 11) invalid number 'bogus'",
    '(Line 11) Invalid vrrp_rx_bufs_policy bogus',
    '(Line 12) SNMP error : snmp socket name missing',
  ]);
});

test('global_defs values, second batch (probed with keepalived 2.2.7)', () => {
  assert.deepEqual(globalLines(`  vrrp_garp_lower_prio_delay x
  vrrp_garp_lower_prio_repeat x
  vrrp_garp_master_refresh_repeat x
  vrrp_min_garp maybe
  enable_snmp_vrrp maybe
  checker_log_all_failures maybe
  lvs_flush maybe
  notify_fifo /tmp/f1 nosuchuser
  reload_repeat x
  vrrp_rx_bufs_multiplier x
  process_names x
  include_check bogus
  vrrp_cpu_affinity x
  vrrp_no_swap x
  rs_init_notifies x
  min_auto_priority_delay x
  vrrp_netlink_cmd_rcv_bufs x
  vrrp_skip_check_adv_addr maybe
  vrrp_check_unicast_src maybe
  enable_traps maybe
  dynamic_interfaces allow_if_changes extra
  vrrp_higher_prio_send_advert maybe
  vmac_prefix toolongprefixname
  vmac_addr_prefix x
  smtp_connect_timeout 5000
  vrrp_startup_delay 5000
  reload_time_file /nonexist
  fifo_write_vrrp_states_on_reload maybe
  nftables_counters maybe
  nftables_ifindex maybe
  nftables_ipvs_start_fwmark x
  use_symlink_paths maybe`), [
    '(Line 2) invalid number \'x\'',
    '(Line 2) vrrp_garp_lower_prio_delay \'x\' invalid - ignoring',
    '(Line 3) invalid number \'x\'',
    '(Line 3) Invalid vrrp_garp_lower_prio_repeat \'x\'',
    '(Line 4) invalid number \'x\'',
    '(Line 4) vrrp_garp_master_refresh_repeat \'x\' invalid - ignoring',
    '(Line 5) Invalid value for vrrp_min_garp specified',
    '(Line 7) Invalid value for checker_log_all_failures specified',
    '(Line 11) invalid number \'x\'',
    '(Line 11) Invalid vrrp_rx_bufs_multiplier x',
    '(Line 13) Unknown include_check type \'bogus\' - ignoring',
    '(Line 14) invalid number \'x\'',
    '(Line 14) Invalid cpu_id:0 specified for vrrp process',
    '(Line 16) Invalid value \'x\' for global rs_init_notifies specified',
    '(Line 17) invalid number \'x\'',
    '(Line 17) min_auto_priority_delay \'x\' must be in [1, 10000000] - ignoring',
    '(Line 18) invalid number \'x\'',
    '(Line 18) vrrp_netlink_cmd_rcv_bufs size (x) invalid',
    '(Line 23) Invalid value for vrrp_higher_prio_send_advert specified',
    '(Line 26) number \'5000\' outside range [0, 4294]',
    '(Line 26) smtp_connect_timeout \'5000\' must be in [0, 4294] - ignoring',
    '(Line 27) number \'5000\' outside range [0.001000, 4294.967295]',
    '(Line 27) vrrp_startup_delay \'5000\' is invalid',
    '(Line 32) invalid number \'x\'',
    '(Line 32) invalid ipvs nftables start_fwmark priority \'x\'',
    '(Line 33) Unknown keyword \'use_symlink_paths\'',
  ]);
});

test('notify FIFOs: the model carries each FIFO and its script; the first of each counts (probed with keepalived 2.2.7)', () => {
  const body = ' notify_fifo /run/all.fifo\n lvs_notify_fifo /run/a.fifo\n lvs_notify_fifo /run/b.fifo\n lvs_notify_fifo_script "/bin/cat -u"\n lvs_notify_fifo_script /bin/true\n vrrp_notify_fifo /run/v.fifo';
  assert.deepEqual(globalLines(body), [
    '(Line 4) lvs_notify_fifo already specified - ignoring /run/b.fifo',
    '(Line 6) lvs_notify_fifo_script already specified - ignoring /bin/true',
  ]);
  const g = loadConfig('/k.conf', fakeEnv({ ifs: ['eth0'], files: { '/k.conf': `global_defs {\n${body}\n}\n` } })).model.global;
  assert.deepEqual(g?.notifyFifo, { path: '/run/all.fifo' });
  assert.deepEqual(g?.vrrpNotifyFifo, { path: '/run/v.fifo' });
  assert.deepEqual(g?.lvsNotifyFifo, { path: '/run/a.fifo', script: { argv: ['/bin/cat', '-u'] } });
});

test('lvs_flush_on_stop: bare or VS; ALL is unknown to keepalived 2.2.7 (probed)', () => {
  assert.deepEqual(globalLines(' lvs_flush_on_stop ALL'), ['(Line 2) Unknown lvs_flush_on_stop type ALL']);
  assert.deepEqual(globalLines(' lvs_flush_on_stop\n lvs_flush_on_stop VS\n lvs_flush maybe'), []);
});
