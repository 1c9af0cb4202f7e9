/**
 * VrrpSocket: one raw VRRP socket (IP protocol 112) per interface and address family.
 *
 * IPv4: IP_HDRINCL. We build the IP header as keepalived does (TOS 0xC0, TTL 255 or the given
 * TTL, identification from 1 incrementing and skipping 0, no DF); the kernel re-checks the header
 * checksum and fills a 0.0.0.0 source with the interface's primary address. Multicast sends use
 * MSG_DONTROUTE. Received datagrams carry their IP header, so `ttl` comes from the header;
 * IP_PKTINFO gives the ifindex and header destination.
 * IPv6: the kernel builds the header (traffic class 0xC0 via IPV6_TCLASS, hop limit 255 via
 * IPV6_MULTICAST_HOPS/IPV6_UNICAST_HOPS, or per send through an IPV6_HOPLIMIT cmsg) and fills and
 * verifies the VRRPv3 checksum (IPV6_CHECKSUM offset 6, pseudo-header): leave it zero when
 * encoding. IPV6_RECVHOPLIMIT / IPV6_RECVPKTINFO give hop limit, destination and ifindex.
 *
 * Both: SO_BINDTODEVICE, multicast loop off, the group joined on the interface unless `unicast`.
 * Received packets go to `onPacket` as a reused ReceivedVrrpPacket (valid during the call only;
 * copy `payload` to keep it). Nothing is allocated per packet except the payload slices.
 *
 * Usage:
 *   const s = VrrpSocket.open({ family: 6, interfaceName: 'eth0' });
 *   s.start((p) => console.log(p.source, p.destination, p.ttl, p.ifindex, p.payload), console.error);
 *   s.send(advert);                  // to ff02::12 with hop limit 255
 *   s.send(advert, 'ff02::12', 7);   // hop limit 7 for this packet
 *   s.close();
 */
import { loadNative, type NativeAddon } from './native.js';
import * as K from './linux-constants.js';
import { ipMreqn, ipv6Mreq, sockaddrIn, sockaddrIn6 } from './sockaddr.js';
import { encodeControl, findControl, ipv6HopLimitControl, ipv6PktinfoControl, type ControlMessage } from './cmsg.js';
import { LinuxSocket, type SocketErrorHandler } from './socket.js';
import { SocketError } from './socket-error.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../../proto/inet-address.js';
import { internetChecksum } from '../../proto/checksum.js';
import { IPV4_HEADER_LENGTH, nextIpIdentification } from '../../proto/ipv4-header.js';

export const VRRP_MULTICAST_GROUP_V4 = '224.0.0.18';
export const VRRP_MULTICAST_GROUP_V6 = 'ff02::12';
export const VRRP_TOS = 0xc0;
export const VRRP_TTL = 255;
const RECEIVE_BUFFER_BYTES = 8192;
const MAX_PACKETS_PER_WAKEUP = 64;

export interface VrrpSocketOptions {
  readonly family: 4 | 6;
  readonly interfaceName: string;
  /** Group to join and default destination (default 224.0.0.18 / ff02::12). */
  readonly multicastGroup?: string;
  /** Unicast mode: no group membership; pass each peer to send(). */
  readonly unicast?: boolean;
  /** IPv4 primary / IPv6 link-local source; unset lets the kernel choose. */
  readonly sourceAddress?: string;
  /** IP protocol of the socket and of sent headers (default 112). */
  readonly protocol?: number;
  /** SO_RCVBUF in bytes (kernel doubles it). */
  readonly receiveBufferBytes?: number;
  readonly native?: NativeAddon;
}

/** One received VRRP packet. The object and its buffers are reused: read them during the call. */
export class ReceivedVrrpPacket {
  family: 4 | 6 = 4;
  /** The VRRP message (after the IPv4 header; the whole datagram for IPv6). */
  payload: Buffer = Buffer.alloc(0);
  /** IPv4: the whole datagram including its header (for AH); IPv6: same as payload. */
  datagram: Buffer = Buffer.alloc(0);
  /** IPv4 total length field (0 for IPv6): compare with datagram.length. */
  ipTotalLength = 0;
  /** IPv4 TTL from the header, or IPv6 hop limit from IPV6_HOPLIMIT; -1 if unknown. */
  ttl = -1;
  /** Receiving interface index (from the pktinfo cmsg); 0 if unknown. */
  ifindex = 0;
  /** MSG_TRUNC: the datagram was longer than the receive buffer. */
  truncated = false;
  /** @internal raw sockaddr of the source and pktinfo destination */
  constructor(private readonly name: Buffer, private readonly destinationBytes: Buffer) {}

