import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeNetlinkKernel } from '../../../support/fake-netlink-kernel.js';
import { NetlinkClient, TimerPort } from '../../../../src/os/linux/netlink/client.js';
import {
  NetlinkDumpInterruptedError, NetlinkKernelError, NetlinkSocketError, NetlinkTimeoutError,
} from '../../../../src/os/linux/netlink/errors.js';
import {
  AF_INET, NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP_INTR, NLM_F_EXCL, NLM_F_REQUEST, RTM_GETADDR, RTM_GETLINK, RTM_NEWADDR,
  RTM_NEWLINK, RTNLGRP_LINK, IFF_UP, IFF_RUNNING,
} from '../../../../src/os/linux/netlink/constants.js';
import { RtNetlink } from '../../../../src/os/linux/netlink/rtnetlink.js';
import { encodeAddress, decodeAddress } from '../../../../src/os/linux/netlink/address-codec.js';
import { encodeIfInfo } from '../../../../src/os/linux/netlink/link-codec.js';
import { attrString } from '../../../../src/os/linux/netlink/attributes.js';
import { LinkWatcher, RtEvent, watchRtnetlink } from '../../../../src/os/linux/netlink/monitor.js';

function linkPayload(index: number, name: string, flags: number): Buffer {
  return Buffer.concat([encodeIfInfo({ index, flags, deviceType: 1 }), attrString(3, name)]);
}

class ManualTimers implements TimerPort {
  private readonly timers = new Map<number, () => void>();
  private next = 1;
  setTimer(_delayMs: number, cb: () => void): unknown { const id = this.next++; this.timers.set(id, cb); return id; }
  clearTimer(h: unknown): void { this.timers.delete(h as number); }
  fireAll(): void { for (const [id, cb] of [...this.timers]) { this.timers.delete(id); cb(); } }
  get count(): number { return this.timers.size; }
}

