/** IpvsClient against a stateful fake IPVS kernel (errno choices follow the kernel's ip_vs_ctl.c behaviour). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeNetlinkKernel, Reply } from './fake-kernel.js';
import { NetlinkClient } from '../../../../src/os/linux/netlink/client.js';
import { IpvsClient } from '../../../../src/os/linux/netlink/ipvs.js';
import { IpvsUnavailableError, NetlinkKernelError } from '../../../../src/os/linux/netlink/errors.js';
import { AF_INET, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME, CTRL_CMD_NEWFAMILY, GENL_ID_CTRL } from '../../../../src/os/linux/netlink/constants.js';
import * as C from '../../../../src/os/linux/netlink/ipvs-constants.js';
import { decodeGenl, encodeGenl } from '../../../../src/os/linux/netlink/genl-codec.js';
import { attrString, attrU16, AttributeReader } from '../../../../src/os/linux/netlink/attributes.js';
import { decodeServiceAttrs, encodeDestCommand, encodeServiceCommand } from '../../../../src/os/linux/netlink/ipvs-codec.js';
import { encodeSetConfig } from '../../../../src/os/linux/netlink/ipvs-misc-codec.js';
import { bytesToIpOfFamily } from '../../../../src/os/linux/netlink/ip-address.js';
import { IpvsDest, IpvsService } from '../../../../src/os/linux/netlink/ipvs-types.js';
import { NetlinkMessage } from '../../../../src/os/linux/netlink/message.js';

const IPVS_ID = 0x24;
const ENOENT = 2, ESRCH = 3, EEXIST = 17, EINVAL = 22;

class FakeIpvs {
  readonly services = new Map<string, { svc: IpvsService; dests: Map<string, IpvsDest> }>();
  timeouts = { tcpSec: 900, tcpFinSec: 120, udpSec: 300 };
  constructor(readonly present: boolean) {}

  handle = (m: NetlinkMessage): { errno: number; extack?: string } | Reply[] => {
    if (m.type === GENL_ID_CTRL) return this.family(m);
    if (m.type !== IPVS_ID) return { errno: EINVAL };
    const g = decodeGenl(m.payload);
    const svcAttrs = g.attrs.nested(C.IPVS_CMD_ATTR_SERVICE);
    switch (g.cmd) {
      case C.IPVS_CMD_NEW_SERVICE: return this.newService(svcAttrs);
      case C.IPVS_CMD_SET_SERVICE: return this.withService(svcAttrs, (e) => { e.svc = this.fullService(svcAttrs!); });
      case C.IPVS_CMD_DEL_SERVICE: return this.withService(svcAttrs, () => { this.services.delete(this.key(svcAttrs!)); });
      case C.IPVS_CMD_GET_SERVICE: return [...this.services.values()].map((e) => reply(encodeServiceCommand(C.IPVS_CMD_NEW_SERVICE, e.svc)));
      case C.IPVS_CMD_NEW_DEST: return this.dest(svcAttrs, g.attrs, 'new');
      case C.IPVS_CMD_SET_DEST: return this.dest(svcAttrs, g.attrs, 'set');
      case C.IPVS_CMD_DEL_DEST: return this.dest(svcAttrs, g.attrs, 'del');
      case C.IPVS_CMD_GET_DEST: {
        const e = svcAttrs && this.services.get(this.key(svcAttrs));
        if (!e) return { errno: EINVAL };
        return [...e.dests.values()].map((d) => reply(encodeDestCommand(C.IPVS_CMD_NEW_DEST, e.svc, d)));
      }
      case C.IPVS_CMD_FLUSH: this.services.clear(); return [];
      case C.IPVS_CMD_SET_CONFIG: {
        const t = (a: number, old: number): number => g.attrs.u32(a) || old;
        this.timeouts = { tcpSec: t(4, this.timeouts.tcpSec), tcpFinSec: t(5, this.timeouts.tcpFinSec), udpSec: t(6, this.timeouts.udpSec) };
        return [];
      }
      case C.IPVS_CMD_GET_CONFIG: return [{ type: IPVS_ID, payload: encodeSetConfig(this.timeouts) }];
      default: return { errno: EINVAL };
    }
  };

  private family(m: NetlinkMessage): { errno: number } | Reply[] {
    const name = decodeGenl(m.payload).attrs.string(CTRL_ATTR_FAMILY_NAME);
    if (name !== 'IPVS' || !this.present) return { errno: ENOENT };
    return [{ type: GENL_ID_CTRL, payload: encodeGenl(CTRL_CMD_NEWFAMILY, 2, [attrU16(CTRL_ATTR_FAMILY_ID, IPVS_ID), attrString(CTRL_ATTR_FAMILY_NAME, 'IPVS')]) }];
  }

  private key(r: AttributeReader): string {
    const fam = r.u16(C.IPVS_SVC_ATTR_AF) ?? 0;
    const fw = r.u32(C.IPVS_SVC_ATTR_FWMARK);
    if (fw) return `${fam}/fwm/${fw}`;
    return `${fam}/${r.u16(C.IPVS_SVC_ATTR_PROTOCOL)}/${bytesToIpOfFamily(r.bytes(C.IPVS_SVC_ATTR_ADDR)!, fam)}/${r.be16(C.IPVS_SVC_ATTR_PORT)}`;
  }

  /** The kernel's full-entry check: scheduler, flags, timeout and netmask are required. */
  private fullService(r: AttributeReader): IpvsService {
    for (const a of [C.IPVS_SVC_ATTR_SCHED_NAME, C.IPVS_SVC_ATTR_FLAGS, C.IPVS_SVC_ATTR_TIMEOUT, C.IPVS_SVC_ATTR_NETMASK]) {
      if (!r.has(a)) throw Object.assign(new Error('incomplete'), { errno: EINVAL });
    }
    return decodeServiceAttrs(r);
  }

  private newService(r: AttributeReader | undefined): { errno: number } | Reply[] {
    if (!r) return { errno: EINVAL };
    if (this.services.has(this.key(r))) return { errno: EEXIST };
    this.services.set(this.key(r), { svc: this.fullService(r), dests: new Map() });
    return [];
  }

  private withService(r: AttributeReader | undefined, f: (e: { svc: IpvsService; dests: Map<string, IpvsDest> }) => void): { errno: number } | Reply[] {
    const e = r && this.services.get(this.key(r));
    if (!e) return { errno: ESRCH };
    f(e);
    return [];
  }

  private dest(svc: AttributeReader | undefined, top: AttributeReader, op: 'new' | 'set' | 'del'): { errno: number } | Reply[] {
    const d = top.nested(C.IPVS_CMD_ATTR_DEST);
    const e = svc && this.services.get(this.key(svc));
    if (!e) return { errno: ESRCH };
    if (!d) return { errno: EINVAL };
    const fam = d.u16(C.IPVS_DEST_ATTR_ADDR_FAMILY) ?? AF_INET;
    const k = `${bytesToIpOfFamily(d.bytes(C.IPVS_DEST_ATTR_ADDR)!, fam)}:${d.be16(C.IPVS_DEST_ATTR_PORT)}`;
    if (op === 'del') return e.dests.delete(k) ? [] : { errno: ENOENT };
    if (op === 'new' && e.dests.has(k)) return { errno: EEXIST };
    if (op === 'set' && !e.dests.has(k)) return { errno: ENOENT };
    for (const a of [C.IPVS_DEST_ATTR_FWD_METHOD, C.IPVS_DEST_ATTR_WEIGHT, C.IPVS_DEST_ATTR_U_THRESH, C.IPVS_DEST_ATTR_L_THRESH]) {
      if (!d.has(a)) return { errno: EINVAL };
    }
    const fwd = (['masq', 'local', 'tunnel', 'route', 'bypass'] as const)[d.u32(C.IPVS_DEST_ATTR_FWD_METHOD) ?? 0] ?? 'masq';
    const [address = '', port = '0'] = k.split(/:(?=\d+$)/);
    e.dests.set(k, { address, port: Number(port), family: fam === AF_INET ? AF_INET : 10, forwarding: fwd, weight: d.u32(C.IPVS_DEST_ATTR_WEIGHT) ?? 0, upperThreshold: d.u32(C.IPVS_DEST_ATTR_U_THRESH) ?? 0, lowerThreshold: d.u32(C.IPVS_DEST_ATTR_L_THRESH) ?? 0 });
    return [];
  }
}

