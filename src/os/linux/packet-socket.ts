/**
 * AF_PACKET sending and the L2 announcer built on it.
 *
 * PacketSocket: a send-only AF_PACKET/SOCK_RAW socket (protocol 0, so the kernel queues nothing
 * to it); frames are complete Ethernet frames sent out of one interface.
 * L2Announcer: gratuitous ARP and unsolicited neighbour advertisements for VIPs, as keepalived
 * sends them (frames from src/proto/arp.ts and src/proto/icmpv6-na.ts). The sender MAC is the
 * interface MAC or a VMAC; the caller knows it (netlink link dump, or interfaceMac() below).
 *
 * Usage:
 *   const l2 = L2Announcer.open('eth0');
 *   l2.sendGratuitousArp('192.0.2.100', mac);             // mac: Uint8Array(6) or "aa:bb:..."
 *   l2.sendUnsolicitedNa('2001:db8::100', mac, { router: false });
 *   l2.close();
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadNative, type NativeAddon } from './native.js';
import { AF_PACKET, ETH_P_ARP, ETH_P_IPV6, SOCK_RAW } from './linux-constants.js';
import { sockaddrLl } from './sockaddr.js';
import { LinuxSocket } from './socket.js';
import { SocketError } from './socket-error.js';
import { parseIPv4, parseIPv6, parseMac } from '../../proto/inet-address.js';
import { encodeGratuitousArp } from '../../proto/arp.js';
import { encodeUnsolicitedNa } from '../../proto/icmpv6-na.js';
import { BROADCAST_MAC } from '../../proto/ethernet.js';

const ALL_NODES_MAC: Uint8Array = Uint8Array.of(0x33, 0x33, 0, 0, 0, 1);

export class PacketSocket {
  private readonly destinations = new Map<number, Buffer>();

  private constructor(private readonly socket: LinuxSocket, readonly ifindex: number) {}

  /** Opens a send-only packet socket for `interfaceName` (ENODEV if it does not exist). */
  static open(interfaceName: string, native: NativeAddon = loadNative()): PacketSocket {
    const ifindex = native.ifNameToIndex(interfaceName);
    if (ifindex === 0) throw new SocketError('ENODEV', 'if_nametoindex', `no such interface: ${interfaceName}`);
    return new PacketSocket(LinuxSocket.open(AF_PACKET, SOCK_RAW, 0, native), ifindex);
  }

  /** Sends one complete Ethernet frame; returns bytes sent. */
  sendFrame(frame: Buffer, etherType: number, destinationMac: Uint8Array): number {
    let address = this.destinations.get(etherType);
    if (!address) {
      address = sockaddrLl(this.ifindex, etherType, destinationMac);
      this.destinations.set(etherType, address);
    } else {
      address.set(destinationMac.subarray(0, 6), 12);
    }
    return this.socket.send(frame, address, null, 0);
  }

  close(): void {
    this.socket.close();
  }

  get closed(): boolean {
    return this.socket.closed;
  }
}

export interface NaOptions {
  /** Sets the Router flag (keepalived: when IPv6 forwarding is enabled on the interface). */
  readonly router: boolean;
}

export class L2Announcer {
  private constructor(private readonly packets: PacketSocket) {}

  static open(interfaceName: string, native?: NativeAddon): L2Announcer {
    return new L2Announcer(PacketSocket.open(interfaceName, native));
  }

  get ifindex(): number {
    return this.packets.ifindex;
  }

  /** One gratuitous ARP (request, sender = target = vip) broadcast from senderMac. */
  sendGratuitousArp(vip: string | Uint8Array, senderMac: string | Uint8Array): void {
    const frame = encodeGratuitousArp(macBytes(senderMac), typeof vip === 'string' ? parseIPv4(vip) : vip);
    this.packets.sendFrame(frame, ETH_P_ARP, BROADCAST_MAC);
  }

  /** One unsolicited NA for vip to ff02::1 (hop limit 255, Override, target link-layer option). */
  sendUnsolicitedNa(vip: string | Uint8Array, senderMac: string | Uint8Array, options: NaOptions): void {
    const frame = encodeUnsolicitedNa({
      sourceMac: macBytes(senderMac),
      target: typeof vip === 'string' ? parseIPv6(vip) : vip,
      router: options.router,
    });
    this.packets.sendFrame(frame, ETH_P_IPV6, ALL_NODES_MAC);
  }

  close(): void {
    this.packets.close();
  }
}

function macBytes(mac: string | Uint8Array): Uint8Array {
  return typeof mac === 'string' ? parseMac(mac) : mac;
}

/** The interface's MAC from /sys/class/net/NAME/address (async; for tools and tests). */
export async function interfaceMac(interfaceName: string): Promise<Uint8Array> {
  return readMac(interfaceName, () => readFile(macPath(interfaceName), 'utf8'));
}

/**
 * The same, read synchronously: a sysfs read costs microseconds, while the asynchronous read
 * goes through libuv's thread pool and, on a loaded machine, delayed the first GARP of a new
 * master by milliseconds (bench:failover).
 */
export function interfaceMacSync(interfaceName: string): Uint8Array {
  macPath(interfaceName);
  try {
    return parseMac(readFileSync(macPath(interfaceName), 'utf8').trim());
  } catch (error) {
    throw macError(error, interfaceName);
  }
}

function macPath(interfaceName: string): string {
  if (!/^[^/\0]{1,15}$/.test(interfaceName) || interfaceName === '.' || interfaceName === '..') {
    throw new SocketError('EINVAL', 'interfaceMac', `invalid interface name: ${interfaceName}`);
  }
  return `/sys/class/net/${interfaceName}/address`;
}

function macError(error: unknown, interfaceName: string): unknown {
  if ((error as { code?: unknown }).code === 'ENOENT') return new SocketError('ENODEV', 'interfaceMac', `no such interface: ${interfaceName}`);
  return error;
}

async function readMac(interfaceName: string, read: () => Promise<string>): Promise<Uint8Array> {
  macPath(interfaceName);
  try {
    return parseMac((await read()).trim());
  } catch (error) {
    throw macError(error, interfaceName);
  }
}
