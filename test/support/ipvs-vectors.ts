/**
 * IPVS generic-netlink payloads derived from include/uapi/linux/ip_vs.h (attribute numbers from
 * the enums, sizes from the types; ports and addresses network order, the rest host order).
 * Shared by the codec test (test/unit/os/netlink/ipvs-codec.test.ts) and the adapter-chain test
 * against the fake kernel (test/unit/lb/ipvs-chain.test.ts), which checks that the bytes the
 * IPVS data plane makes the kernel receive are these.
 */
import { vec } from './hex-vector.js';

/** NEW_SERVICE TCP 192.0.2.100:80 wlc persistent 300 (netmask /32). */
export const NEW_SERVICE_TCP_WLC_PERSISTENT_300 = vec(`
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

/** NEW_DEST 198.51.100.10:8080 direct routing weight 5 (u_thresh 1000) on TCP 192.0.2.100:80. */
export const NEW_DEST_DR_198_51_100_10_8080_W5 = vec(`
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

/** NEW_DAEMON master on eth0, sync id 50, maxlen 1500, group 224.0.0.81 port 8256 ttl 1. */
export const NEW_DAEMON_MASTER_ETH0_50 = vec(`
  09 01 0000                  // genlmsghdr: cmd NEW_DAEMON (9), version 1
  4000 0300                   // IPVS_CMD_ATTR_DAEMON, len 64
  0800 0100 01000000          //   DAEMON_ATTR_STATE u32 MASTER
  0900 0200 6574683000 000000 //   DAEMON_ATTR_MCAST_IFN "eth0\\0" + 3 pad
  0800 0300 32000000          //   DAEMON_ATTR_SYNC_ID u32 50
  0600 0400 dc05 0000         //   DAEMON_ATTR_SYNC_MAXLEN u16 1500
  0800 0500 e0000051          //   DAEMON_ATTR_MCAST_GROUP 224.0.0.81
  0600 0700 2040 0000         //   DAEMON_ATTR_MCAST_PORT be16 8256
  0500 0800 01 000000         //   DAEMON_ATTR_MCAST_TTL u8 1`);

/** DEL_DAEMON backup. */
export const DEL_DAEMON_BACKUP = vec('0a 01 0000  0c00 0300  0800 0100 02000000');

/** SET_CONFIG tcp 900, tcpfin 120, udp 300. */
export const SET_CONFIG_900_120_300 = vec(`
  0c 01 0000          // genlmsghdr: cmd SET_CONFIG (12), version 1
  0800 0400 84030000  // CMD_ATTR_TIMEOUT_TCP 900
  0800 0500 78000000  // CMD_ATTR_TIMEOUT_TCP_FIN 120
  0800 0600 2c010000  // CMD_ATTR_TIMEOUT_UDP 300`);

/** FLUSH. */
export const FLUSH = vec('11 01 0000 // cmd FLUSH (17), version 1');
