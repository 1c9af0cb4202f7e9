/**
 * The real IPVS adapter chain against the fake IPVS kernel (test/support/fake-ipvs-kernel.ts):
 * IpvsDataPlane (src/lb/planes) -> IpvsClient (src/os/linux/netlink/ipvs.ts) -> NetlinkClient ->
 * netlink message bytes -> the fake kernel, which keeps state and refuses as ip_vs_ctl.c does.
 * The bytes the kernel receives are compared with the UAPI vectors of test/support/ipvs-vectors.ts;
 * the global_defs settings (lvs_flush, lvs_timeouts, lvs_flush_on_stop, lvs_sync_daemon) come from a
 * parsed keepalived.conf.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/pipeline.js';
import { NetlinkClient } from '../../../src/os/linux/netlink/client.js';
import { IpvsClient } from '../../../src/os/linux/netlink/ipvs.js';
import { IpvsDataPlane, type IpvsPlaneOptions } from '../../../src/lb/planes/ipvs-plane.js';
import type { IpvsPort } from '../../../src/lb/planes/ipvs-port.js';
import { ipvsPlaneOptions, ipvsSyncDaemonSetting } from '../../../src/lb/planes/ipvs-settings.js';
import { IpvsSyncDaemon, type IpvsSyncPort } from '../../../src/lb/planes/ipvs-sync.js';
import type { DesiredDest, DesiredPool, DesiredService } from '../../../src/lb/pool-types.js';
import { EEXIST, EINVAL, ENOMEM, FakeIpvsKernel } from '../../support/fake-ipvs-kernel.js';
import {
  DEL_DAEMON_BACKUP, FLUSH, NEW_DAEMON_MASTER_ETH0_50, NEW_DEST_DR_198_51_100_10_8080_W5, NEW_SERVICE_TCP_WLC_PERSISTENT_300,
  SET_CONFIG_900_120_300,
} from '../../support/ipvs-vectors.js';
import { fakeEnv } from '../config/fake-env.js';

async function chain(options: IpvsPlaneOptions = {}): Promise<{ kernel: FakeIpvsKernel; client: IpvsClient; plane: IpvsDataPlane }> {
  const kernel = new FakeIpvsKernel();
  const client = await IpvsClient.open(new NetlinkClient(kernel.transport()));
  const port: IpvsPort = client;
  return { kernel, client, plane: new IpvsDataPlane(port, options) };
}

const dest = (n: number, weight: number, over: Partial<DesiredDest> = {}): DesiredDest => ({
  id: `rs${n}`, role: 'real', address: `192.0.2.${n}`, family: 'inet', port: 0, weight, forwarding: 'NAT', ...over,
});

const service = (dests: DesiredDest[], over: Partial<DesiredService> = {}): DesiredService => ({
  id: '[192.0.2.100]:tcp:80', protocol: 'tcp', scheduler: 'wrr', schedulerFlags: [], forwarding: 'NAT',
  matches: [{ kind: 'address', family: 'inet', first: '192.0.2.100', last: '192.0.2.100', port: 80 }], dests, ...over,
});

const pool = (...services: DesiredService[]): DesiredPool => ({ services });
const cmds = (k: FakeIpvsKernel, from = 0): string[] => k.received.slice(from).map((r) => r.cmd);

test('add: what the plane installs reaches the kernel as the UAPI byte vectors', async () => {
  const { kernel, plane } = await chain();
  const r = await plane.apply(pool(service(
    [dest(10, 5, { address: '198.51.100.10', port: 8080, forwarding: 'DR', upperThreshold: 1000 })],
    { scheduler: 'wlc', forwarding: 'DR', persistenceTimeoutS: 300 },
  )));
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(cmds(kernel), ['NEW_SERVICE', 'NEW_DEST']);
  assert.deepEqual(kernel.received[0]?.payload, NEW_SERVICE_TCP_WLC_PERSISTENT_300);
  assert.deepEqual(kernel.received[1]?.payload, NEW_DEST_DR_198_51_100_10_8080_W5);
  assert.deepEqual(kernel.view(), ['tcp:192.0.2.100:80 wlc/1/300: 198.51.100.10:8080=5/route']);
});

test('edit and delete: only the difference is sent; an empty pool deletes the service', async () => {
  const { kernel, client, plane } = await chain();
  assert.ok((await plane.apply(pool(service([dest(2, 1), dest(3, 1), dest(4, 1)])))).ok);
  const mark = kernel.received.length;
  const r = await plane.apply(pool(service([dest(2, 3), dest(3, 1), dest(5, 2)], { scheduler: 'rr' })));
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(cmds(kernel, mark), ['SET_SERVICE', 'SET_DEST', 'NEW_DEST', 'DEL_DEST']);
  assert.deepEqual(kernel.view(), ['tcp:192.0.2.100:80 rr/0/0: 192.0.2.2:80=3/masq 192.0.2.3:80=1/masq 192.0.2.5:80=2/masq']);
  const listed = await client.listDests({ family: 2, protocol: 'tcp', address: '192.0.2.100', port: 80 });
  assert.deepEqual(listed.map((d) => `${d.address}=${d.weight}`).sort(), ['192.0.2.2=3', '192.0.2.3=1', '192.0.2.5=2'], 'GET_DEST dump');
  const again = kernel.received.length;
  assert.ok((await plane.apply(pool(service([dest(2, 3), dest(3, 1), dest(5, 2)], { scheduler: 'rr' })))).ok);
  assert.equal(kernel.received.length, again, 'no change, no message');
  assert.ok((await plane.apply(pool())).ok);
  assert.deepEqual(cmds(kernel, again), ['DEL_SERVICE']);
  assert.deepEqual(kernel.view(), []);
  assert.deepEqual(await client.listServices(), [], 'GET_SERVICE dump');
});

test('a kernel refusal mid-change (ENOMEM) is reported with its errno; the kernel is rolled back and the plane keeps working', async () => {
  const { kernel, plane } = await chain();
  assert.ok((await plane.apply(pool(service([dest(2, 1), dest(3, 1)])))).ok);
  const before = kernel.view();
  kernel.failOn(/^NEW_DEST .* dest 192\.0\.2\.5:80/, ENOMEM);
  const mark = kernel.received.length;
  const r = await plane.apply(pool(service([dest(2, 4), dest(4, 1), dest(5, 1)])));
  assert.ok(!r.ok);
  assert.equal(r.code, 'IPVS_APPLY_FAILED');
  assert.match(r.error, /add dest 192\.0\.2\.5:80 to tcp:192\.0\.2\.100:80: add IPVS dest 192\.0\.2\.5:80 of TCP 192\.0\.2\.100:80: ENOMEM; rolled back, previous state kept/);
  assert.deepEqual(cmds(kernel, mark), ['SET_DEST', 'NEW_DEST', 'NEW_DEST', 'DEL_DEST', 'SET_DEST'], 'two steps done, one refused, both undone');
  assert.deepEqual(kernel.view(), before);
  assert.match(plane.describe().lastError ?? '', /ENOMEM/);
  const ok = await plane.apply(pool(service([dest(2, 4), dest(4, 1), dest(5, 1)])));
  assert.ok(ok.ok, JSON.stringify(ok));
  assert.deepEqual(kernel.view(), ['tcp:192.0.2.100:80 wrr/0/0: 192.0.2.2:80=4/masq 192.0.2.4:80=1/masq 192.0.2.5:80=1/masq']);
  assert.equal(plane.describe().lastError, undefined);
});

test('EEXIST (a service someone else created) and ESRCH (a service deleted behind our back) come back cleanly', async () => {
  const { kernel, client, plane } = await chain();
  await client.addService({ family: 2, protocol: 'tcp', address: '192.0.2.101', port: 80, scheduler: 'rr', flags: 0, timeoutSec: 0, netmaskPrefixLength: 32 });
  assert.ok((await plane.apply(pool(service([dest(2, 1)])))).ok);
  const before = kernel.view();
  const clash = await plane.apply(pool(service([dest(2, 1)]), service([dest(3, 1)], {
    id: '[192.0.2.101]:tcp:80', matches: [{ kind: 'address', family: 'inet', first: '192.0.2.101', last: '192.0.2.101', port: 80 }],
  })));
  assert.ok(!clash.ok && /add IPVS service TCP 192\.0\.2\.101:80: EEXIST; rolled back, previous state kept/.test(clash.error), JSON.stringify(clash));
  assert.deepEqual(kernel.view(), before, 'the foreign service is untouched');
  kernel.services.clear(); // `ipvsadm -C` behind the daemon's back
  const gone = await plane.apply(pool(service([dest(2, 7)])));
  assert.ok(!gone.ok && /edit IPVS dest 192\.0\.2\.2:80 of TCP 192\.0\.2\.100:80: ESRCH/.test(gone.error), JSON.stringify(gone));
  const removed = await plane.removeAll();
  assert.ok(!removed.ok && /delete IPVS service TCP 192\.0\.2\.100:80: ESRCH/.test(removed.error), JSON.stringify(removed));
});

const CONF = '/etc/keepalived/keepalived.conf';
function globals(body: string, vrrp = ''): ReturnType<typeof loadConfig>['model'] {
  const text = `global_defs {\n${body}\n}\n${vrrp}`;
  const r = loadConfig(CONF, fakeEnv({ ifs: ['eth0'], files: { [CONF]: text } }));
  assert.deepEqual(r.diagnostics.list.map((d) => d.message), []);
  return r.model;
}

test('lvs_flush and lvs_timeouts from keepalived.conf: FLUSH and SET_CONFIG at start, as the UAPI vectors', async () => {
  const model = globals('  lvs_flush\n  lvs_timeouts tcp 900 tcpfin 120 udp 300');
  const options = ipvsPlaneOptions(model.global);
  assert.deepEqual(options, { timeouts: { tcpSec: 900, tcpFinSec: 120, udpSec: 300 }, flushOnStart: true });
  const { kernel, client, plane } = await chain(options);
  await client.addService({ family: 2, fwmark: 9, scheduler: 'rr', flags: 0, timeoutSec: 0, netmaskPrefixLength: 32 });
  kernel.timeouts = { tcpSec: 1, tcpFinSec: 1, udpSec: 1 };
  const mark = kernel.received.length;
  assert.ok((await plane.start()).ok);
  assert.deepEqual(kernel.received.slice(mark).map((r) => r.payload), [FLUSH, SET_CONFIG_900_120_300]);
  assert.deepEqual(kernel.view(), [], 'lvs_flush removed the leftover');
  assert.deepEqual(await client.getTimeouts(), { tcpSec: 900, tcpFinSec: 120, udpSec: 300 });
  const partial = ipvsPlaneOptions(globals('  lvs_timeouts udp 30').global);
  assert.deepEqual(partial, { timeouts: { tcpSec: 0, tcpFinSec: 0, udpSec: 30 } }, '0 leaves the kernel value');
  const p = await chain(partial);
  assert.ok((await p.plane.start()).ok);
  assert.deepEqual(await p.client.getTimeouts(), { tcpSec: 900, tcpFinSec: 120, udpSec: 30 });
  kernel.failOn(/^SET_CONFIG/, EINVAL);
  const bad = await plane.start();
  assert.ok(!bad.ok && bad.code === 'IPVS_START_FAILED' && /set IPVS timeouts: EINVAL/.test(bad.error), JSON.stringify(bad));
});

test('lvs_flush_on_stop: unset deletes only our services; bare (keepalived: flush all) flushes', async () => {
  const own = await chain(ipvsPlaneOptions(globals('  router_id x').global));
  await own.client.addService({ family: 2, fwmark: 9, scheduler: 'rr', flags: 0, timeoutSec: 0, netmaskPrefixLength: 32 });
  assert.ok((await own.plane.apply(pool(service([dest(2, 1)])))).ok);
  assert.ok((await own.plane.removeAll()).ok);
  assert.deepEqual(own.kernel.view(), ['fwmark:2:9 rr/0/0: ']);
  const all = await chain(ipvsPlaneOptions(globals('  lvs_flush_on_stop').global));
  await all.client.addService({ family: 2, fwmark: 9, scheduler: 'rr', flags: 0, timeoutSec: 0, netmaskPrefixLength: 32 });
  assert.ok((await all.plane.apply(pool(service([dest(2, 1)])))).ok);
  assert.ok((await all.plane.removeAll()).ok);
  assert.deepEqual(cmds(all.kernel).at(-1), 'FLUSH');
  assert.deepEqual(all.kernel.view(), []);
});

const VI_50 = 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 50\n  priority 100\n  virtual_ipaddress {\n    192.0.2.100/24\n  }\n}\n';

test('lvs_sync_daemon: master stops the backup daemon and starts the master one (UAPI vectors), backup the reverse, stop both', async () => {
  const model = globals('  lvs_sync_daemon eth0 VI_1 maxlen 1500 port 8256 ttl 1 group 224.0.0.81', VI_50);
  const setting = ipvsSyncDaemonSetting(model.global, model.vrrp);
  assert.ok(setting?.ok === true, JSON.stringify(setting));
  assert.deepEqual(setting.spec, { interface: 'eth0', syncId: 50, syncMaxLen: 1500, mcastGroup: '224.0.0.81', mcastPort: 8256, mcastTtl: 1 }, 'sync id defaults to the VRID');
  const { kernel, client } = await chain();
  const port: IpvsSyncPort = client;
  const syncd = new IpvsSyncDaemon(port, setting.spec);
  assert.deepEqual(await syncd.master(), { ok: true }, 'the backup daemon was not running: ESRCH is not an error');
  assert.deepEqual(kernel.received.map((r) => r.payload), [DEL_DAEMON_BACKUP, NEW_DAEMON_MASTER_ETH0_50]);
  assert.deepEqual([...kernel.daemons.keys()], ['master']);
  assert.deepEqual(await syncd.backup(), { ok: true });
  assert.deepEqual(cmds(kernel, 2), ['DEL_DAEMON', 'NEW_DAEMON']);
  assert.deepEqual((await client.listDaemons()).map((d) => `${d.state} ${d.interface} ${d.syncId}`), ['backup eth0 50']);
  assert.equal(syncd.state, 'backup');
  assert.deepEqual(await syncd.stop(), { ok: true });
  assert.equal(kernel.daemons.size, 0);
  kernel.failOn(/^NEW_DAEMON/, EEXIST);
  const refused = await syncd.master();
  assert.ok(!refused.ok && /IPVS master sync daemon on eth0 \(syncid 50\): start IPVS master sync daemon: EEXIST/.test(refused.error), JSON.stringify(refused));
  assert.equal(syncd.state, undefined);
  const missing = ipvsSyncDaemonSetting(globals('  lvs_sync_daemon eth0 VI_9', VI_50).global, model.vrrp);
  assert.deepEqual(missing, { ok: false, reason: "lvs_sync_daemon: no vrrp_instance 'VI_9' - no IPVS sync daemon" });
});
