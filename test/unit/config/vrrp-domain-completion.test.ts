/**
 * The VRRP pass end to end (text config -> diagnostics), each case checked against keepalived
 * 2.2.7 -t run in a network namespace with links eth1, eth2 (and eth3 where listed): the lines
 * -t prints (not the daemon's own log lines, e.g. "Script user 'keepalived_script' does not exist").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDiagnostic, shownByConfigTest } from '../../../src/config/diagnostics.js';
import { loadConfig } from '../../../src/config/pipeline.js';
import { fakeEnv } from './fake-env.js';

function check(text: string, ifs = ['eth1', 'eth2']): { lines: string[]; exit: number } {
  const env = fakeEnv({ ifs, exec: ['/bin/true'], files: { '/k.conf': text } });
  const r = loadConfig('/k.conf', env);
  return { lines: r.diagnostics.list.filter(shownByConfigTest).map(formatDiagnostic), exit: r.diagnostics.exitCode };
}

test('instance completion messages come in keepalived order', () => {
  const r = check(`vrrp_instance V1 {
  interface eth1
  virtual_router_id 1
  state MASTER
  priority 100
  nopreempt
  preempt_delay 5
  advert_int 1.5
  authentication {
    auth_type AH
    auth_pass 1111
  }
  promote_secondaries
  use_vmac
  track_interface {
    eth1
    eth2 weight 10
  }
  unicast_src_ip 192.0.2.1
  virtual_ipaddress {
    192.0.2.9
  }
  garp_master_repeat 0
  garp_master_refresh_repeat 0
  preempt
}
vrrp_instance V2 {
  interface eth1
  virtual_router_id 2
  version 3
  advert_int 0.333
  authentication {
    auth_type PASS
    auth_pass 1111
  }
  nopreempt
  preempt_delay 3
  virtual_ipaddress {
    192.0.2.9
    192.0.2.10
  }
  unicast_peer {
    192.0.2.50
  }
}
vrrp_instance V3 {
  interface eth1
  virtual_router_id 3
  virtual_ipaddress {
    2001:db8::5
  }
  unicast_peer {
    192.0.2.50
  }
}
`);
  assert.deepEqual(r.lines, [
    '(/k.conf: Line 23) (V1): garp_master_repeat must be greater than 0, setting to 1',
    '(/k.conf: Line 24) (V1): garp_master_refresh_repeat must be greater than 0, setting to 1',
    '(/k.conf: Line 26) (V1) unicast with use_vmac requires vmac_xmit_base - setting',
    '(/k.conf: Line 53) Configuration error: VRRP instance[V3] and unicast peer address[192.0.2.50] MUST be of the same family !!! Skipping...',
    '(V1) Initial state master is incompatible with AH authentication - clearing',
    '(V1) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.',
    '(V1) VRRPv2 advertisement interval 1.500000s must be an integer. rounding',
    '(V1) promote_secondaries is automatically set for vmacs - ignoring',
    '(V1) Ignoring track_interface eth1 since own interface',
    '(V2) VRRP version 3 does not support authentication. Ignoring.',
    '(V2) preempt_delay is incompatible with nopreempt mode - resetting',
    '(V2) VRRPv3 advertisement interval 0.333000s must be in units of 10ms - rounding',
    '(V3) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.',
  ]);
  assert.equal(r.exit, 5);
});

test('strict mode: owner, authentication, preempt_delay and a v3 interval out of range', () => {
  const r = check(`vrrp_instance V3 {
  interface eth1
  virtual_router_id 3
  state MASTER
  priority 100
  strict_mode
  version 3
  advert_int 100
  authentication {
    auth_type PASS
    auth_pass 1111
  }
  nopreempt
  preempt_delay 3
  virtual_ipaddress {
    192.0.2.10
  }
}
`);
  assert.deepEqual(r.lines, [
    '(V3) State MASTER must match being address owner',
    '(V3) Strict mode does not support authentication. Ignoring.',
    '(V3) preempt_delay is incompatible with strict mode - resetting',
    '(V3) preempt_delay is incompatible with nopreempt mode - resetting',
    '(V3) VRRPv3 advertisement interval 100.00s is out of range. Must be less than 40.96s. Setting to 40.95s',
  ]);
});

test('an address owner without VIPs: nopreempt reset, v2 rounding, tracked weights ignored, no VIP said twice', () => {
  const r = check(`vrrp_instance V1 {
  interface eth1
  virtual_router_id 1
  state MASTER
  nopreempt
  preempt_delay 5
  advert_int 0.333
  track_interface {
    eth1
    eth2 weight 10
  }
  unicast_src_ip 192.0.2.1
}
`);
  assert.deepEqual(r.lines, [
    '(V1) No VIP specified; at least one is sensible',
    '(V1) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.',
    '(V1) nopreempt is incompatible with priority 255. resetting nopreempt',
    '(V1) Warning - preempt delay will not work with initial state MASTER - clearing',
    '(V1) VRRPv2 advertisement interval 0.333000s must be an integer. rounding',
    '(V1) Ignoring track_interface eth1 since own interface',
    '(V1) No VIP specified; at least one is sensible',
    '(V1) ignoring eth2 tracked interface due to address owner',
  ]);
});

test('VRRPv3 without VIPs, or an instance without interface, stops the VRRP configuration', () => {
  const v3 = check('vrrp_instance V1 {\n interface eth1\n virtual_router_id 1\n version 3\n}\nvrrp_instance V2 {\n interface eth1\n virtual_router_id 2\n}\n');
  assert.deepEqual(v3.lines, ['(V1) No VIP specified; at least one is required']);
  const noIf = check('vrrp_instance V1 {\n virtual_router_id 1\n unicast_src_ip 192.0.2.1\n virtual_ipaddress {\n  192.0.2.9\n }\n}\n');
  assert.deepEqual(noIf.lines, ['(V1) Unknown interface!']);
});

test('sync groups: missing and repeated members, small groups, weights ignored, scripts checked first', () => {
  const r = check(`vrrp_script chk {
  script "/nonexist.sh"
}
vrrp_script ok {
  script "/bin/true"
  weight 10
}
vrrp_track_file tf {
  file /tmp/x
}
vrrp_sync_group G1 {
  group {
    V1
    VX
  }
  track_interface {
    eth2
  }
  track_script {
    ok
    nosuch
  }
}
vrrp_sync_group G2 {
  group {
  }
}
vrrp_instance V1 {
  interface eth1
  virtual_router_id 1
  track_interface {
    eth2 weight 5
    eth3 weight 5
  }
  track_script {
    ok
  }
  track_file {
    tf
  }
  unicast_src_ip 192.0.2.1
}
vrrp_instance V2 {
  interface eth1
  virtual_router_id 1
  virtual_ipaddress {
    192.0.2.3
  }
}
`, ['eth1', 'eth2', 'eth3']);
  assert.deepEqual(r.lines, [
    '(/k.conf: Line 21) (G1) track script nosuch not found, ignoring...',
    '(/k.conf: Line 26) Warning - sync group G2 has empty group block',
    'Disabling track script chk since not found/accessible',
    'SECURITY VIOLATION - scripts are being executed but script_security not enabled.',
    "Virtual router VX specified in sync group G1 doesn't exist - ignoring",
    "Sync group G1 has only 1 virtual router(s) - this probably isn't what you want",
    'Sync group G2 has no virtual router(s). removing',
    '(V1) No VIP specified; at least one is sensible',
    '(V1) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.',
    '(V1) No VIP specified; at least one is sensible',
    '(V1) ignoring eth2 tracked interface weight due to SYNC group',
    '(V1) ignoring eth3 tracked interface weight due to SYNC group',
    '(V1) ignoring tracked script ok with weights due to SYNC group',
    '(V1) ignoring weight from tracked file tf due to SYNC group. specify weight 0',
    'V1 and V2 both use VRID 1 with IPv4 on interface eth1',
  ]);
  assert.equal(r.exit, 6);
});

test('an instance may be in one sync group only', () => {
  const r = check(`vrrp_sync_group G1 {
  group {
    V1
    V2
    V1
  }
}
vrrp_sync_group G2 {
  group {
    V2
  }
}
vrrp_instance V1 {
  interface eth1
  virtual_router_id 1
  virtual_ipaddress {
    192.0.2.1
  }
}
vrrp_instance V2 {
  interface eth1
  virtual_router_id 2
  virtual_ipaddress {
    192.0.2.2
  }
}
`);
  assert.deepEqual(r.lines, [
    'Virtual router V1 cannot exist in more than one sync group; ignoring G1',
    'Virtual router V2 cannot exist in more than one sync group; ignoring G2',
    'Sync group G2, no matching virtual router found in group declaration - removing',
  ]);
});

test('interfaces tracked by a sync group and by its members are reported per group interface', () => {
  const r = check(`vrrp_sync_group G1 {
  group {
    V1
    V2
  }
  track_interface {
    eth1
    eth2
    eth3 weight 4
  }
}
vrrp_instance V1 {
  interface eth1
  virtual_router_id 1
  track_interface {
    eth2
    eth3 weight 5
  }
  virtual_ipaddress {
    192.0.2.1
  }
}
vrrp_instance V2 {
  interface eth2
  virtual_router_id 2
  virtual_ipaddress {
    192.0.2.2
  }
}
`, ['eth1', 'eth2', 'eth3']);
  const both = (i: string, f: string): string => `(${i}) track_interface ${f} is configured on VRRP instance and sync group. Remove vrrp instance or sync group config`;
  assert.deepEqual(r.lines, [
    '(V1) ignoring eth3 tracked interface weight due to SYNC group',
    both('V1', 'eth1'), both('V1', 'eth2'), both('V2', 'eth2'), both('V1', 'eth3'),
  ]);
});

test('the model carries effective settings, notify scripts, routes, rules and sync groups', () => {
  const text = `vrrp_sync_group G {
  group {
    V1
    V2
  }
  notify_master "/bin/true group"
}
vrrp_instance V1 {
  interface eth1
  virtual_router_id 1
  priority 150
  advert_int 2
  garp_master_repeat 3
  notify_master "/bin/true master"
  notify_backup /nonexistent.sh
  virtual_ipaddress {
    192.0.2.10/24
  }
  virtual_routes {
    198.51.100.0/24 via 192.0.2.254 dev eth1
  }
  virtual_rules {
    from 192.0.2.10 table 100
  }
}
vrrp_instance V2 {
  interface eth2
  virtual_router_id 2
  virtual_ipaddress {
    192.0.2.11/24
  }
}
`;
  const env = fakeEnv({ ifs: ['eth1', 'eth2'], exec: ['/bin/true'], files: { '/k.conf': text } });
  const r = loadConfig('/k.conf', env);
  assert.deepEqual(r.diagnostics.list.filter(shownByConfigTest).map(formatDiagnostic), [
    '(/k.conf: Line 23) Rule has no preference specified - setting to 16384. This is probably not what you want.',
    'SECURITY VIOLATION - scripts are being executed but script_security not enabled.',
  ]);
  const v1 = r.model.vrrp?.instances[0];
  assert.ok(v1);
  assert.equal(v1.priority, 150);
  assert.equal(v1.advertIntervalCs, 200);
  assert.equal(v1.garp.masterRepeat, 3);
  assert.deepEqual(v1.notify.master?.command.argv, ['/bin/true', 'master']);
  assert.equal(v1.notify.backup, undefined);
  assert.equal(v1.routes[0]?.via, '192.0.2.254');
  assert.equal(v1.routes[0]?.noTrack, false);
  assert.equal(v1.rules[0]?.preference, 16384);
  assert.equal(v1.syncGroup, 'G');
  assert.deepEqual(r.model.vrrp?.syncGroups[0]?.members, ['V1', 'V2']);
  assert.deepEqual(r.model.vrrp?.syncGroups[0]?.notify.master?.command.argv, ['/bin/true', 'group']);
});

test('strict mode resets what it does not allow, in keepalived order', () => {
  const r = check(`vrrp_instance V1 {
  strict_mode
  interface eth1
  virtual_router_id 1
  priority 100
  state MASTER
  preempt_delay 4
  accept
  virtual_ipaddress {
    192.0.2.9
  }
  garp_lower_prio_delay 3
  lower_prio_no_advert false
  higher_prio_send_advert
  vmac_xmit_base
  down_timer_adverts 5
  advert_int 1.5
  promote_secondaries
  use_vmac
  track_interface {
    eth1
  }
}
`);
  assert.deepEqual(r.lines, [
    '(V1) State MASTER must match being address owner',
    '(V1) preempt_delay is incompatible with strict mode - resetting',
    '(V1) down_timer_adverts is incompatible with strict mode - resetting',
    '(V1) warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting',
    '(V1) Strict mode requires no repeat garp delay. resetting',
    '(V1) Strict mode requires no lower priority advert. resetting',
    '(V1) strict mode requires higher_prio_send_advert to be clear. resetting',
    '(V1) VRRPv2 advertisement interval 1.500000s must be an integer. rounding',
    '(V1) xmit_base is incompatible with strict mode - resetting',
    '(V1) promote_secondaries is automatically set for vmacs - ignoring',
    '(V1) Ignoring track_interface eth1 since own interface',
  ]);
  const inst = check(`global_defs {
  vrrp_strict
}
vrrp_instance V1 {
  interface eth1
  virtual_router_id 1
  garp_lower_prio_repeat 3
  lower_prio_no_advert false
  higher_prio_send_advert
  vmac_xmit_base
  down_timer_adverts 5
  version 3
  virtual_ipaddress {
    192.0.2.9
  }
}
`);
  assert.deepEqual(inst.lines, [
    '(V1) down_timer_adverts is incompatible with strict mode - resetting',
    '(V1) Strict mode requires no repeat garps. resetting',
    '(V1) Strict mode requires no lower priority advert. resetting',
    '(V1) strict mode requires higher_prio_send_advert to be clear. resetting',
    '(V1) vmac_xmit_base is only valid with a vmac',
  ]);
});

test('instance options with bad values', () => {
  const r = check(`vrrp_instance V1 {
  interface eth1
  virtual_router_id 1
  lower_prio_no_advert maybe
  higher_prio_send_advert off
  down_timer_adverts 0
  down_timer_adverts 7
  vmac_xmit_base
  virtual_ipaddress {
    192.0.2.9
  }
}
`);
  assert.deepEqual(r.lines, [
    '(/k.conf: Line 4) (V1) invalid lower_prio_no_advert maybe specified',
    "(/k.conf: Line 6) number '0' outside range [1, 100]",
    "(/k.conf: Line 6) (V1): Invalid down_timer_adverts [1:100] '0'",
    '(V1) vmac_xmit_base is only valid with a vmac',
  ]);
});

test('instance keywords without their parameter stop keepalived; extra GARP interval and buffers are checked', () => {
  const env = fakeEnv({ ifs: ['eth1'], files: { '/k.conf': 'vrrp_instance V1 {\n interface eth1\n virtual_router_id 1\n garp_extra_if 100000\n garp_extra_if all 5\n kernel_rx_buf_size x\n vrf\n}\n' } });
  const r = loadConfig('/k.conf', env);
  assert.deepEqual(r.diagnostics.list.filter(shownByConfigTest).map(formatDiagnostic), [
    "(/k.conf: Line 4) number '100000' outside range [0, 86400]",
    "(/k.conf: Line 4) (V1): garp_extra_if '100000' invalid - ignoring",
    "(/k.conf: Line 6) invalid number 'x'",
    '(/k.conf: Line 6) (V1) invalid kernel_rx_buf_size specified',
    '(/k.conf: Line 7) *** Configuration line starting `vrf` is missing a parameter after keyword `vrf` at word position 2',
  ]);
  assert.equal(r.abortExitCode, 2);
});

test('a multicast instance on an interface without MULTICAST is disabled, after the authentication check', () => {
  const env = fakeEnv({ noMulticast: ['eth1'], files: { '/k.conf': `vrrp_instance V1 {
  interface eth1
  virtual_router_id 1
  state MASTER
  nopreempt
  version 3
  advert_int 0.333
  authentication {
    auth_type PASS
    auth_pass 1
  }
  virtual_ipaddress {
    192.0.2.9
  }
}
` } });
  assert.deepEqual(loadConfig('/k.conf', env).diagnostics.list.filter(shownByConfigTest).map(formatDiagnostic), [
    '(V1) VRRP version 3 does not support authentication. Ignoring.',
    '(V1) interface eth1 does not support multicast, specify unicast peers - disabling',
    '(V1) nopreempt is incompatible with priority 255. resetting nopreempt',
    '(V1) VRRPv3 advertisement interval 0.333000s must be in units of 10ms - rounding',
  ]);
});

test('tracker lists: weights out of range are ignored, duplicates dropped, unknown names reported', () => {
  const r = check(`vrrp_script s1 {
  script /bin/true
  interval 0
  timeout x
  weight 300
  rise 0
  fall x
  init_fail
}
vrrp_script s2 {
  script /bin/true
  interval 1.5
  weight 5 bogus
}
vrrp_track_process p1 {
  process foo
}
vrrp_instance V1 {
  interface eth1
  virtual_router_id 1
  track_interface {
    eth2 weight 300
    eth2
  }
  track_process {
    p1 weight 300
    p1 weight 5 bogus
  }
  track_script {
    s1 weight 300
    s2 weight x
    s2 reverse
    nos
  }
  virtual_ipaddress {
    192.0.2.9
  }
}
`);
  const at = (n: number, m: string): string => `(/k.conf: Line ${n}) ${m}`;
  assert.deepEqual(r.lines, [
    at(3, '(s1): vrrp script interval must be greater than 0, setting to 1'),
    at(4, "invalid number 'x'"),
    at(4, "(s1): vrrp script timeout 'x' invalid - ignoring"),
    at(5, "number '300' outside range [-253, 253]"),
    at(5, 'vrrp_script s1 weight 300 must be in [-253, 253]'),
    at(6, "number '0' outside range [1, 2147483647]"),
    at(6, "(s1): vrrp script rise value '0' invalid, defaulting to 1"),
    at(7, "invalid number 'x'"),
    at(7, "(s1): vrrp script fall value 'x' invalid, defaulting to 1"),
    at(12, "invalid number '1.5'"),
    at(12, "(s2): vrrp script interval '1.5' must be between 1 and 4294 - ignoring"),
    at(13, 'vrrp_script s2 unknown weight option bogus'),
    at(22, "number '300' outside range [-254, 254]"),
    at(22, '(V1) weight 300 for eth2 must be between [-253..253] inclusive. Ignoring...'),
    at(23, '(V1) duplicate track_interface eth2 - ignoring'),
    at(26, "number '300' outside range [-254, 254]"),
    at(26, '(V1) weight for track process p1 must be in [-254..254] inclusive. Ignoring...'),
    at(27, '(V1) duplicate track_process p1 - ignoring'),
    at(30, "number '300' outside range [-254, 254]"),
    at(30, '(V1) track script s1: weight must be between [-253..253] inclusive, ignoring...'),
    at(31, "invalid number 'x'"),
    at(31, '(V1) track script s2: weight must be between [-253..253] inclusive, ignoring...'),
    at(32, '(V1) duplicate track_script s2 - ignoring'),
    at(33, '(V1) track script nos not found, ignoring...'),
    'SECURITY VIOLATION - scripts are being executed but script_security not enabled.',
  ]);
});

test('instance and sync-group values: families, booleans, debug, VIP options (keepalived 2.2.7 wording)', () => {
  const r = check(`vrrp_sync_group G1 {
  group {
    V1
    V2
  }
  notify_master "/bin/true"
  smtp_alert maybe
  global_tracking
  notify_priority_changes maybe
}
vrrp_instance V1 {
  interface eth1
  state master
  virtual_router_id 300
  virtual_router_id 1
  priority 0
  advert_int 0
  advert_int 300
  version x
  authentication {
    auth_type XYZ
    auth_pass 123456789
  }
  unicast_src_ip 300.1.1.1
  mcast_src_ip fe80::1
  strict_mode maybe
  smtp_alert maybe
  notify_priority_changes maybe
  old_unicast_checksum bogus
  debug 9
  virtual_ipaddress {
    192.0.2.9/33
    192.0.2.10 brd
    192.0.2.11 scope bogus
    192.0.2.12 label
    192.0.2.13 dev
    192.0.2.14 preferred_lft x
  }
  virtual_ipaddress_excluded {
    2001:db8::1 label x
  }
}
vrrp_instance V2 {
  interface eth1
  virtual_router_id 2
  virtual_ipaddress {
    192.0.2.9
  }
}
`);
  assert.deepEqual(r.lines, [
    '(/k.conf: Line 7) Invalid vrrp_group smtp_alert parameter maybe',
    '(/k.conf: Line 8) (G1) global_tracking is deprecated. Use track_interface/script/file on the sync group',
    '(/k.conf: Line 9) (G1) Invalid value \'maybe\' for sync group notify_priority_changes specified',
    '(/k.conf: Line 13) (V1) unknown state \'master\', defaulting to BACKUP',
    '(/k.conf: Line 14) number \'300\' outside range [1, 255]',
    '(/k.conf: Line 14) (V1): VRID \'300\' not valid - must be between 1 & 255',
    '(/k.conf: Line 16) number \'0\' outside range [1, 255]',
    '(/k.conf: Line 16) (V1) Priority not valid! must be between 1 & 255. Using default 100',
    '(/k.conf: Line 17) number \'0\' outside range [0.010000, 255.000000]',
    '(/k.conf: Line 17) (V1) Advert interval (0) not valid! Must be > 0 - ignoring',
    '(/k.conf: Line 18) number \'300\' outside range [0.010000, 255.000000]',
    '(/k.conf: Line 18) (V1) Advert interval (300) not valid! Must be > 0 - ignoring',
    '(/k.conf: Line 19) invalid number \'x\'',
    '(/k.conf: Line 19) (V1): Version must be either 2 or 3',
    '(/k.conf: Line 21) (V1) unknown authentication type \'XYZ\'',
    '(/k.conf: Line 22) Truncating auth_pass to 8 characters',
    '(/k.conf: Line 24) Configuration error: VRRP instance[V1] malformed src address[300.1.1.1]. Skipping...',
    '(/k.conf: Line 26) (V1) invalid strict_mode maybe specified',
    '(/k.conf: Line 27) Invalid vrrp_instance smtp_alert parameter maybe',
    '(/k.conf: Line 28) (V1) Invalid value \'maybe\' for notify_priority_changes specified',
    '(/k.conf: Line 29) (V1) Unknown old_unicast_chksum mode bogus - ignoring',
    '(/k.conf: Line 30) number \'9\' outside range [0, 4]',
    '(/k.conf: Line 30) (V1) Debug value \'9\' not valid; must be between 0-4',
    '(/k.conf: Line 32) number \'33\' outside range [0, 32]',
    '(/k.conf: Line 32) Invalid address prefix len 33 for address 192.0.2.9/33 - using 32',
    '(/k.conf: Line 32) (V1): address family must match VRRP instance [192.0.2.9/33] - ignoring',
    '(/k.conf: Line 33) No brd parameter specified for 192.0.2.10',
    '(/k.conf: Line 34) Invalid scope \'bogus\' specified for 192.0.2.11 - ignoring',
    '(/k.conf: Line 34) (V1): address family must match VRRP instance [192.0.2.11] - ignoring',
    '(/k.conf: Line 35) No label parameter specified for 192.0.2.12',
    '(/k.conf: Line 36) No dev parameter specified for 192.0.2.13',
    '(/k.conf: Line 37) invalid number \'x\'',
    '(/k.conf: Line 37) preferred_lft x is invalid',
    '(/k.conf: Line 37) (V1): address family must match VRRP instance [192.0.2.14] - ignoring',
    '(/k.conf: Line 40) Cannot specify label for IPv6 addresses (2001:db8::1) - ignoring label',
    'SECURITY VIOLATION - scripts are being executed but script_security not enabled.',
    '(V1) No VIP specified; at least one is required',
  ]);
});