test('addAddress sends NEWADDR with CREATE|EXCL|ACK and resolves on the ack; timer is cleared', async () => {
  const timers = new ManualTimers();
  const kernel = new FakeNetlinkKernel(() => []);
  const rt = new RtNetlink(new NetlinkClient(kernel, { timers }));
  await rt.addAddress({ index: 2, address: '192.0.2.100', prefixLength: 32 });
  const m = kernel.sent[0]!;
  assert.equal(m.type, RTM_NEWADDR);
  assert.equal(m.flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
  assert.equal(decodeAddress(m.payload).address, '192.0.2.100');
  assert.equal(timers.count, 0);
  assert.equal(rt.client.pendingCount, 0);
});

test('a kernel error rejects with the errno name and the extack message', async () => {
  const kernel = new FakeNetlinkKernel(() => ({ errno: 17, extack: 'address already assigned' }));
  const rt = new RtNetlink(new NetlinkClient(kernel));
  await assert.rejects(rt.addAddress({ index: 2, address: '192.0.2.100', prefixLength: 32 }), (e: unknown) => {
    assert.ok(e instanceof NetlinkKernelError);
    assert.equal(e.code, 'NETLINK_KERNEL_ERROR');
    assert.equal(e.errnoName, 'EEXIST');
    assert.equal(e.extackMessage, 'address already assigned');
    assert.match(e.message, /add address 192\.0\.2\.100\/32 on ifindex 2: EEXIST \(address already assigned\)/);
    return true;
  });
});

test('dumps collect every multipart message until NLMSG_DONE', async () => {
  const kernel = new FakeNetlinkKernel((m) => m.type === RTM_GETLINK
    ? [{ type: RTM_NEWLINK, payload: linkPayload(1, 'lo', IFF_UP) }, { type: RTM_NEWLINK, payload: linkPayload(2, 'eth0', IFF_UP | IFF_RUNNING) }]
    : [{ type: RTM_NEWADDR, payload: encodeAddress({ index: 2, address: '192.0.2.1', prefixLength: 24 }) }]);
  const rt = new RtNetlink(new NetlinkClient(kernel));
  const links = await rt.listLinks();
  assert.deepEqual(links.map((l) => [l.index, l.name, l.up, l.running]), [[1, 'lo', true, false], [2, 'eth0', true, true]]);
  const addrs = await rt.listAddresses({ family: AF_INET });
  assert.deepEqual(addrs.map((a) => `${a.address}/${a.prefixLength}`), ['192.0.2.1/24']);
  assert.equal(kernel.sent[1]?.type, RTM_GETADDR);
});

test('concurrent requests are matched by sequence number', async () => {
  const kernel = new FakeNetlinkKernel((m) => (decodeAddress(m.payload).index === 3 ? { errno: 19 } : []));
  const rt = new RtNetlink(new NetlinkClient(kernel));
  const results = await Promise.allSettled([
    rt.addAddress({ index: 2, address: '192.0.2.1', prefixLength: 32 }),
    rt.addAddress({ index: 3, address: '192.0.2.2', prefixLength: 32 }),
    rt.addAddress({ index: 2, address: '192.0.2.3', prefixLength: 32 }),
  ]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  const seqs = kernel.sent.map((m) => m.seq);
  assert.equal(new Set(seqs).size, 3);
});

test('an unanswered request times out with a typed error', async () => {
  const timers = new ManualTimers();
  const kernel = new FakeNetlinkKernel(() => []);
  kernel.silent = true;
  const client = new NetlinkClient(kernel, { timers, timeoutMs: 250 });
  const p = client.request(RTM_GETLINK, encodeIfInfo({ index: 1 }));
  timers.fireAll();
  await assert.rejects(p, (e: unknown) => e instanceof NetlinkTimeoutError && e.code === 'NETLINK_TIMEOUT' && e.timeoutMs === 250);
  assert.equal(client.pendingCount, 0);
});

test('an interrupted dump is retried, then reported', async () => {
  let calls = 0;
  const kernel = new FakeNetlinkKernel(() => {
    calls++;
    return [{ type: RTM_NEWLINK, payload: linkPayload(1, 'lo', 0), flags: calls < 2 ? NLM_F_DUMP_INTR : 0 }];
  });
  const rt = new RtNetlink(new NetlinkClient(kernel));
  assert.equal((await rt.listLinks()).length, 1);
  assert.equal(calls, 2);
  const always = new FakeNetlinkKernel(() => [{ type: RTM_NEWLINK, payload: linkPayload(1, 'lo', 0), flags: NLM_F_DUMP_INTR }]);
  await assert.rejects(new RtNetlink(new NetlinkClient(always, { dumpAttempts: 2 })).listLinks(),
    (e: unknown) => e instanceof NetlinkDumpInterruptedError && e.attempts === 2);
});

test('ENOBUFS fails pending requests and asks monitors to resync; close rejects later calls', async () => {
  const kernel = new FakeNetlinkKernel(() => []);
  kernel.silent = true;
  const client = new NetlinkClient(kernel);
  const p = client.request(RTM_GETLINK, encodeIfInfo({ index: 1 }));
  const reasons: string[] = [];
  watchRtnetlink(client, { event: () => undefined, resync: (r) => reasons.push(r.code) });
  kernel.overrun();
  await assert.rejects(p, (e: unknown) => e instanceof NetlinkSocketError && e.errnoName === 'ENOBUFS');
  assert.deepEqual(reasons, ['NETLINK_SOCKET_ERROR']);
  client.close();
  assert.equal(kernel.closed, true);
  await assert.rejects(client.request(RTM_GETLINK, Buffer.alloc(16)), NetlinkSocketError);
});

test('multicast notifications become typed events; LinkWatcher reports up/down/added/removed', () => {
  const kernel = new FakeNetlinkKernel(() => []);
  const client = new NetlinkClient(kernel);
  const events: RtEvent[] = [];
  const resyncs: string[] = [];
  watchRtnetlink(client, { event: (e) => events.push(e), resync: (r) => resyncs.push(r.code) });
  assert.ok(kernel.groups.has(RTNLGRP_LINK));
  const watcher = new LinkWatcher();
  assert.deepEqual(watcher.reset([{ ...decodeLinkOf(2, 'eth0', IFF_UP | IFF_RUNNING) }]).map((c) => c.change), ['added', 'up']);
  kernel.notify(RTM_NEWLINK, linkPayload(2, 'eth0', IFF_UP));
  kernel.notify(RTM_NEWADDR, encodeAddress({ index: 2, address: '192.0.2.7', prefixLength: 32 }));
  kernel.notify(17, linkPayload(2, 'eth0', 0));
  kernel.inject(Buffer.from([1, 2, 3, 4, 5]));
  assert.deepEqual(events.map((e) => `${e.kind}:${e.action}`), ['link:new', 'address:new', 'link:del']);
  assert.deepEqual(events.flatMap((e) => watcher.apply(e)).map((c) => c.change), ['down', 'removed']);
  assert.deepEqual(resyncs, ['NETLINK_MALFORMED']);
});

function decodeLinkOf(index: number, name: string, flags: number) {
  return { family: 0, deviceType: 1, index, flags, change: 0, name, up: (flags & IFF_UP) !== 0, running: (flags & IFF_RUNNING) !== 0, lowerUp: false };
}
