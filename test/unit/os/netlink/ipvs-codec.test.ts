/**
 * IPVS vectors derived from include/uapi/linux/ip_vs.h: attribute numbers from the enums,
 * sizes from the types (ports and addresses network order, the rest host order).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vec } from './hex.js';
import { AF_INET, AF_INET6 } from '../../../../src/os/linux/netlink/constants.js';
import {
  IP_VS_SVC_F_PERSISTENT, IPVS_CMD_DEL_DEST, IPVS_CMD_DEL_SERVICE, IPVS_CMD_NEW_DEST, IPVS_CMD_NEW_SERVICE,
} from '../../../../src/os/linux/netlink/ipvs-constants.js';
import {
  decodeDestMessage, decodeServiceMessage, encodeDestCommand, encodeServiceCommand,
} from '../../../../src/os/linux/netlink/ipvs-codec.js';
import {
  decodeConfigMessage, decodeDaemonMessage, encodeDelDaemon, encodeFlush, encodeNewDaemon, encodeSetConfig,
} from '../../../../src/os/linux/netlink/ipvs-misc-codec.js';
import { IpvsService } from '../../../../src/os/linux/netlink/ipvs-types.js';

const tcpService: IpvsService = {
  family: AF_INET, protocol: 'tcp', address: '192.0.2.100', port: 80,
  scheduler: 'wlc', flags: IP_VS_SVC_F_PERSISTENT, timeoutSec: 300, netmaskPrefixLength: 32,
};

test('IPVS_CMD_NEW_SERVICE TCP 192.0.2.100:80 wlc persistent 300', () => {
  const expected = vec(`
    01 01 0000                               // genlmsghdr: cmd NEW_SERVICE (1), version 1
    5400 0100                                // IPVS_CMD_ATTR_SERVICE (plain container), len 84
    0600 0100 0200 0000                      //   SVC_ATTR_AF u16 AF_INET
    0600 0200 0600 0000                      //   SVC_ATTR_PROTOCOL u16 6 (tcp)
    1400 0300 c0000264 000000000000000000000000 // SVC_ATTR_ADDR union nf_inet_addr (16 bytes)
    0600 0400 0050 0000                      //   SVC_ATTR_PORT be16 80
    0800 0600 776c6300                       //   SVC_ATTR_SCHED_NAME "wlc\\0"
    0c00 0700 01000000 ffffffff              //   SVC_ATTR_FLAGS ip_vs_flags { flags PERSISTENT, mask ~0 }
    0800 0800 2c010000                       //   SVC_ATTR_TIMEOUT u32 300
    0800 0900 ffffffff                       //   SVC_ATTR_NETMASK be32 255.255.255.255`);
  const got = encodeServiceCommand(IPVS_CMD_NEW_SERVICE, tcpService);
  assert.deepEqual(got, expected);
  assert.deepEqual(decodeServiceMessage(got), tcpService);
});

test('IPVS_CMD_DEL_SERVICE by fwmark carries only af + fwmark', () => {
  const expected = vec(`
    03 01 0000              // genlmsghdr: cmd DEL_SERVICE (3), version 1
    1400 0100               // IPVS_CMD_ATTR_SERVICE, len 20
    0600 0100 0a00 0000     //   SVC_ATTR_AF AF_INET6
    0800 0500 2a000000      //   SVC_ATTR_FWMARK u32 42`);
  assert.deepEqual(encodeServiceCommand(IPVS_CMD_DEL_SERVICE, { family: AF_INET6, fwmark: 42 }), expected);
});

test('IPv6 persistence netmask is a host-order prefix length; IPv4 a be32 mask', () => {
  const v6 = encodeServiceCommand(IPVS_CMD_NEW_SERVICE, { family: AF_INET6, fwmark: 7, scheduler: 'rr', flags: 0, timeoutSec: 0, netmaskPrefixLength: 64 });
  assert.deepEqual(v6.subarray(v6.length - 4), vec('40000000'));
  assert.equal(decodeServiceMessage(v6).netmaskPrefixLength, 64);
  const v4 = encodeServiceCommand(IPVS_CMD_NEW_SERVICE, { ...tcpService, netmaskPrefixLength: 24 });
  assert.deepEqual(v4.subarray(v4.length - 4), vec('ffffff00'));
  assert.equal(decodeServiceMessage(v4).netmaskPrefixLength, 24);
});

test('IPVS_CMD_NEW_DEST 198.51.100.10:8080 direct routing weight 5 on TCP 192.0.2.100:80', () => {
  const expected = vec(`
    05 01 0000                               // genlmsghdr: cmd NEW_DEST (5), version 1
    3000 0100                                // IPVS_CMD_ATTR_SERVICE (key only), len 48
    0600 0100 0200 0000                      //   SVC_ATTR_AF AF_INET
    0600 0200 0600 0000                      //   SVC_ATTR_PROTOCOL tcp
    1400 0300 c0000264 000000000000000000000000 // SVC_ATTR_ADDR
    0600 0400 0050 0000                      //   SVC_ATTR_PORT 80
    4800 0200                                // IPVS_CMD_ATTR_DEST, len 72
    1400 0100 c633640a 000000000000000000000000 // DEST_ATTR_ADDR 198.51.100.10
    0600 0200 1f90 0000                      //   DEST_ATTR_PORT be16 8080
    0600 0b00 0200 0000                      //   DEST_ATTR_ADDR_FAMILY u16 AF_INET
    0800 0300 03000000                       //   DEST_ATTR_FWD_METHOD u32 DROUTE (3)
    0800 0400 05000000                       //   DEST_ATTR_WEIGHT 5
    0800 0500 e8030000                       //   DEST_ATTR_U_THRESH 1000
    0800 0600 00000000                       //   DEST_ATTR_L_THRESH 0`);
  const dest = { address: '198.51.100.10', port: 8080, forwarding: 'route', weight: 5, upperThreshold: 1000, lowerThreshold: 0 } as const;
  const got = encodeDestCommand(IPVS_CMD_NEW_DEST, tcpService, dest);
  assert.deepEqual(got, expected);
  const back = decodeDestMessage(got, AF_INET);
  assert.deepEqual(back, { ...dest, family: AF_INET, activeConns: 0, inactiveConns: 0, persistConns: 0 });
});

test('IPVS_CMD_DEL_DEST carries only the destination address, port and family', () => {
  const got = encodeDestCommand(IPVS_CMD_DEL_DEST, { family: AF_INET, fwmark: 1 }, { address: '198.51.100.10', port: 0 });
  assert.deepEqual(got.subarray(got.length - 40), vec(`
    2800 0200                                // IPVS_CMD_ATTR_DEST, len 40
    1400 0100 c633640a 000000000000000000000000 // DEST_ATTR_ADDR
    0600 0200 0000 0000                      //   DEST_ATTR_PORT 0
    0600 0b00 0200 0000                      //   DEST_ATTR_ADDR_FAMILY`));
});

test('tunnel destination: GUE type, port, flags round-trip', () => {
  const dest = { address: '2001:db8::10', port: 80, family: AF_INET6, forwarding: 'tunnel', weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnelType: 'gue', tunnelPort: 6080, tunnelFlags: 1 } as const;
  const back = decodeDestMessage(encodeDestCommand(IPVS_CMD_NEW_DEST, { family: AF_INET6, fwmark: 3 }, dest), AF_INET6);
  assert.deepEqual(back, { ...dest, activeConns: 0, inactiveConns: 0, persistConns: 0 });
});

test('IPVS_CMD_NEW_DAEMON master on eth0 sync id 50 with group and port', () => {
  const expected = vec(`
    09 01 0000                  // genlmsghdr: cmd NEW_DAEMON (9), version 1
    4000 0300                   // IPVS_CMD_ATTR_DAEMON, len 64
    0800 0100 01000000          //   DAEMON_ATTR_STATE u32 MASTER
    0900 0200 6574683000 000000 //   DAEMON_ATTR_MCAST_IFN "eth0\\0" + 3 pad
    0800 0300 32000000          //   DAEMON_ATTR_SYNC_ID u32 50
    0600 0400 dc05 0000         //   DAEMON_ATTR_SYNC_MAXLEN u16 1500
    0800 0500 e0000051          //   DAEMON_ATTR_MCAST_GROUP 224.0.0.81
    0600 0700 2040 0000         //   DAEMON_ATTR_MCAST_PORT be16 8256
    0500 0800 01 000000         //   DAEMON_ATTR_MCAST_TTL u8 1`);
  const d = { state: 'master', interface: 'eth0', syncId: 50, syncMaxLen: 1500, mcastGroup: '224.0.0.81', mcastPort: 8256, mcastTtl: 1 } as const;
  const got = encodeNewDaemon(d);
  assert.deepEqual(got, expected);
  assert.deepEqual(decodeDaemonMessage(got), d);
  assert.deepEqual(encodeDelDaemon('backup'), vec('0a 01 0000  0c00 0300  0800 0100 02000000'));
});

test('IPVS_CMD_SET_CONFIG timeouts and IPVS_CMD_FLUSH', () => {
  const expected = vec(`
    0c 01 0000          // genlmsghdr: cmd SET_CONFIG (12), version 1
    0800 0400 84030000  // CMD_ATTR_TIMEOUT_TCP 900
    0800 0500 78000000  // CMD_ATTR_TIMEOUT_TCP_FIN 120
    0800 0600 2c010000  // CMD_ATTR_TIMEOUT_UDP 300`);
  const got = encodeSetConfig({ tcpSec: 900, tcpFinSec: 120, udpSec: 300 });
  assert.deepEqual(got, expected);
  assert.deepEqual(decodeConfigMessage(got), { tcpSec: 900, tcpFinSec: 120, udpSec: 300 });
  assert.deepEqual(encodeFlush(), vec('11 01 0000 // cmd FLUSH (17), version 1'));
});

test('service stats: STATS64 preferred, STATS (u32 counters, u64 bytes) as fallback', () => {
  const stats = vec(`
    0800 0100 07000000          // STATS_ATTR_CONNS u32 7
    0c00 0400 0001000000000000  // STATS_ATTR_INBYTES u64 256`);
  const svcAttrs = encodeServiceCommand(IPVS_CMD_NEW_SERVICE, tcpService).subarray(8);
  const withStats = Buffer.concat([vec('01 01 0000'), lengthFix(Buffer.concat([svcAttrs, vec('1800 0a00'), stats]))]);
  const s = decodeServiceMessage(withStats).stats;
  assert.equal(s?.conns, 7n);
  assert.equal(s?.inBytes, 256n);
  assert.equal(s?.outBytes, 0n);
});

/** Wraps attributes in an IPVS_CMD_ATTR_SERVICE container. */
function lengthFix(children: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16LE(children.length + 4, 0);
  h.writeUInt16LE(1, 2);
  return Buffer.concat([h, children]);
}
