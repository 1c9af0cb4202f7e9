/**
 * Byte-exact vectors captured from iproute2 (`strace -e trace=sendmsg -e write=3` on `ip ...` in
 * a scratch namespace, d0 = ifindex 3). Our encoders must produce the same request bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vec } from '../../../support/hex-vector.js';
import {
  AF_INET, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST, RT_SCOPE_LINK, RTM_DELADDR, RTM_NEWADDR, RTM_NEWLINK,
  RTM_NEWROUTE, RTM_NEWRULE,
} from '../../../../src/os/linux/netlink/constants.js';
import { encodeMessage, decodeMessages } from '../../../../src/os/linux/netlink/message.js';
import { decodeAddress, encodeAddress } from '../../../../src/os/linux/netlink/address-codec.js';
import { decodeRoute, encodeRoute } from '../../../../src/os/linux/netlink/route-codec.js';
import { decodeRule, encodeRule } from '../../../../src/os/linux/netlink/rule-codec.js';
import { decodeLink, encodeMacvlanCreate } from '../../../../src/os/linux/netlink/link-codec.js';

const CREATE = NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE;

function request(type: number, flags: number, seq: number, body: Buffer): Buffer {
  return encodeMessage({ type, flags, seq }, body);
}

test('ip addr add 192.0.2.10/24 brd 192.0.2.255 dev d0 label d0:vip scope link', () => {
  const ip = vec(`
    3c000000 1400 0506 ecf3066b 00000000  // nlmsghdr: len 60, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE, seq, pid 0
    02 18 00 fd 03000000                 // ifaddrmsg: AF_INET, /24, flags 0, scope link (253), ifindex 3
    0800 0200 c000020a                   // IFA_LOCAL 192.0.2.10
    0800 0400 c00002ff                   // IFA_BROADCAST 192.0.2.255
    0b00 0300 64303a76697000 00          // IFA_LABEL "d0:vip\\0" + 1 pad
    0800 0100 c000020a                   // IFA_ADDRESS 192.0.2.10 (no peer)`);
  const body = encodeAddress({ index: 3, address: '192.0.2.10', prefixLength: 24, broadcast: '192.0.2.255', label: 'd0:vip', scope: RT_SCOPE_LINK });
  assert.deepEqual(request(RTM_NEWADDR, CREATE, 0x6b06f3ec, body), ip);
  const back = decodeAddress(decodeMessages(ip)[0]!.payload);
  assert.deepEqual(back, {
    family: AF_INET, index: 3, prefixLength: 24, scope: 253, flags: 0, address: '192.0.2.10', broadcast: '192.0.2.255',
    label: 'd0:vip', secondary: false, tentative: false, deprecated: false, permanent: false,
  });
});

test('ip addr add 2001:db8::10/64 dev d0 nodad preferred_lft 0 noprefixroute', () => {
  const ip = vec(`
    5c000000 1400 0506 ecf3066b 00000000       // nlmsghdr: len 92, RTM_NEWADDR, create flags
    0a 40 00 00 03000000                       // ifaddrmsg: AF_INET6, /64, flags in IFA_FLAGS, scope 0, ifindex 3
    1400 0200 20010db8000000000000000000000010 // IFA_LOCAL 2001:db8::10
    0800 0800 02020000                         // IFA_FLAGS NODAD (0x2) | NOPREFIXROUTE (0x200)
    1400 0100 20010db8000000000000000000000010 // IFA_ADDRESS 2001:db8::10
    1400 0600 00000000 ffffffff 00000000 00000000 // IFA_CACHEINFO preferred 0, valid forever, cstamp, tstamp`);
  const body = encodeAddress({ index: 3, address: '2001:db8::10', prefixLength: 64, preferredLifetimeSec: 0, flags: { nodad: true, noPrefixRoute: true } });
  assert.deepEqual(request(RTM_NEWADDR, CREATE, 0x6b06f3ec, body), ip);
  const back = decodeAddress(decodeMessages(ip)[0]!.payload);
  assert.equal(back.address, '2001:db8::10');
  assert.equal(back.flags, 0x202);
  assert.equal(back.preferredLifetimeSec, 0);
  assert.equal(back.validLifetimeSec, 0xffffffff);
  assert.equal(back.peer, undefined);
});

test('ip addr del 192.0.2.10/24 dev d0', () => {
  const ip = vec(`
    28000000 1500 0500 eff3066b 00000000 // nlmsghdr: len 40, RTM_DELADDR, REQUEST|ACK
    02 18 00 00 03000000                 // ifaddrmsg: AF_INET, /24, scope global, ifindex 3
    0800 0200 c000020a                   // IFA_LOCAL
    0800 0100 c000020a                   // IFA_ADDRESS`);
  const body = encodeAddress({ index: 3, address: '192.0.2.10', prefixLength: 24 });
  assert.deepEqual(request(RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, 0x6b06f3ef, body), ip);
});

test('point-to-point peer: IFA_LOCAL is ours, IFA_ADDRESS the peer, and decode reports the peer', () => {
  const body = encodeAddress({ index: 3, address: '192.0.2.1', prefixLength: 32, peer: '192.0.2.2' });
  const a = decodeAddress(body);
  assert.equal(a.address, '192.0.2.1');
  assert.equal(a.peer, '192.0.2.2');
});

test('ip route add 198.51.100.0/24 via 192.0.2.1 dev d0 table 1000 metric 10 proto 18 mtu 1400 advmss 1360', () => {
  const ip = vec(`
    58000000 1800 0506 edf3066b 00000000 // nlmsghdr: len 88, RTM_NEWROUTE, create flags
    02 18 00 00                          // rtmsg: AF_INET, dst_len 24, src_len 0, tos 0
    00 12 00 01                          // table UNSPEC (id > 255 in RTA_TABLE), proto 18 (keepalived), scope universe, unicast
    00000000                             // rtm_flags
    0800 0100 c6336400                   // RTA_DST 198.51.100.0
    0800 0500 c0000201                   // RTA_GATEWAY 192.0.2.1
    0800 0f00 e8030000                   // RTA_TABLE 1000
    0800 0600 0a000000                   // RTA_PRIORITY 10
    0800 0400 03000000                   // RTA_OIF 3
    1400 0800                            // RTA_METRICS (plain container), len 20
    0800 0200 78050000                   //   RTAX_MTU 1400
    0800 0800 50050000                   //   RTAX_ADVMSS 1360`);
  const spec = { dst: '198.51.100.0/24', gateway: '192.0.2.1', oif: 3, table: 1000, metric: 10, protocol: 18, metrics: { mtu: 1400, advmss: 1360 } };
  assert.deepEqual(request(RTM_NEWROUTE, CREATE, 0x6b06f3ed, encodeRoute(spec, false)), ip);
  const r = decodeRoute(decodeMessages(ip)[0]!.payload);
  assert.deepEqual(r, {
    family: AF_INET, dst: '198.51.100.0', dstLength: 24, fromLength: 0, tos: 0, table: 1000, protocol: 18, scope: 0,
    type: 'unicast', flags: 0, gateway: '192.0.2.1', oif: 3, metric: 10, metrics: { mtu: 1400, advmss: 1360 },
  });
});

test('ip route add blackhole 203.0.113.0/24', () => {
  const ip = vec(`
    24000000 1800 0506 edf3066b 00000000 // nlmsghdr: len 36, RTM_NEWROUTE, create flags
    02 18 00 00 fe 03 00 06 00000000     // rtmsg: AF_INET /24, table main, proto boot, scope universe, RTN_BLACKHOLE
    0800 0100 cb007100                   // RTA_DST 203.0.113.0`);
  assert.deepEqual(request(RTM_NEWROUTE, CREATE, 0x6b06f3ed, encodeRoute({ dst: '203.0.113.0/24', type: 'blackhole' }, false)), ip);
});

test('ip route add 198.51.100.128/25 nexthop via 192.0.2.1 weight 2 nexthop via 192.0.2.2 weight 3', () => {
  const ip = vec(`
    48000000 1800 0506 eef3066b 00000000 // nlmsghdr: len 72, RTM_NEWROUTE
    02 19 00 00 fe 03 00 01 00000000     // rtmsg: AF_INET /25, main, boot, universe, unicast
    0800 0100 c6336480                   // RTA_DST 198.51.100.128
    2400 0900                            // RTA_MULTIPATH, len 36
    1000 00 01 00000000                  //   rtnexthop len 16, flags 0, hops 1 (weight 2), ifindex 0
    0800 0500 c0000201                   //     RTA_GATEWAY 192.0.2.1
    1000 00 02 00000000                  //   rtnexthop len 16, hops 2 (weight 3)
    0800 0500 c0000202                   //     RTA_GATEWAY 192.0.2.2`);
  const spec = { dst: '198.51.100.128/25', nexthops: [{ gateway: '192.0.2.1', weight: 2 }, { gateway: '192.0.2.2', weight: 3 }] };
  assert.deepEqual(request(RTM_NEWROUTE, CREATE, 0x6b06f3ee, encodeRoute(spec, false)), ip);
  assert.deepEqual(decodeRoute(decodeMessages(ip)[0]!.payload).nexthops, spec.nexthops);
});

test('route delete defaults: scope nowhere, protocol and type unspec; IPv6 pref and from', () => {
  const del = encodeRoute({ dst: '198.51.100.0/24', table: 100 }, true);
  assert.deepEqual([...del.subarray(0, 8)], [2, 24, 0, 0, 100, 0, 255, 0]);
  const v6 = decodeRoute(encodeRoute({ dst: '2001:db8:1::/48', from: '2001:db8:2::/64', gateway: 'fe80::1', oif: 2, pref: 'high' }, false));
  assert.equal(v6.from, '2001:db8:2::');
  assert.equal(v6.fromLength, 64);
  assert.equal(v6.pref, 'high');
  assert.equal(v6.gateway, 'fe80::1');
});

test('ip rule add from 192.0.2.0/24 to 198.51.100.0/24 table 1000 priority 100 fwmark 0x10/0xff iif d0 uidrange 100-200 sport 1000-2000 dport 80 ipproto 6 tos 0x10', () => {
  const ip = vec(`
    78000000 2000 0506 eef3066b 00000000 // nlmsghdr: len 120, RTM_NEWRULE, create flags
    02 18 18 10                          // fib_rule_hdr: AF_INET, dst_len 24, src_len 24, tos 0x10
    00 00 00 01                          // table UNSPEC (1000 in FRA_TABLE), res1, res2, FR_ACT_TO_TBL
    00000000                             // flags
    0800 0200 c0000200                   // FRA_SRC 192.0.2.0
    0800 0100 c6336400                   // FRA_DST 198.51.100.0
    0800 0f00 e8030000                   // FRA_TABLE 1000
    0800 0600 64000000                   // FRA_PRIORITY 100
    0800 0a00 10000000                   // FRA_FWMARK 0x10
    0800 1000 ff000000                   // FRA_FWMASK 0xff
    0700 0300 643000 00                  // FRA_IIFNAME "d0"
    0c00 1400 64000000 c8000000          // FRA_UID_RANGE 100-200
    0800 1700 e803 d007                  // FRA_SPORT_RANGE 1000-2000
    0800 1800 5000 5000                  // FRA_DPORT_RANGE 80-80
    0500 1600 06 000000                  // FRA_IP_PROTO 6 (tcp) + 3 pad`);
  const spec = {
    family: AF_INET, from: '192.0.2.0/24', to: '198.51.100.0/24', table: 1000, priority: 100, fwmark: 0x10, fwmask: 0xff,
    iif: 'd0', uidRange: { start: 100, end: 200 }, sport: { start: 1000, end: 2000 }, dport: { start: 80, end: 80 }, ipProto: 6, tos: 0x10,
  } as const;
  assert.deepEqual(request(RTM_NEWRULE, CREATE, 0x6b06f3ee, encodeRule(spec, false)), ip);
  const back = decodeRule(decodeMessages(ip)[0]!.payload);
  assert.deepEqual(back, { ...spec, action: 'table', invert: false });
});

test('rule actions: goto, blackhole, not; delete matches any action', () => {
  const g = decodeRule(encodeRule({ family: AF_INET, priority: 10, gotoPriority: 200 }, false));
  assert.equal(g.action, 'goto');
  assert.equal(g.gotoPriority, 200);
  assert.equal(g.table, 0);
  const bh = decodeRule(encodeRule({ family: AF_INET, to: '203.0.113.0/24', action: 'blackhole', invert: true }, false));
  assert.deepEqual([bh.action, bh.invert, bh.to], ['blackhole', true, '203.0.113.0/24']);
  assert.equal(decodeRule(encodeRule({ family: AF_INET, priority: 5 }, true)).action, 'unspec');
});

test('ip link add link d0 name vrrp.51 address 00:00:5e:00:01:33 type macvlan mode private', () => {
  const ip = vec(`
    5c000000 1000 0506 eef3066b 00000000 // nlmsghdr: len 92, RTM_NEWLINK, create flags
    00 00 0000 00000000 00000000 00000000 // ifinfomsg: AF_UNSPEC, type 0, index 0, flags 0, change 0
    0a00 0100 00005e000133 0000          // IFLA_ADDRESS 00:00:5e:00:01:33 (VRRP VMAC of VRID 51)
    0800 0500 03000000                   // IFLA_LINK 3 (parent d0)
    0c00 0300 767272702e353100           // IFLA_IFNAME "vrrp.51"
    1c00 1200                            // IFLA_LINKINFO (plain container), len 28
    0b00 0100 6d6163766c616e 00          //   IFLA_INFO_KIND "macvlan" (no NUL) + 1 pad
    0c00 0200                            //   IFLA_INFO_DATA, len 12
    0800 0100 01000000                   //     IFLA_MACVLAN_MODE private (1)`);
  const body = encodeMacvlanCreate({ name: 'vrrp.51', parentIndex: 3, mode: 'private', mac: '00:00:5e:00:01:33' });
  assert.deepEqual(request(RTM_NEWLINK, CREATE, 0x6b06f3ee, body), ip);
});

test('decodeLink reads flags, name, MAC, MTU, operstate and macvlan mode', () => {
  const body = encodeMacvlanCreate({ name: 'vrrp.51', parentIndex: 3, mode: 'bridge', mac: '00:00:5e:00:01:33', mtu: 1500, up: true });
  const l = decodeLink(body);
  assert.deepEqual([l.name, l.up, l.mac, l.mtu, l.parentIndex, l.kind, l.macvlanMode], ['vrrp.51', true, '00:00:5e:00:01:33', 1500, 3, 'macvlan', 'bridge']);
});