  /** Source address as text (IPv6 link-local without "%scope"; see sourceScopeId). */
  get source(): string {
    return this.family === 4 ? formatIPv4(this.name, 4) : formatIPv6(this.name, 8);
  }

  /** The 4 or 16 source bytes (a view into the reused buffer). */
  get sourceBytes(): Buffer {
    return this.family === 4 ? this.name.subarray(4, 8) : this.name.subarray(8, 24);
  }

  get sourceScopeId(): number {
    return this.family === 6 ? this.name.readUInt32LE(24) : 0;
  }

  /** Destination address of the datagram (group or our unicast address). */
  get destination(): string {
    return this.family === 4 ? formatIPv4(this.destinationBytes, 0) : formatIPv6(this.destinationBytes, 0);
  }
}

export type VrrpPacketHandler = (packet: ReceivedVrrpPacket) => void;

export class VrrpSocket {
  readonly family: 4 | 6;
  readonly ifindex: number;
  readonly group: string;
  private readonly socket: LinuxSocket;
  private readonly protocol: number;
  private sendBuffer = Buffer.alloc(2048);
  /** sendBuffer's first bytes as sent last time (no view allocated per advert). */
  private sendView: Buffer | undefined;
  private readonly destinations = new Map<string, Buffer>();
  private readonly controls = new Map<number, Buffer>();
  private sourceBytes: Uint8Array;
  private identification = 0;
  private readonly receiveBuffer = Buffer.alloc(RECEIVE_BUFFER_BYTES);
  private readonly name = Buffer.alloc(32);
  private readonly control = Buffer.alloc(256);
  private readonly meta = new Int32Array(3);
  private readonly packet: ReceivedVrrpPacket;
  private readonly packetDestination = Buffer.alloc(16);
  private datagramView: Buffer | undefined;
  private payloadView: Buffer | undefined;
  private payloadStart = 0;

  private constructor(socket: LinuxSocket, options: VrrpSocketOptions, ifindex: number) {
    this.socket = socket;
    this.family = options.family;
    this.ifindex = ifindex;
    this.protocol = options.protocol ?? K.IPPROTO_VRRP;
    this.group = options.multicastGroup ?? (options.family === 4 ? VRRP_MULTICAST_GROUP_V4 : VRRP_MULTICAST_GROUP_V6);
    this.sourceBytes = parseSource(options.family, options.sourceAddress);
    this.packet = new ReceivedVrrpPacket(this.name, this.packetDestination);
    this.packet.family = options.family;
  }

  /** Opens and configures the socket; throws SocketError (ENODEV for an unknown interface). */
  static open(options: VrrpSocketOptions): VrrpSocket {
    const native = options.native ?? loadNative();
    const ifindex = native.ifNameToIndex(options.interfaceName);
    if (ifindex === 0) throw new SocketError('ENODEV', 'if_nametoindex', `no such interface: ${options.interfaceName}`);
    const domain = options.family === 4 ? K.AF_INET : K.AF_INET6;
    const socket = LinuxSocket.open(domain, K.SOCK_RAW, options.protocol ?? K.IPPROTO_VRRP, native);
    try {
      const vrrp = new VrrpSocket(socket, options, ifindex);
      vrrp.configure(options);
      return vrrp;
    } catch (error) {
      socket.close();
      throw error;
    }
  }

