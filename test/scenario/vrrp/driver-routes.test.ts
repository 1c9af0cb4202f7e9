/**
 * virtual_routes / virtual_rules follow mastership, and static_* stay for the daemon's life, on
 * stateful fakes and a manual clock: keepalived.conf text -> loadConfig -> adaptInstance -> driver.
 * The fake routing table refuses a gateway outside every subnet the node has (the kernel's
 * ENETUNREACH), so a route via the VIP's subnet proves the order VIPs -> routes -> rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/pipeline.js';
import { configHasVrrpInstances } from '../../../src/daemon/vrrp-subsystem.js';
import { adaptInstance, type InstanceBinding } from '../../../src/vrrp/config-adapter.js';
import { InstanceDriver } from '../../../src/vrrp/driver.js';
import { StaticConfig, staticTargets } from '../../../src/vrrp/static-config.js';
import { fakeEnv } from '../../unit/config/fake-env.js';
import { fakeWorld, FakeRoutes, settle, type FakeNode, type FakeWorld } from './driver-fakes.js';

const CONF = '/etc/keepalived/keepalived.conf';

function load(text: string): ReturnType<typeof loadConfig>['model'] {
  return loadConfig(CONF, fakeEnv({ ifs: ['eth0', 'eth1'], files: { [CONF]: text } })).model;
}

function bindingOf(text: string, primary: string): InstanceBinding {
  const model = load(text);
  const instance = model.vrrp?.instances[0];
  assert.ok(instance && model.global, 'config loads');
  return adaptInstance(instance, model.global, (_if, family) => (family === 'ipv4' ? primary : 'fe80::1'));
}

function instanceText(priority: number, body = ''): string {
  return `
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority ${priority}
  advert_int 1
  virtual_ipaddress {
    192.0.2.100/24
    203.0.113.10/24
  }
${body}
}
`;
}

const ROUTES = `
  virtual_routes {
    198.51.100.0/24 via 192.0.2.254 dev eth0
    198.51.100.64/26 via 203.0.113.254 dev eth0
    blackhole 203.0.113.128/26
    198.51.100.128/25 via 192.0.2.254 dev eth0 table 100
    2001:db8:1::/48 via 2001:db8::fe dev eth0
  }
  virtual_rules {
    from 192.0.2.100 table 100 priority 100
    fwmark 5 table 100 priority 102
  }
`;

const ROUTES_ON_MASTER = [
  '198.51.100.0/24 via 192.0.2.254 dev eth0 table main',
  '198.51.100.128/25 via 192.0.2.254 dev eth0 table 100',
  '198.51.100.64/26 via 203.0.113.254 dev eth0 table main',
  '2001:db8:1::/48 via 2001:db8::fe dev eth0 table main',
  'blackhole 203.0.113.128/26 table main',
];
const RULES_ON_MASTER = ['100: from 192.0.2.100/32 lookup 100', '102: from all fwmark 5 lookup 100'];

interface Node {
  readonly fake: FakeNode;
  readonly routes: FakeRoutes;
  readonly driver: InstanceDriver;
}

/** A node whose own addresses are 192.0.2.N/24 and 2001:db8::N/64 (203.0.113.0/24 only through the VIP). */
function node(world: FakeWorld, name: string, n: number, text: string): Node {
  const fake = world.node(name);
  const routes = new FakeRoutes(fake.addresses, [`192.0.2.${n}/24`, `2001:db8::${n}/64`]);
  const driver = new InstanceDriver(bindingOf(text, `192.0.2.${n}`), { ...fake.ports, routes });
  return { fake, routes, driver };
}

/** The log lines about VIPs, routes and rules, and transitions, in order. */
function routeLog(n: Node): string[] {
  return n.fake.log.main().filter((l) => /VIPs|Virtual R|Entering|Netlink/.test(l));
}