function reply(payload: Buffer): Reply {
  return { type: IPVS_ID, payload };
}

const web: IpvsService = { family: AF_INET, protocol: 'tcp', address: '192.0.2.100', port: 80, scheduler: 'wrr', flags: 0, timeoutSec: 0, netmaskPrefixLength: 32 };
const rs1: IpvsDest = { address: '198.51.100.11', port: 80, forwarding: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0 };

async function open(present = true): Promise<{ ipvs: IpvsClient; fake: FakeIpvs }> {
  const fake = new FakeIpvs(present);
  const ipvs = await IpvsClient.open(new NetlinkClient(new FakeNetlinkKernel(fake.handle)));
  return { ipvs, fake };
}

test('a kernel without IPVS is reported as IpvsUnavailableError (IPVS_UNAVAILABLE)', async () => {
  await assert.rejects(open(false), (e: unknown) => e instanceof IpvsUnavailableError && e.code === 'IPVS_UNAVAILABLE');
});

test('add, list, edit and delete a service and its destinations', async () => {
  const { ipvs, fake } = await open();
  assert.equal(ipvs.familyId, IPVS_ID);
  await ipvs.addService(web);
  await ipvs.addDest(web, rs1);
  await ipvs.addDest(web, { ...rs1, address: '198.51.100.12', weight: 3 });
  assert.deepEqual((await ipvs.listServices()).map((s) => 'address' in s && `${s.address}:${s.port} ${s.scheduler}`), ['192.0.2.100:80 wrr']);
  await ipvs.editDest(web, { ...rs1, weight: 0 });
  const dests = await ipvs.listDests(web);
  assert.deepEqual(dests.map((d) => `${d.address}:${d.port} w${d.weight}`), ['198.51.100.11:80 w0', '198.51.100.12:80 w3']);
  await ipvs.editService({ ...web, scheduler: 'lc' });
  assert.equal(fake.services.get(`${AF_INET}/6/192.0.2.100/80`)?.svc.scheduler, 'lc');
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
