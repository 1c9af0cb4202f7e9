/**
 * Routes and rules (virtual_routes/virtual_rules, static_routes/static_rules) and the other
 * VRRP-pass blocks; expected lines are keepalived 2.2.7 -t output for the same text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDiagnostic } from '../../../src/config/diagnostics.js';
import { loadConfig } from '../../../src/config/pipeline.js';
import { parseRouteLine, routeTrackingChecks } from '../../../src/config/syntax/route.js';
import { parseRuleLine, RulePreferences } from '../../../src/config/syntax/rule.js';
import { fakeEnv } from './fake-env.js';

const words = (s: string): string[] => s.split(' ');

test('route syntax: destination, via/gw, nexthops, unknown words', () => {
  const r = parseRouteLine(words('192.168.100.0/24 table 6909 nexthop via 192.168.101.1 dev eth0 onlink weight 1 nexthop via 192.168.101.2 dev eth4 onlink weight 2'));
  assert.equal(r.route?.destination, '192.168.100.0/24');
  assert.equal(r.route?.nexthops.length, 2);
  assert.equal(r.route?.nexthops[1]?.dev, 'eth4');
  assert.deepEqual(r.messages, []);
  const gw = parseRouteLine(words('0.0.0.0/0 gw 192.168.0.1 table 100'));
  assert.deepEqual(gw.messages.map((m) => m.text), ['"gw" for routes is deprecated. Please use "via"']);
  assert.equal(gw.route?.via, '192.168.0.1');
  const bad = parseRouteLine(words('192.168.211.0/24 via 10.1.0.1 dev eth0 track'));
  assert.equal(bad.route, undefined);
  assert.deepEqual(bad.messages.map((m) => m.text), ['VRRP parsed invalid IP track. skipping IP...', 'unknown route keyword track']);
  assert.equal(parseRouteLine(words('default via inet6 2001:db8::1 dev eth1')).route?.via, '2001:db8::1');
  assert.equal(parseRouteLine(words('default6 via fe80::1 dev eth1')).route?.family, 6);
});

test('route tracking needs an interface and keepalived protocol', () => {
  const noDev = parseRouteLine(words('192.168.110.0/24 via 10.1.0.1')).route;
  assert.ok(noDev);
  assert.deepEqual(routeTrackingChecks(noDev), { messages: ['Warning - cannot track route 192.168.110.0/24 with no interface specified, not tracking'], noTrack: true });
  const proto = parseRouteLine(words('192.168.200.0/24 dev eth1 protocol bird')).route;
  assert.ok(proto);
  assert.deepEqual(routeTrackingChecks(proto).messages, ['Route cannot be tracked if protocol is not RTPROT_KEEPALIVED(18), resetting protocol']);
  const untracked = parseRouteLine(words('192.168.113.0/24 via 10.1.9.1 no_track')).route;
  assert.ok(untracked);
  assert.deepEqual(routeTrackingChecks(untracked).messages, []);
});

test('rule syntax and preferences counted down per family', () => {
  const prefs = new RulePreferences();
  assert.equal(prefs.assign(6).preference, 16384);
  assert.equal(prefs.assign(6).preference, 16383);
  assert.equal(prefs.assign(4).message, 'Rule has no preference specified - setting to 16384. This is probably not what you want.');
  assert.deepEqual(parseRuleLine(words('to 192.168.100./24 table 1')).messages.map((m) => m.text), [
    'VRRP parsed invalid IP 192.168.100./24. skipping IP...', 'Invalid rule to address 192.168.100./24',
  ]);
  assert.deepEqual(parseRuleLine(words('from 1.2.3.0/24 oif bond0.7 restore preference 32760')).messages.map((m) => m.text), ['Unknown rule option restore']);
  assert.deepEqual(parseRuleLine(words('inet6 fwmark 5 table 28 preference 7997')).messages.map((m) => m.text), ['Invalid rule action 5']);
  const ok = parseRuleLine(words('not from 1.2.2.0/24 to 4.3.2.0/26 iif eth4 oif eth5 uidrange 23-56 fwmark 23/16 table main preference 100'));
  assert.equal(ok.rule?.invert, true);
  assert.equal(ok.rule?.options['fwmark'], '23/16');
});

test('static blocks: extra parameters, routes, garp_group, linkbeat and up/down delays', () => {
  const text = `garp_group {
  garp_interval 0.5
  interface eth1
}
garp_group {
  gna_interval 2
  interfaces {
    eth1
    eth2
    eth5
  }
}
garp_group {
  interface eth2
}
linkbeat_interfaces {
  eth1
  eth2 MII
  eth3 FOO
}
interface_up_down_delays {
  eth1 5
  eth2 5 10
  eth3 300
  eth8 1
  eth2 x
}
static_ipaddress extra {
  192.0.2.60/24 dev eth1
}
static_routes {
  192.0.2.0/24 via 192.0.2.254
}
vrrp_instance V1 {
  interface eth1
  virtual_router_id 1
  virtual_ipaddress {
    192.0.2.9
  }
}
`;
  const env = fakeEnv({ ifs: ['eth1', 'eth2', 'eth3'], files: { '/k.conf': text } });
  const r = loadConfig('/k.conf', env);
  assert.deepEqual(r.diagnostics.list.map(formatDiagnostic), [
    '(/k.conf: Line 11) garp_group already specified for eth2 - ignoring',
    "(/k.conf: Line 11) WARNING - interface eth5 specified for garp_group doesn't exist",
    '(/k.conf: Line 14) garp_group already specified for eth2 - ignoring',
    '(/k.conf: Line 15) garp group 0 does not have any delay set - removing',
    '(/k.conf: Line 19) extra characters FOO in linkbeat interface',
    "(/k.conf: Line 24) number '300' outside range [0.000000, 255.000000]",
    '(/k.conf: Line 25) unknown interface eth8 specified for up/down delay',
    "(/k.conf: Line 26) invalid number 'x'",
    '(/k.conf: Line 28) Block static_ipaddress has extra parameters extra ...',
    '(/k.conf: Line 32) Warning - cannot track route 192.0.2.0/24 with no interface specified, not tracking',
    'Non-existent interface specified in configuration',
  ]);
});