test('MASTER -> BACKUP -> MASTER: routes and rules come after the VIPs and go before them', async () => {
  const world = fakeWorld();
  const { clock } = world;
  const a = node(world, 'a', 1, instanceText(150, ROUTES));
  a.driver.start();
  await settle();
  assert.deepEqual(routeLog(a), [
    '(VI_1) removing Virtual Rules', '(VI_1) removing Virtual Routes', '(VI_1) removing VIPs.',
    '(VI_1) removing Virtual Rules', '(VI_1) removing Virtual Routes', '(VI_1) Entering BACKUP STATE (init)',
  ], 'startup lines as keepalived 2.2.7');
  assert.deepEqual(a.routes.routeList(), [], 'nothing installed while BACKUP');

  clock.advanceMs(3_700);
  await settle();
  assert.equal(a.driver.state.name, 'MASTER');
  assert.deepEqual(a.routes.routeList(), ROUTES_ON_MASTER, 'the route via the VIP subnet (203.0.113.254) went in: VIPs were first');
  assert.deepEqual(a.routes.ruleList(), RULES_ON_MASTER);
  assert.deepEqual(routeLog(a).slice(6), ['(VI_1) Entering MASTER STATE', '(VI_1) setting VIPs.', '(VI_1) setting Virtual Routes', '(VI_1) setting Virtual Rules']);
  assert.equal(a.fake.log.lines.filter((l) => l.startsWith('ERROR')).length, 0, a.fake.log.lines.join('\n'));

  // a better router arrives and preempts: a goes BACKUP and takes rules, routes, then VIPs away
  const b = node(world, 'b', 2, instanceText(200));
  b.driver.start();
  const historyBefore = a.routes.history.length;
  clock.advanceMs(4_000);
  await settle();
  assert.equal(b.driver.state.name, 'MASTER');
  assert.equal(a.driver.state.name, 'BACKUP');
  assert.deepEqual(a.routes.routeList(), []);
  assert.deepEqual(a.routes.ruleList(), []);
  assert.deepEqual(a.fake.addresses.on('eth0'), []);
  assert.deepEqual(routeLog(a).slice(10), ['(VI_1) Entering BACKUP STATE', '(VI_1) removing Virtual Rules', '(VI_1) removing Virtual Routes', '(VI_1) removing VIPs.']);
  const removals = a.routes.history.slice(historyBefore);
  assert.ok(removals.every((h) => h.startsWith('-')), removals.join('\n'));
  assert.ok(removals.findLastIndex((h) => h.startsWith('-rule')) < removals.findIndex((h) => h.startsWith('-route')), `rules go before routes:\n${removals.join('\n')}`);

  // b stops (priority 0): a is MASTER again with everything back
  await b.driver.stop();
  clock.advanceMs(1_000);
  await settle();
  assert.equal(a.driver.state.name, 'MASTER');
  assert.deepEqual(a.routes.routeList(), ROUTES_ON_MASTER);
  assert.deepEqual(a.routes.ruleList(), RULES_ON_MASTER);

  // SIGTERM: priority 0, then rules, routes, VIPs removed
  await a.driver.stop();
  assert.deepEqual(a.routes.routeList(), []);
  assert.deepEqual(a.routes.ruleList(), []);
  assert.deepEqual(a.fake.addresses.on('eth0'), []);
});