  private configure(options: VrrpSocketOptions): void {
    const s = this.socket;
    s.bindToDevice(options.interfaceName);
    if (options.receiveBufferBytes !== undefined) s.setIntOption(K.SOL_SOCKET, K.SO_RCVBUF, options.receiveBufferBytes);
    if (this.family === 4) {
      s.setIntOption(K.IPPROTO_IP, K.IP_HDRINCL, 1);
      s.setIntOption(K.IPPROTO_IP, K.IP_PKTINFO, 1);
      s.setIntOption(K.IPPROTO_IP, K.IP_MULTICAST_TTL, VRRP_TTL);
      s.setIntOption(K.IPPROTO_IP, K.IP_MULTICAST_LOOP, 0);
      s.setOption(K.IPPROTO_IP, K.IP_MULTICAST_IF, ipMreqn('0.0.0.0', this.ifindex));
    } else {
      s.setIntOption(K.IPPROTO_IPV6, K.IPV6_CHECKSUM, 6);
      s.setIntOption(K.IPPROTO_IPV6, K.IPV6_RECVPKTINFO, 1);
      s.setIntOption(K.IPPROTO_IPV6, K.IPV6_RECVHOPLIMIT, 1);
      s.setIntOption(K.IPPROTO_IPV6, K.IPV6_MULTICAST_HOPS, VRRP_TTL);
      s.setIntOption(K.IPPROTO_IPV6, K.IPV6_UNICAST_HOPS, VRRP_TTL);
      s.setIntOption(K.IPPROTO_IPV6, K.IPV6_MULTICAST_LOOP, 0);
      s.setIntOption(K.IPPROTO_IPV6, K.IPV6_MULTICAST_IF, this.ifindex);
      s.setIntOption(K.IPPROTO_IPV6, K.IPV6_TCLASS, VRRP_TOS);
    }
    if (options.unicast !== true) this.joinGroup(this.group);
  }

  joinGroup(group: string): void {
    if (this.family === 4) this.socket.setOption(K.IPPROTO_IP, K.IP_ADD_MEMBERSHIP, ipMreqn(group, this.ifindex));
    else this.socket.setOption(K.IPPROTO_IPV6, K.IPV6_JOIN_GROUP, ipv6Mreq(group, this.ifindex));
  }

  leaveGroup(group: string): void {
    if (this.family === 4) this.socket.setOption(K.IPPROTO_IP, K.IP_DROP_MEMBERSHIP, ipMreqn(group, this.ifindex));
    else this.socket.setOption(K.IPPROTO_IPV6, K.IPV6_LEAVE_GROUP, ipv6Mreq(group, this.ifindex));
  }

  /** Changes the source address of later sends (undefined: the kernel chooses). */
  setSourceAddress(address: string | undefined): void {
    this.sourceBytes = parseSource(this.family, address);
    this.controls.clear();
  }

  /**
   * Sends one VRRP message to `destination` (default: the group) with TTL / hop limit `ttl`
   * (default 255). Returns bytes sent (IPv4: header included). Throws SocketError.
   */
  send(payload: Uint8Array, destination: string = this.group, ttl: number = VRRP_TTL): number {
    const address = this.destinationAddress(destination);
    if (this.family === 6) {
      return this.socket.send(asBuffer(payload), address, this.sendControl(ttl), 0);
    }
    const total = IPV4_HEADER_LENGTH + payload.length;
    if (this.sendBuffer.length < total) {
      this.sendBuffer = Buffer.alloc(total);
      this.sendView = undefined;
    }
    this.identification = nextIpIdentification(this.identification);
    writeVrrpIpv4Header(this.sendBuffer, total, this.identification, ttl, this.protocol, this.sourceBytes, address);
    this.sendBuffer.set(payload, IPV4_HEADER_LENGTH);
    const multicast = ((address[4] ?? 0) & 0xf0) === 0xe0;
    if (this.sendView?.length !== total) this.sendView = this.sendBuffer.subarray(0, total);
    return this.socket.send(this.sendView, address, null, multicast ? K.MSG_DONTROUTE : 0);
  }

  /** Starts delivering received packets; errors (also thrown by onPacket) go to onError. */
  start(onPacket: VrrpPacketHandler, onError: SocketErrorHandler): void {
    this.socket.startReading(() => this.drain(onPacket, onError), onError);
  }

  stop(): void {
    this.socket.stopReading();
  }

  close(): void {
    this.socket.close();
  }

  get closed(): boolean {
    return this.socket.closed;
  }

  private drain(onPacket: VrrpPacketHandler, onError: SocketErrorHandler): void {
    for (let i = 0; i < MAX_PACKETS_PER_WAKEUP && !this.socket.closed; i++) {
      const bytes = this.socket.receiveInto(this.receiveBuffer, this.name, this.control, this.meta, 0);
      if (bytes < 0) return;
      if (!this.fillPacket(bytes)) continue;
      try {
        onPacket(this.packet);
      } catch (error) {
        onError(error instanceof SocketError ? error : new SocketError('EIO', 'onPacket', String(error)));
      }
    }
  }

