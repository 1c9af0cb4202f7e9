/** Helpers shared by the lab agents: a VRRP-shaped advert, a packet description, a real clock. */
import type { EchoClock } from '../../../src/os/linux/icmp-echo-client.js';
import type { ReceivedVrrpPacket } from '../../../src/os/linux/vrrp-socket.js';
import { encodeVrrpMessage } from '../../../src/vrrp/packet-codec.js';
import { parseIPv4, parseIPv6 } from '../../../src/proto/inet-address.js';

export const realClock: EchoClock = {
  monotonicMs: () => performance.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A VRRPv3 advertisement with a valid checksum (IPv6: zero, the kernel fills it). */
export function vrrpAdvert(fam: 4 | 6, source: string, vrid: number, priority: number, intervalCs = 100): Uint8Array {
  const addresses = fam === 4 ? ['192.0.2.100'] : ['2001:db8::100'];
  const message = { version: 3 as const, vrid, priority, addresses, maxAdvertIntervalCs: intervalCs, reserved: 0 };
  if (fam === 6) {
    const checksum = { family: 'ipv6' as const, source: parseIPv6(source), destination: parseIPv6('ff02::12') };
    const bytes = encodeVrrpMessage(message, { checksum });
    bytes[6] = 0;
    bytes[7] = 0;
    return bytes;
  }
  const checksum = { family: 'ipv4' as const, source: parseIPv4(source), destination: parseIPv4('224.0.0.18') };
  return encodeVrrpMessage(message, { checksum, form: 'pseudo-header' });
}

export function describePacket(p: ReceivedVrrpPacket): Record<string, unknown> {
  return {
    family: p.family,
    source: p.source,
    destination: p.destination,
    ttl: p.ttl,
    ifindex: p.ifindex,
    version: (p.payload[0] ?? 0) >> 4,
    vrid: p.payload[1],
    priority: p.payload[2],
    bytes: p.payload.length,
    payloadHex: Buffer.from(p.payload).toString('hex'),
  };
}