test('FAULT (interface down) removes the routes and rules; recovery to MASTER puts them back', async () => {
  const world = fakeWorld();
  const { clock } = world;
  const a = node(world, 'a', 1, instanceText(150, ROUTES));
  a.driver.start();
  clock.advanceMs(3_700);
  await settle();
  assert.equal(a.driver.state.name, 'MASTER');
  assert.deepEqual(a.routes.routeList(), ROUTES_ON_MASTER);

  a.fake.links.set('eth0', 'down');
  await settle();
  assert.equal(a.driver.state.name, 'FAULT');
  assert.deepEqual(a.routes.routeList(), []);
  assert.deepEqual(a.routes.ruleList(), []);
  assert.deepEqual(routeLog(a).slice(-4), ['(VI_1) Entering FAULT STATE', '(VI_1) removing Virtual Rules', '(VI_1) removing Virtual Routes', '(VI_1) removing VIPs.']);

  // FAULT -> BACKUP: nothing is installed, nothing is "removed" again
  a.fake.links.set('eth0', 'up');
  await settle();
  assert.equal(a.driver.state.name, 'BACKUP');
  assert.deepEqual(routeLog(a).slice(-1), ['(VI_1) Entering BACKUP STATE']);
  clock.advanceMs(3_700);
  await settle();
  assert.equal(a.driver.state.name, 'MASTER');
  assert.deepEqual(a.routes.routeList(), ROUTES_ON_MASTER);
  assert.deepEqual(a.routes.ruleList(), RULES_ON_MASTER);
  await a.driver.stop();
});

test('a route the kernel refuses is logged; the other routes and rules go in and adverts keep flowing', async () => {
  const world = fakeWorld();
  const { clock, lan } = world;
  const text = instanceText(150, ROUTES.replace('blackhole 203.0.113.128/26', 'blackhole 203.0.113.128/26\n    198.51.100.192/26 via 198.18.0.1 dev eth0'));
  const a = node(world, 'a', 1, text);
  a.routes.failNext.set('198.51.100.0/24', 'Netlink: error: File exists(17), type=RTM_NEWROUTE(24)');
  a.driver.start();
  clock.advanceMs(3_700);
  await settle();
  assert.equal(a.driver.state.name, 'MASTER');
  const errors = a.fake.log.lines.filter((l) => l.startsWith('ERROR'));
  assert.deepEqual(errors, [
    'ERROR Netlink: error: File exists(17), type=RTM_NEWROUTE(24)',
    'ERROR Netlink: error: Network is unreachable(101), type=RTM_NEWROUTE(24)',
  ]);
  assert.deepEqual(a.routes.routeList(), ROUTES_ON_MASTER.filter((r) => !r.startsWith('198.51.100.0/24')));
  assert.deepEqual(a.routes.ruleList(), RULES_ON_MASTER);
  const sent = lan.sentBy('a').length;
  clock.advanceMs(3_000);
  assert.equal(lan.sentBy('a').length - sent, 3, 'one advert a second after the failures');
  assert.equal(a.driver.state.name, 'MASTER');
  await a.driver.stop();
});

test('reload of a MASTER: unchanged routes and rules are not touched; only the differences are applied', async () => {
  const world = fakeWorld();
  const { clock } = world;
  const a = node(world, 'a', 1, instanceText(150, ROUTES));
  a.driver.start();
  clock.advanceMs(3_700);
  await settle();
  assert.equal(a.driver.state.name, 'MASTER');
  const before = a.routes.history.length;
  const changed = ROUTES.replace('blackhole 203.0.113.128/26', 'unreachable 203.0.113.192/26 metric 50').replace('fwmark 5 table 100 priority 102', 'fwmark 6 table 100 priority 103');
  a.driver.adopt(bindingOf(instanceText(150, changed), '192.0.2.1'));
  await settle();
  assert.equal(a.driver.state.name, 'MASTER');
  assert.deepEqual(a.routes.history.slice(before), [
    '-rule 102: from all fwmark 5 lookup 100',
    '-route blackhole 203.0.113.128/26 table main',
    '+route unreachable 203.0.113.192/26 table main metric 50',
    '+rule 103: from all fwmark 6 lookup 100',
  ]);
  await a.driver.stop();
  assert.deepEqual(a.routes.routeList(), []);
});

const STATIC = `
static_ipaddress {
  192.0.2.50/24 dev eth0
}
static_routes {
  203.0.113.128/25 via 192.0.2.254 dev eth0
  2001:db8:5::/48 via 2001:db8::fe dev eth0
}
static_rules {
  from 203.0.113.1 table 200 priority 200
}
`;

