/**
 * lvs_sync_daemon follows its VRRP instance: real InstanceDrivers on the fake LAN and manual clock,
 * the IpvsSyncFollower on the IpvsClient over a fake IPVS kernel, keepalived.conf through the real
 * config pipeline. Each VRRP transition is checked against the generic netlink messages keepalived
 * 2.2.7 sends (UAPI byte vectors): leftovers stopped and the backup daemon started at start;
 * MASTER stops the backup daemon and starts the master one; leaving MASTER the reverse;
 * BACKUP <-> FAULT nothing; stop: the daemon of the last state. A kernel without IPVS is reported
 * once and VRRP carries on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/pipeline.js';
import type { InstanceBinding } from '../../../src/vrrp/config-adapter.js';
import { InstanceDriver } from '../../../src/vrrp/driver.js';
import { defaultParams } from '../../../src/vrrp/params.js';
import { ipvsSyncDaemonSetting } from '../../../src/lb/planes/ipvs-settings.js';
import { IpvsSyncFollower } from '../../../src/lb/planes/ipvs-sync-follower.js';
import { NetlinkClient } from '../../../src/os/linux/netlink/client.js';
import { IpvsClient } from '../../../src/os/linux/netlink/ipvs.js';
import { FakeIpvsKernel } from '../../support/fake-ipvs-kernel.js';
import { DEL_DAEMON_BACKUP, NEW_DAEMON_MASTER_ETH0_50 } from '../../support/ipvs-vectors.js';
import { fakeEnv } from '../../unit/config/fake-env.js';
import { FakeLan, fakeNode, ManualClock, settle } from './driver-fakes.js';

const CONF = '/etc/keepalived/keepalived.conf';
const VIP = '192.0.2.100';

/** The same messages for the other state: DAEMON_ATTR_STATE is the u32 at byte 12. */
function withState(vector: Buffer, state: 1 | 2): Buffer {
  const b = Buffer.from(vector);
  b.writeUInt32LE(state, 12);
  return b;
}
const DEL_MASTER = withState(DEL_DAEMON_BACKUP, 1);
const DEL_BACKUP = DEL_DAEMON_BACKUP;
const NEW_MASTER = NEW_DAEMON_MASTER_ETH0_50;
const NEW_BACKUP = withState(NEW_DAEMON_MASTER_ETH0_50, 2);
const NAMES = new Map([[DEL_MASTER, 'DEL master'], [DEL_BACKUP, 'DEL backup'], [NEW_MASTER, 'NEW master'], [NEW_BACKUP, 'NEW backup']]);

function setting(instance = 'VI_1') {
  const text = `global_defs {
  lvs_sync_daemon eth0 ${instance} maxlen 1500 port 8256 ttl 1 group 224.0.0.81
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 50
  priority 100
  virtual_ipaddress {
    ${VIP}/24
  }
}
`;
  const r = loadConfig(CONF, fakeEnv({ ifs: ['eth0'], files: { [CONF]: text } }));
  return ipvsSyncDaemonSetting(r.model.global, r.model.vrrp);
}

function binding(primaryAddress: string, priority: number): InstanceBinding {
  const params = defaultParams({ name: 'VI_1', vrid: 50, vips: [VIP], primaryAddress, priority });
  return { params, interfaceName: 'eth0', vips: [{ address: VIP, prefixLength: 24, interfaceName: 'eth0' }], unicastTtl: 255, trackInterface: true, unsupported: [] };
}

function world(kernel: FakeIpvsKernel) {
  const clock = new ManualClock();
  const lan = new FakeLan(clock);
  const a = fakeNode('a', lan, clock);
  const b = fakeNode('b', lan, clock);
  const logs: string[] = [];
  let opens = 0;
  const follower = new IpvsSyncFollower({
    open: async () => {
      opens++;
      const netlink = new NetlinkClient(kernel.transport());
      const client = await IpvsClient.open(netlink);
      return { port: client, close: () => netlink.close() };
    },
    log: { info: (m) => logs.push(m), error: (m) => logs.push(`ERROR ${m}`) },
  });
  const da = new InstanceDriver(binding('192.0.2.1', 100), a.ports);
  const db = new InstanceDriver(binding('192.0.2.2', 200), b.ports);
  return { clock, a, da, db, follower, logs, opens: () => opens };
}

/** The daemon messages the kernel got since `from`, named. */
function daemonMessages(kernel: FakeIpvsKernel, from = 0): string[] {
  return kernel.received.slice(from).filter((r) => r.cmd.endsWith('_DAEMON')).map((r) => {
    for (const [vec, name] of NAMES) if (vec.equals(r.payload)) return name;
    return `${r.cmd} (unexpected bytes ${r.payload.toString('hex')})`;
  });
}

