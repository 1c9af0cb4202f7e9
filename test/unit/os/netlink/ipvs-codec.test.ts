/**
 * IPVS vectors derived from include/uapi/linux/ip_vs.h: attribute numbers from the enums,
 * sizes from the types (ports and addresses network order, the rest host order). The whole-message
 * vectors live in test/support/ipvs-vectors.ts (the adapter-chain test uses them too).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vec } from '../../../support/hex-vector.js';
import {
  DEL_DAEMON_BACKUP, FLUSH, NEW_DAEMON_MASTER_ETH0_50, NEW_DEST_DR_198_51_100_10_8080_W5, NEW_SERVICE_TCP_WLC_PERSISTENT_300,
  SET_CONFIG_900_120_300,
} from '../../../support/ipvs-vectors.js';
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
  const expected = NEW_SERVICE_TCP_WLC_PERSISTENT_300;
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
  const expected = NEW_DEST_DR_198_51_100_10_8080_W5;
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
  const expected = NEW_DAEMON_MASTER_ETH0_50;
  const d = { state: 'master', interface: 'eth0', syncId: 50, syncMaxLen: 1500, mcastGroup: '224.0.0.81', mcastPort: 8256, mcastTtl: 1 } as const;
  const got = encodeNewDaemon(d);
  assert.deepEqual(got, expected);
  assert.deepEqual(decodeDaemonMessage(got), d);
  assert.deepEqual(encodeDelDaemon('backup'), DEL_DAEMON_BACKUP);
});

test('IPVS_CMD_SET_CONFIG timeouts and IPVS_CMD_FLUSH', () => {
  const expected = SET_CONFIG_900_120_300;
  const got = encodeSetConfig({ tcpSec: 900, tcpFinSec: 120, udpSec: 300 });
  assert.deepEqual(got, expected);
  assert.deepEqual(decodeConfigMessage(got), { tcpSec: 900, tcpFinSec: 120, udpSec: 300 });
  assert.deepEqual(encodeFlush(), FLUSH);
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