  private fillPacket(bytes: number): boolean {
    const p = this.packet;
    const controlLength = this.meta[1] ?? 0;
    p.truncated = ((this.meta[2] ?? 0) & K.MSG_TRUNC) !== 0;
    const received = Math.min(bytes, this.receiveBuffer.length);
    // views of the reused buffer, made again only when the length changes (not per packet)
    if (this.datagramView?.length !== received) this.datagramView = this.receiveBuffer.subarray(0, received);
    p.datagram = this.datagramView;
    if (this.family === 4) return this.fillIpv4(p, received, controlLength);
    p.payload = p.datagram;
    p.ipTotalLength = 0;
    const hop = findControl(this.control, controlLength, K.IPPROTO_IPV6, K.IPV6_HOPLIMIT);
    p.ttl = hop < 0 ? -1 : this.control.readInt32LE(hop);
    const info = findControl(this.control, controlLength, K.IPPROTO_IPV6, K.IPV6_PKTINFO);
    p.ifindex = info < 0 ? 0 : this.control.readUInt32LE(info + 16);
    if (info >= 0) this.control.copy(this.packetDestination, 0, info, info + 16);
    else this.packetDestination.fill(0);
    return true;
  }

  private fillIpv4(p: ReceivedVrrpPacket, received: number, controlLength: number): boolean {
    const buffer = this.receiveBuffer;
    if (received < IPV4_HEADER_LENGTH) return false;
    const headerLength = ((buffer[0] ?? 0) & 0x0f) * 4;
    if (headerLength < IPV4_HEADER_LENGTH || headerLength > received) return false;
    if (this.payloadView === undefined || this.payloadStart !== headerLength || this.payloadView.length !== received - headerLength) {
      this.payloadView = buffer.subarray(headerLength, received);
      this.payloadStart = headerLength;
    }
    p.payload = this.payloadView;
    p.ipTotalLength = buffer.readUInt16BE(2);
    p.ttl = buffer[8] ?? -1;
    const destination = this.packetDestination;
    destination[0] = buffer[16] ?? 0;
    destination[1] = buffer[17] ?? 0;
    destination[2] = buffer[18] ?? 0;
    destination[3] = buffer[19] ?? 0;
    const info = findControl(this.control, controlLength, K.IPPROTO_IP, K.IP_PKTINFO);
    p.ifindex = info < 0 ? 0 : this.control.readInt32LE(info);
    return true;
  }

  private destinationAddress(destination: string): Buffer {
    let address = this.destinations.get(destination);
    if (!address) {
      address = this.family === 4 ? sockaddrIn(destination) : sockaddrIn6(destination, this.ifindex);
      this.destinations.set(destination, address);
    }
    return address;
  }

  private sendControl(hopLimit: number): Buffer {
    let control = this.controls.get(hopLimit);
    if (!control) {
      const messages: ControlMessage[] = [ipv6HopLimitControl(hopLimit)];
      if (this.sourceBytes.some((b) => b !== 0)) messages.push(ipv6PktinfoControl(this.sourceBytes, this.ifindex));
      control = encodeControl(messages);
      this.controls.set(hopLimit, control);
    }
    return control;
  }
}

/**
 * The header writeIpv4Header writes for a VRRP datagram (TOS 0xC0, no DF, no options), written
 * field by field: this runs for every advert. `address` is the destination sockaddr_in.
 */
export function writeVrrpIpv4Header(out: Buffer, total: number, identification: number, ttl: number, protocol: number, source: Uint8Array, address: Buffer): void {
  out[0] = 0x45;
  out[1] = VRRP_TOS;
  out[2] = total >> 8;
  out[3] = total & 0xff;
  out[4] = identification >> 8;
  out[5] = identification & 0xff;
  out[6] = 0;
  out[7] = 0;
  out[8] = ttl;
  out[9] = protocol;
  out[10] = 0;
  out[11] = 0;
  for (let i = 0; i < 4; i++) {
    out[12 + i] = source[i] ?? 0;
    out[16 + i] = address[4 + i] ?? 0;
  }
  const checksum = internetChecksum(out, 0, IPV4_HEADER_LENGTH);
  out[10] = checksum >> 8;
  out[11] = checksum & 0xff;
}

function parseSource(family: 4 | 6, address: string | undefined): Uint8Array {
  if (address === undefined) return new Uint8Array(family === 4 ? 4 : 16);
  return family === 4 ? parseIPv4(address) : parseIPv6(address);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

