/**
 * Lab agent driving the Linux socket layer (src/os/linux) from inside a namespace:
 *   vrrp-listen {family, ifname}                  -> {handle}; then events {event:"vrrp", ...}
 *   vrrp-send {family, ifname, source, vrid, priority, hopLimit?, count?}
 *   garp {ifname, vip, mac}    na {ifname, vip, mac}
 *   ping {family, target, timeoutMs}               -> {result: EchoResult}
 *   close {handle}
 * plus the benchmark ops of lowlevel-bench-ops.ts. JSON lines, see agent-protocol.ts.
 */
import { randomInt } from 'node:crypto';
import { VrrpSocket } from '../../../src/os/linux/vrrp-socket.js';
import { L2Announcer } from '../../../src/os/linux/packet-socket.js';
import { IcmpEchoClient } from '../../../src/os/linux/icmp-echo-client.js';
import { emit, family, num, runAgent, str, type Handler } from './agent-protocol.js';
import { describePacket, realClock, vrrpAdvert } from './vrrp-advert.js';
import { benchHandlers } from './lowlevel-bench-ops.js';

const sockets = new Map<number, VrrpSocket>();
let nextHandle = 1;

const handlers: Record<string, Handler> = {
  'vrrp-listen': (r) => {
    const socket = VrrpSocket.open({ family: family(r), interfaceName: str(r, 'ifname', 'eth0') });
    const handle = nextHandle++;
    sockets.set(handle, socket);
    socket.start(
      (p) => emit({ event: 'vrrp', handle, ...describePacket(p) }),
      (e) => emit({ event: 'socket-error', handle, error: e.message }),
    );
    return { handle, ifindex: socket.ifindex };
  },
  'vrrp-send': (r) => {
    const fam = family(r);
    const source = str(r, 'source');
    const socket = VrrpSocket.open({ family: fam, interfaceName: str(r, 'ifname', 'eth0'), sourceAddress: source, unicast: true });
    try {
      const packet = vrrpAdvert(fam, source, num(r, 'vrid', 42), num(r, 'priority', 100));
      let bytes = 0;
      for (let i = 0; i < num(r, 'count', 1); i++) bytes += socket.send(packet, undefined, num(r, 'hopLimit', 255));
      return { bytes };
    } finally {
      socket.close();
    }
  },
  garp: (r) => {
    const l2 = L2Announcer.open(str(r, 'ifname', 'eth0'));
    try {
      l2.sendGratuitousArp(str(r, 'vip'), str(r, 'mac'));
      return {};
    } finally {
      l2.close();
    }
  },
  na: (r) => {
    const l2 = L2Announcer.open(str(r, 'ifname', 'eth0'));
    try {
      l2.sendUnsolicitedNa(str(r, 'vip'), str(r, 'mac'), { router: false });
      return {};
    } finally {
      l2.close();
    }
  },
  ping: async (r) => {
    const client = IcmpEchoClient.open({ family: family(r), clock: realClock, random: () => randomInt(0, 2 ** 32) });
    try {
      return { result: await client.probe(str(r, 'target'), num(r, 'timeoutMs', 1000)) };
    } finally {
      client.close();
    }
  },
  close: (r) => {
    const handle = num(r, 'handle');
    sockets.get(handle)?.close();
    sockets.delete(handle);
    return {};
  },
  ...benchHandlers,
};

runAgent(handlers, () => {
  for (const s of sockets.values()) s.close();
});
