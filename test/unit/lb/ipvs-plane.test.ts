/** IpvsDataPlane against a stateful fake IPVS kernel behind the IpvsPort (errno-like failures). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpvsDataPlane } from '../../../src/lb/planes/ipvs-plane.js';
import { expandRange, serviceKeyText, type IpvsPort, type IpvsPortDest, type IpvsPortService, type IpvsPortServiceKey } from '../../../src/lb/planes/ipvs-port.js';
import type { DesiredPool, DesiredService } from '../../../src/lb/pool-types.js';

class FakeIpvs implements IpvsPort {
  readonly services = new Map<string, { svc: IpvsPortService; dests: Map<string, IpvsPortDest> }>();
  timeouts = { tcpSec: 900, tcpFinSec: 120, udpSec: 300 };
  failOn: RegExp | undefined;
  calls: string[] = [];
  private gate(op: string): void {
    this.calls.push(op);
    if (this.failOn?.test(op) === true) throw new Error(`EINVAL on ${op}`);
  }
  private entry(k: IpvsPortServiceKey): { svc: IpvsPortService; dests: Map<string, IpvsPortDest> } {
    const e = this.services.get(serviceKeyText(k));
    if (e === undefined) throw new Error('ESRCH: no such service');
    return e;
  }
  async addService(svc: IpvsPortService): Promise<void> {
    this.gate(`add-service ${serviceKeyText(svc)}`);
    if (this.services.has(serviceKeyText(svc))) throw new Error('EEXIST');
    this.services.set(serviceKeyText(svc), { svc, dests: new Map() });
  }
  async editService(svc: IpvsPortService): Promise<void> { this.gate(`edit-service ${serviceKeyText(svc)}`); this.entry(svc).svc = svc; }
  async deleteService(k: IpvsPortServiceKey): Promise<void> { this.gate(`delete-service ${serviceKeyText(k)}`); this.entry(k); this.services.delete(serviceKeyText(k)); }
  async addDest(k: IpvsPortServiceKey, d: IpvsPortDest): Promise<void> {
    this.gate(`add-dest ${d.address}`);
    const e = this.entry(k);
    if (e.dests.has(d.address + d.port)) throw new Error('EEXIST');
    e.dests.set(d.address + d.port, d);
  }
  async editDest(k: IpvsPortServiceKey, d: IpvsPortDest): Promise<void> {
    this.gate(`edit-dest ${d.address}`);
    const e = this.entry(k);
    if (!e.dests.has(d.address + d.port)) throw new Error('ENOENT');
    e.dests.set(d.address + d.port, d);
  }
  async deleteDest(k: IpvsPortServiceKey, d: Pick<IpvsPortDest, 'address' | 'port'>): Promise<void> {
    this.gate(`delete-dest ${d.address}`);
    if (!this.entry(k).dests.delete(d.address + d.port)) throw new Error('ENOENT');
  }
  async setTimeouts(t: { tcpSec: number; tcpFinSec: number; udpSec: number }): Promise<void> { this.gate('timeouts'); this.timeouts = t; }
  async flush(): Promise<void> { this.gate('flush'); this.services.clear(); }
  /** `service: addr:port=weight/fwd ...` for assertions. */
  view(): string[] {
    return [...this.services.entries()].map(([k, e]) => `${k} ${e.svc.scheduler}/${e.svc.flags}/${e.svc.timeoutSec}: ${[...e.dests.values()].map((d) => `${d.address}:${d.port}=${d.weight}/${d.forwarding}`).join(' ')}`).sort();
  }
}

const svc = (weights: number[], over: Partial<DesiredService> = {}): DesiredService => ({
  id: 'vs', protocol: 'tcp', scheduler: 'wrr', schedulerFlags: [], forwarding: 'NAT',
  matches: [{ kind: 'address', family: 'inet', first: '192.0.2.100', last: '192.0.2.100', port: 80 }],
  dests: weights.map((w, i) => ({ id: `rs${i}`, role: 'real' as const, address: `192.0.2.${i + 2}`, family: 'inet' as const, port: 0, weight: w, forwarding: 'NAT' as const })),
  ...over,
});
const pool = (...s: DesiredService[]): DesiredPool => ({ services: s });

test('apply adds services and destinations (port 0 -> service port, NAT -> masq)', async () => {
  const k = new FakeIpvs();
  const plane = new IpvsDataPlane(k);
  const r = await plane.apply(pool(svc([1, 2])));
  assert.ok(r.ok && r.changes === 3);
  assert.deepEqual(k.view(), ['tcp:192.0.2.100:80 wrr/0/0: 192.0.2.2:80=1/masq 192.0.2.3:80=2/masq']);
  assert.deepEqual(plane.describe(), { kind: 'ipvs', summary: 'ipvs (generic netlink, 1 kernel services)', services: 1, destinations: 2 });
});