test('static_ipaddress/routes/rules: installed at start, kept across mastership, diffed on reload, removed at stop', async () => {
  const world = fakeWorld();
  const { clock } = world;
  const a = node(world, 'a', 1, instanceText(150, ROUTES));
  const statics = new StaticConfig(a.fake.addresses, a.routes, a.fake.log);
  const model = load(STATIC + instanceText(150, ROUTES));
  await statics.apply(staticTargets(model.vrrp));
  assert.deepEqual(a.fake.addresses.on('eth0'), ['192.0.2.50/24']);
  assert.deepEqual(a.routes.routeList(), ['2001:db8:5::/48 via 2001:db8::fe dev eth0 table main', '203.0.113.128/25 via 192.0.2.254 dev eth0 table main']);
  assert.deepEqual(a.routes.ruleList(), ['200: from 203.0.113.1/32 lookup 200']);
  a.driver.start();
  clock.advanceMs(3_700);
  await settle();
  assert.equal(a.driver.state.name, 'MASTER');
  const b = node(world, 'b', 2, instanceText(200));
  b.driver.start();
  clock.advanceMs(4_000);
  await settle();
  assert.equal(a.driver.state.name, 'BACKUP');
  assert.deepEqual(a.routes.routeList(), ['2001:db8:5::/48 via 2001:db8::fe dev eth0 table main', '203.0.113.128/25 via 192.0.2.254 dev eth0 table main'], 'static routes stay on a BACKUP');
  assert.deepEqual(a.routes.ruleList(), ['200: from 203.0.113.1/32 lookup 200']);
  assert.deepEqual(a.fake.addresses.on('eth0'), ['192.0.2.50/24']);

  const before = a.routes.history.length;
  await statics.apply(staticTargets(load(STATIC.replace('2001:db8:5::/48', '2001:db8:6::/48') + instanceText(150)).vrrp));
  assert.deepEqual(a.routes.history.slice(before), ['-route 2001:db8:5::/48 via 2001:db8::fe dev eth0 table main', '+route 2001:db8:6::/48 via 2001:db8::fe dev eth0 table main']);

  await b.driver.stop();
  await a.driver.stop();
  await statics.removeAll();
  assert.deepEqual(a.routes.routeList(), []);
  assert.deepEqual(a.routes.ruleList(), []);
  assert.deepEqual(a.fake.addresses.on('eth0'), []);
  assert.equal(a.fake.log.lines.filter((l) => /static/i.test(l)).length, 0, 'keepalived logs nothing for static_* at start or stop');
});

test('static_* alone start the VRRP subsystem, as keepalived starts its VRRP process for them', () => {
  const options = { subsystems: { vrrp: true }, configFile: CONF, allConfig: false, configId: 'lab' };
  for (const block of ['static_ipaddress {\n  192.0.2.50/24 dev eth0\n}\n', 'static_routes {\n  203.0.113.0/24 via 192.0.2.254\n}\n', 'static_rules {\n  from 203.0.113.1 table 200 priority 200\n}\n']) {
    assert.equal(configHasVrrpInstances(options, fakeEnv({ files: { [CONF]: block } })), true, block);
  }
  assert.equal(configHasVrrpInstances(options, fakeEnv({ files: { [CONF]: 'global_defs {\n}\n' } })), false);
});

