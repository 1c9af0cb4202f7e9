/** IpvsClient against the stateful fake IPVS kernel of test/support (errno choices follow the kernel's ip_vs_ctl.c). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FAKE_IPVS_FAMILY_ID, FakeIpvsKernel } from '../../../support/fake-ipvs-kernel.js';
import { NetlinkClient } from '../../../../src/os/linux/netlink/client.js';
import { IpvsClient } from '../../../../src/os/linux/netlink/ipvs.js';
import { IpvsUnavailableError, NetlinkKernelError } from '../../../../src/os/linux/netlink/errors.js';
import { AF_INET } from '../../../../src/os/linux/netlink/constants.js';
import * as C from '../../../../src/os/linux/netlink/ipvs-constants.js';
import { IpvsDest, IpvsService } from '../../../../src/os/linux/netlink/ipvs-types.js';

const web: IpvsService = { family: AF_INET, protocol: 'tcp', address: '192.0.2.100', port: 80, scheduler: 'wrr', flags: 0, timeoutSec: 0, netmaskPrefixLength: 32 };
const rs1: IpvsDest = { address: '198.51.100.11', port: 80, forwarding: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0 };

async function open(present = true): Promise<{ ipvs: IpvsClient; fake: FakeIpvsKernel }> {
  const fake = new FakeIpvsKernel(present);
  const ipvs = await IpvsClient.open(new NetlinkClient(fake.transport()));
  return { ipvs, fake };
}

test('a kernel without IPVS is reported as IpvsUnavailableError (IPVS_UNAVAILABLE)', async () => {
  await assert.rejects(open(false), (e: unknown) => e instanceof IpvsUnavailableError && e.code === 'IPVS_UNAVAILABLE');
});

test('add, list, edit and delete a service and its destinations', async () => {
  const { ipvs, fake } = await open();
  assert.equal(ipvs.familyId, FAKE_IPVS_FAMILY_ID);
  await ipvs.addService(web);
  await ipvs.addDest(web, rs1);
  await ipvs.addDest(web, { ...rs1, address: '198.51.100.12', weight: 3 });
  assert.deepEqual((await ipvs.listServices()).map((s) => 'address' in s && `${s.address}:${s.port} ${s.scheduler}`), ['192.0.2.100:80 wrr']);
  await ipvs.editDest(web, { ...rs1, weight: 0 });
  const dests = await ipvs.listDests(web);
  assert.deepEqual(dests.map((d) => `${d.address}:${d.port} w${d.weight}`), ['198.51.100.11:80 w0', '198.51.100.12:80 w3']);
  await ipvs.editService({ ...web, scheduler: 'lc' });
  assert.equal(fake.services.get('tcp:192.0.2.100:80')?.svc.scheduler, 'lc');
  await ipvs.deleteDest(web, { address: '198.51.100.12', port: 80 });
  assert.equal((await ipvs.listDests(web)).length, 1);
  await ipvs.deleteService(web);
  assert.equal((await ipvs.listServices()).length, 0);
});

test('kernel refusals come back as typed errors with errno names', async () => {
  const { ipvs } = await open();
  await ipvs.addService(web);
  const expectErr = (name: string) => (e: unknown) => e instanceof NetlinkKernelError && e.errnoName === name;
  await assert.rejects(ipvs.addService(web), expectErr('EEXIST'));
  await assert.rejects(ipvs.editService({ ...web, port: 81 }), expectErr('ESRCH'));
  await assert.rejects(ipvs.addDest({ ...web, port: 81 }, rs1), expectErr('ESRCH'));
  await ipvs.addDest(web, rs1);
  await assert.rejects(ipvs.addDest(web, rs1), (e: unknown) => expectErr('EEXIST')(e) && /add IPVS dest 198\.51\.100\.11:80 of TCP 192\.0\.2\.100:80/.test((e as Error).message));
  await assert.rejects(ipvs.deleteDest(web, { address: '198.51.100.99', port: 80 }), expectErr('ENOENT'));
});

test('fwmark services, timeouts and flush', async () => {
  const { ipvs } = await open();
  await ipvs.addService({ family: AF_INET, fwmark: 5, scheduler: 'sh', flags: C.IP_VS_SVC_F_PERSISTENT, timeoutSec: 60, netmaskPrefixLength: 24 });
  const [svc] = await ipvs.listServices();
  assert.ok(svc && 'fwmark' in svc && svc.fwmark === 5 && svc.netmaskPrefixLength === 24 && svc.timeoutSec === 60);
  await ipvs.setTimeouts({ tcpSec: 3600, tcpFinSec: 0, udpSec: 30 });
  assert.deepEqual(await ipvs.getTimeouts(), { tcpSec: 3600, tcpFinSec: 120, udpSec: 30 });
  await ipvs.flush();
  assert.equal((await ipvs.listServices()).length, 0);
});