test('a second apply edits weights, adds and deletes destinations, edits the service; nothing else', async () => {
  const k = new FakeIpvs();
  const plane = new IpvsDataPlane(k);
  await plane.apply(pool(svc([1, 2, 3])));
  k.calls = [];
  const r = await plane.apply(pool(svc([5, 2], { scheduler: 'rr', persistenceTimeoutS: 60 })));
  assert.ok(r.ok);
  assert.deepEqual(k.calls, ['edit-service tcp:192.0.2.100:80', 'edit-dest 192.0.2.2', 'delete-dest 192.0.2.4']);
  assert.deepEqual(k.view(), ['tcp:192.0.2.100:80 rr/1/60: 192.0.2.2:80=5/masq 192.0.2.3:80=2/masq']);
  k.calls = [];
  assert.ok((await plane.apply(pool(svc([5, 2], { scheduler: 'rr', persistenceTimeoutS: 60 })))).ok);
  assert.deepEqual(k.calls, [], 'no change, no call');
});

test('a failing step rolls back the steps done: the previous state is kept', async () => {
  const k = new FakeIpvs();
  const plane = new IpvsDataPlane(k);
  await plane.apply(pool(svc([1, 2])));
  const before = k.view();
  k.failOn = /delete-dest 192\.0\.2\.3/;
  const r = await plane.apply(pool(svc([4]), svc([1], { id: 'vs2', matches: [{ kind: 'fwmark', fwmark: 7 }] })));
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.code === 'IPVS_APPLY_FAILED' && /delete dest 192\.0\.2\.3:80.*EINVAL.*rolled back, previous state kept/.test(r.error), JSON.stringify(r));
  assert.deepEqual(k.view(), before);
  k.failOn = undefined;
  assert.ok((await plane.apply(pool(svc([4])))).ok, 'the plane still knows the kernel state');
  assert.deepEqual(k.view(), ['tcp:192.0.2.100:80 wrr/0/0: 192.0.2.2:80=4/masq']);
});

test('groups expand address ranges service by service, fwmark services have no port; DR -> route', async () => {
  const k = new FakeIpvs();
  const plane = new IpvsDataPlane(k);
  await plane.apply(pool(svc([1], {
    forwarding: 'DR',
    matches: [{ kind: 'address', family: 'inet', first: '192.0.2.100', last: '192.0.2.102', port: 443 }, { kind: 'fwmark', fwmark: 9 }],
    dests: [{ id: 'a', role: 'real', address: '192.0.2.7', family: 'inet', port: 0, weight: 1, forwarding: 'DR' }],
  })));
  assert.deepEqual(k.view(), [
    'fwmark:2:9 wrr/0/0: 192.0.2.7:0=1/route',
    'tcp:192.0.2.100:443 wrr/0/0: 192.0.2.7:443=1/route',
    'tcp:192.0.2.101:443 wrr/0/0: 192.0.2.7:443=1/route',
    'tcp:192.0.2.102:443 wrr/0/0: 192.0.2.7:443=1/route',
  ]);
  assert.equal(expandRange('192.0.2.1', '192.0.3.200'), undefined, 'more than 256 addresses');
});

test('start sets lvs_timeouts and flushes with lvs_flush; removeAll deletes only our services (or flushes ALL)', async () => {
  const k = new FakeIpvs();
  await k.addService({ family: 2, protocol: 'udp', address: '198.51.100.1', port: 53, scheduler: 'rr', flags: 0, timeoutSec: 0, netmaskPrefixLength: 32 });
  const plane = new IpvsDataPlane(k, { timeouts: { tcpSec: 7200, tcpFinSec: 0, udpSec: 60 } });
  assert.ok((await plane.start()).ok);
  assert.equal(k.timeouts.tcpSec, 7200);
  await plane.apply(pool(svc([1])));
  assert.ok((await plane.removeAll()).ok);
  assert.deepEqual(k.view(), ['udp:198.51.100.1:53 rr/0/0: '], 'a foreign service is left alone');
  const flushing = new IpvsDataPlane(k, { flushOnStart: true, flushOnStop: 'ALL' });
  assert.ok((await flushing.start()).ok);
  assert.deepEqual(k.view(), []);
  k.failOn = /flush/;
  const bad = await flushing.removeAll();
  assert.ok(!bad.ok && bad.code === 'IPVS_REMOVE_FAILED');
  assert.match(flushing.describe().lastError ?? '', /EINVAL on flush/);
});