async function step(clock: ManualClock, follower: IpvsSyncFollower, ms = 0): Promise<void> {
  if (ms > 0) clock.advanceMs(ms);
  await settle();
  await follower.idle();
}

test('the sync daemon follows VI_1 through BACKUP, MASTER, BACKUP, FAULT and stop as keepalived 2.2.7 does', async () => {
  const kernel = new FakeIpvsKernel();
  const { clock, a, da, db, follower, logs } = world(kernel);
  const s = setting();
  assert.ok(s?.ok === true, JSON.stringify(s));
  follower.configure(s);
  follower.observe(da);
  da.start();
  await step(clock, follower);
  assert.equal(da.state.name, 'BACKUP');
  assert.deepEqual(daemonMessages(kernel), ['DEL master', 'DEL backup', 'NEW backup'], 'leftovers stopped, then the backup daemon');
  assert.deepEqual([...kernel.daemons.keys()], ['backup']);

  let mark = kernel.received.length;
  await step(clock, follower, 3_700); // Master_Down_Interval at priority 100: 3.61 s
  assert.equal(da.state.name, 'MASTER');
  assert.deepEqual(daemonMessages(kernel, mark), ['DEL backup', 'NEW master']);
  assert.deepEqual([...kernel.daemons.keys()], ['master']);

  mark = kernel.received.length;
  db.start(); // priority 200 preempts
  await step(clock, follower, 1_000);
  await step(clock, follower, 4_000);
  assert.equal(da.state.name, 'BACKUP');
  assert.deepEqual(daemonMessages(kernel, mark), ['DEL master', 'NEW backup']);

  mark = kernel.received.length;
  a.links.set('eth0', 'down');
  await step(clock, follower, 100);
  assert.equal(da.state.name, 'FAULT');
  a.links.set('eth0', 'up');
  await step(clock, follower, 100);
  assert.equal(da.state.name, 'BACKUP');
  assert.deepEqual(daemonMessages(kernel, mark), [], 'BACKUP <-> FAULT: nothing');

  await db.stop(); // priority 0: a takes over after Skew_Time
  await step(clock, follower, 1_000);
  assert.equal(da.state.name, 'MASTER');
  mark = kernel.received.length;
  a.links.set('eth0', 'down');
  await step(clock, follower, 100);
  assert.equal(da.state.name, 'FAULT');
  assert.deepEqual(daemonMessages(kernel, mark), ['DEL master', 'NEW backup'], 'MASTER -> FAULT: back to the backup daemon');

  mark = kernel.received.length;
  await da.stop();
  await follower.close();
  assert.deepEqual(daemonMessages(kernel, mark), ['DEL backup'], 'stop: the daemon of the last state');
  assert.equal(kernel.daemons.size, 0);
  assert.deepEqual(logs, []);
});

test('a kernel without IPVS: reported once, no daemon command, VRRP carries on', async () => {
  const kernel = new FakeIpvsKernel(false);
  const { clock, da, follower, logs, opens } = world(kernel);
  follower.configure(setting());
  follower.observe(da);
  da.start();
  await step(clock, follower);
  await step(clock, follower, 3_700);
  assert.equal(da.state.name, 'MASTER');
  await da.stop();
  await follower.close();
  assert.equal(opens(), 1);
  assert.deepEqual(daemonMessages(kernel), []);
  assert.equal(logs.length, 1, logs.join('\n'));
  assert.match(logs[0] ?? '', /^ERROR IPVS: Can't initialize ipvs: .*IPVS.* - lvs_sync_daemon eth0 VI_1 is not run$/);
});

test('a refused command is logged and the next transition tries again; an unknown instance is reported', async () => {
  const kernel = new FakeIpvsKernel();
  const { clock, da, follower, logs } = world(kernel);
  follower.configure(setting());
  follower.observe(da);
  kernel.failOn(/^NEW_DAEMON/, 12);
  da.start();
  await step(clock, follower);
  assert.equal(logs.length, 1);
  assert.match(logs[0] ?? '', /^ERROR lvs_sync_daemon: IPVS backup sync daemon on eth0 \(syncid 50\): .*ENOMEM/);
  const mark = kernel.received.length;
  await step(clock, follower, 3_700);
  assert.equal(da.state.name, 'MASTER');
  assert.deepEqual(daemonMessages(kernel, mark), ['DEL backup', 'NEW master']);
  assert.deepEqual([...kernel.daemons.keys()], ['master']);
  await da.stop();
  await follower.close();

  const other = world(new FakeIpvsKernel());
  const missing = setting('VI_9');
  other.follower.configure(missing);
  assert.deepEqual(other.logs, ["ERROR lvs_sync_daemon: no vrrp_instance 'VI_9' - no IPVS sync daemon"]);
});