test('route tracking: a tracked route or rule deleted by someone else makes the MASTER step down and take over again after Skew_Time', async () => {
  const world = fakeWorld();
  const { clock, lan } = world;
  const text = instanceText(150, ROUTES.replace('198.51.100.0/24 via 192.0.2.254 dev eth0', '198.51.100.0/24 via 192.0.2.254 dev eth0 no_track')
    .replace('fwmark 5 table 100 priority 102', 'fwmark 5 table 100 priority 102 no_track'));
  const a = node(world, 'a', 1, text);
  a.driver.start();
  clock.advanceMs(3_700);
  await settle();
  assert.equal(a.driver.state.name, 'MASTER');
  // tracked: routes with dev and without no_track (3 of 5), rules without no_track (1 of 2)
  assert.equal(a.routes.watchCount(), 4);

  // untracked deletions change nothing: no_track, and a route without dev (blackhole)
  a.routes.deleteExternally('route', '198.51.100.0/24 via 192.0.2.254 dev eth0 table main');
  a.routes.deleteExternally('route', 'blackhole 203.0.113.128/26 table main');
  a.routes.deleteExternally('rule', '102: from all fwmark 5 lookup 100');
  await settle();
  assert.equal(a.driver.state.name, 'MASTER');

  const lines = a.fake.log.main().length;
  const zeroBefore = lan.sentBy('a').length;
  a.routes.deleteExternally('route', '198.51.100.128/25 via 192.0.2.254 dev eth0 table 100');
  await settle();
  assert.equal(a.driver.state.name, 'BACKUP');
  assert.deepEqual(a.fake.log.main().slice(lines), [
    '(VI_1) Entering BACKUP STATE', '(VI_1) sent 0 priority', '(VI_1) removing Virtual Rules', '(VI_1) removing Virtual Routes', '(VI_1) removing VIPs.',
  ]);
  assert.equal(lan.sentBy('a').length - zeroBefore, 1, 'one priority-0 advert');
  assert.deepEqual(a.routes.routeList(), []);
  assert.equal(a.routes.watchCount(), 0);
  // Skew_Time at priority 150 (v2): (256 - 150) / 256 s = 414 ms
  clock.advanceMs(400);
  assert.equal(a.driver.state.name, 'BACKUP');
  clock.advanceMs(20);
  await settle();
  assert.equal(a.driver.state.name, 'MASTER');
  assert.deepEqual(a.routes.routeList(), ROUTES_ON_MASTER, 'everything re-installed, the untracked deleted ones too');
  assert.deepEqual(a.routes.ruleList(), RULES_ON_MASTER);

  // a tracked rule: the same
  a.routes.deleteExternally('rule', '100: from 192.0.2.100/32 lookup 100');
  await settle();
  assert.equal(a.driver.state.name, 'BACKUP');
  clock.advanceMs(420);
  await settle();
  assert.equal(a.driver.state.name, 'MASTER');
  assert.deepEqual(a.routes.ruleList(), RULES_ON_MASTER);
  await a.driver.stop();
  assert.equal(a.routes.watchCount(), 0);
});

test('static route tracking: a deleted static route or rule is put back (keepalived\'s line); a static blackhole is not', async () => {
  const world = fakeWorld();
  const a = node(world, 'a', 1, instanceText(150));
  const statics = new StaticConfig(a.fake.addresses, a.routes, a.fake.log);
  await statics.apply(staticTargets(load(STATIC.replace('static_routes {', 'static_routes {\n  blackhole 203.0.113.0/27') + instanceText(150)).vrrp));
  a.routes.deleteExternally('route', '203.0.113.128/25 via 192.0.2.254 dev eth0 table main');
  a.routes.deleteExternally('route', 'blackhole 203.0.113.0/27 table main');
  a.routes.deleteExternally('rule', '200: from 203.0.113.1/32 lookup 200');
  await settle();
  assert.deepEqual(a.fake.log.main(), [
    'Restoring deleted static route prepend 203.0.113.128/25 via inet 192.0.2.254 dev eth0 proto 18',
    'Restoring deleted static rule from 203.0.113.1 priority 200 tos 0x0 protocol 18 lookup 200',
  ]);
  assert.deepEqual(a.routes.routeList(), ['2001:db8:5::/48 via 2001:db8::fe dev eth0 table main', '203.0.113.128/25 via 192.0.2.254 dev eth0 table main']);
  assert.deepEqual(a.routes.ruleList(), ['200: from 203.0.113.1/32 lookup 200']);
  await statics.removeAll();
  assert.equal(a.routes.watchCount(), 0);
  assert.deepEqual(a.routes.routeList(), []);
});

test('-V/--dont-release-vrrp stop (as keepalived 2.2.7): no priority-0 advert, VIPs, virtual routes and rules stay, STOP observed', async () => {
  const world = fakeWorld();
  const { clock, lan } = world;
  const a = node(world, 'a', 1, instanceText(150, ROUTES));
  const seen: string[] = [];
  a.driver.onTransition((e) => void (e.kind === 'transition' && seen.push(e.to)));
  a.driver.start();
  clock.advanceMs(3_700);
  await settle();
  assert.equal(a.driver.state.name, 'MASTER');
  const sent = lan.sentBy('a').length;
  const logged = a.fake.log.main().length;
  await a.driver.stop(false);
  clock.advanceMs(5_000);
  await settle();
  assert.equal(a.driver.state.name, 'STOP');
  assert.equal(seen.at(-1), 'STOP', 'the STOP transition is still observed (FIFO, notify_stop)');
  assert.equal(lan.sentBy('a').length, sent, 'no advert at all after the stop (no priority 0)');
  assert.deepEqual(a.fake.addresses.on('eth0'), ['192.0.2.100/24', '203.0.113.10/24']);
  assert.deepEqual(a.routes.routeList(), ROUTES_ON_MASTER);
  assert.deepEqual(a.routes.ruleList(), RULES_ON_MASTER);
  assert.deepEqual(a.fake.log.main().slice(logged).filter((l) => /sent 0|removing/.test(l)), [], 'no "sent 0 priority" nor "removing ..." lines');
});

test('static address tracking: a deleted static address is put back with keepalived 2.2.7\'s line; a removed (reload/stop) one is not watched', async () => {
  const world = fakeWorld();
  const a = node(world, 'a', 1, instanceText(150));
  const statics = new StaticConfig(a.fake.addresses, a.routes, a.fake.log);
  const text = 'static_ipaddress {\n  198.51.100.7/24 dev eth0\n  198.51.100.8 dev eth0\n  198.51.100.11/24 brd 198.51.100.255 dev eth0 label eth0:s\n  2001:db8:5::7/64 dev eth0\n}\n';
  await statics.apply(staticTargets(load(text + instanceText(150)).vrrp));
  assert.deepEqual(a.fake.addresses.on('eth0'), ['198.51.100.11/24', '198.51.100.7/24', '198.51.100.8/32', '2001:db8:5::7/64']);
  for (const gone of ['198.51.100.7/24', '198.51.100.8/32', '198.51.100.11/24', '2001:db8:5::7/64']) a.fake.addresses.deleteExternally('eth0', gone);
  await settle();
  assert.deepEqual(a.fake.addresses.on('eth0'), ['198.51.100.11/24', '198.51.100.7/24', '198.51.100.8/32', '2001:db8:5::7/64'], 'all put back');
  assert.deepEqual(a.fake.log.main().filter((l) => l.startsWith('Restoring')), [
    'Restoring deleted static address 198.51.100.7/24 dev eth0 scope global set',
    'Restoring deleted static address 198.51.100.8 dev eth0 scope global set',
    'Restoring deleted static address 198.51.100.11/24 brd 198.51.100.255 dev eth0 scope global label eth0:s set',
    'Restoring deleted static address 2001:db8:5::7/64 dev eth0 scope global preferred_lft forever set',
  ]);
  // a reload dropping one: removed by us, no longer watched; stop: nothing watched, nothing restored
  await statics.apply(staticTargets(load(text.replace('  198.51.100.8 dev eth0\n', '') + instanceText(150)).vrrp));
  assert.deepEqual(a.fake.addresses.on('eth0'), ['198.51.100.11/24', '198.51.100.7/24', '2001:db8:5::7/64']);
  assert.equal(a.fake.addresses.watchedDeletions, 3);
  await statics.removeAll();
  assert.equal(a.fake.addresses.watchedDeletions, 0);
  assert.deepEqual(a.fake.addresses.on('eth0'), []);
  assert.equal(a.fake.log.main().filter((l) => l.startsWith('Restoring')).length, 4);
});
