/**
 * struct sockaddr_* and the option structures of the socket layer, as byte buffers for the
 * addon (x86_64/aarch64 layout: family in host order = little endian, ports in network order).
 */
import { AF_INET, AF_INET6, AF_PACKET, AF_UNIX } from './linux-constants.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../../proto/inet-address.js';
import { SocketError } from './socket-error.js';

export const SOCKADDR_IN_LENGTH = 16;
export const SOCKADDR_IN6_LENGTH = 28;
export const SOCKADDR_LL_LENGTH = 20;
export const SOCKADDR_UN_PATH_MAX = 108;

type AddressInput = string | Uint8Array;

function bytesOf(address: AddressInput, length: 4 | 16): Uint8Array {
  if (typeof address === 'string') return length === 4 ? parseIPv4(address) : parseIPv6(address);
  if (address.length !== length) throw new SocketError('EINVAL', 'sockaddr', `address must have ${length} bytes`);
  return address;
}

/** struct sockaddr_in (16 bytes). */
export function sockaddrIn(address: AddressInput, port = 0): Buffer {
  const out = Buffer.alloc(SOCKADDR_IN_LENGTH);
  out.writeUInt16LE(AF_INET, 0);
  out.writeUInt16BE(port, 2);
  out.set(bytesOf(address, 4), 4);
  return out;
}

/** struct sockaddr_in6 (28 bytes); `scopeId` is the interface index for link-local addresses. */
export function sockaddrIn6(address: AddressInput, scopeId = 0, port = 0): Buffer {
  const out = Buffer.alloc(SOCKADDR_IN6_LENGTH);
  out.writeUInt16LE(AF_INET6, 0);
  out.writeUInt16BE(port, 2);
  out.set(bytesOf(address, 16), 8);
  out.writeUInt32LE(scopeId, 24);
  return out;
}

/** struct sockaddr_ll (20 bytes) for sending on an AF_PACKET socket. */
export function sockaddrLl(ifindex: number, ethertype: number, destinationMac?: Uint8Array): Buffer {
  const out = Buffer.alloc(SOCKADDR_LL_LENGTH);
  out.writeUInt16LE(AF_PACKET, 0);
  out.writeUInt16BE(ethertype, 2);
  out.writeInt32LE(ifindex, 4);
  if (destinationMac) {
    out.writeUInt8(destinationMac.length, 11);
    out.set(destinationMac.subarray(0, 8), 12);
  }
  return out;
}

/** struct sockaddr_un for a filesystem path (no abstract names). */
export function sockaddrUn(path: string): Buffer {
  const encoded = Buffer.from(path, 'utf8');
  if (encoded.length === 0 || encoded.length >= SOCKADDR_UN_PATH_MAX || encoded.includes(0)) {
    throw new SocketError('EINVAL', 'sockaddr', `unix socket path too long or invalid: ${path}`);
  }
  const out = Buffer.alloc(2 + encoded.length + 1);
  out.writeUInt16LE(AF_UNIX, 0);
  encoded.copy(out, 2);
  return out;
}

export interface DecodedSockaddr {
  readonly family: number;
  readonly address: string;
  readonly port: number;
  /** IPv6 scope id (interface index) or AF_PACKET ifindex; 0 otherwise. */
  readonly scopeId: number;
}

/** Decodes an AF_INET / AF_INET6 / AF_PACKET sockaddr returned by the kernel. */
export function decodeSockaddr(raw: Uint8Array, length = raw.length): DecodedSockaddr {
  const view = Buffer.from(raw.buffer, raw.byteOffset, Math.min(length, raw.length));
  if (view.length < 2) throw new SocketError('EINVAL', 'sockaddr', 'sockaddr shorter than its family');
  const family = view.readUInt16LE(0);
  if (family === AF_INET && view.length >= 8) {
    return { family, address: formatIPv4(view, 4), port: view.readUInt16BE(2), scopeId: 0 };
  }
  if (family === AF_INET6 && view.length >= 28) {
    return { family, address: formatIPv6(view, 8), port: view.readUInt16BE(2), scopeId: view.readUInt32LE(24) };
  }
  if (family === AF_PACKET && view.length >= 8) {
    return { family, address: '', port: view.readUInt16BE(2), scopeId: view.readInt32LE(4) };
  }
  throw new SocketError('EAFNOSUPPORT', 'sockaddr', `cannot decode sockaddr family ${family} (${view.length} bytes)`);
}

/** struct ip_mreqn (12 bytes): group, local address (any), interface index. */
export function ipMreqn(group: AddressInput, ifindex: number): Buffer {
  const out = Buffer.alloc(12);
  out.set(bytesOf(group, 4), 0);
  out.writeInt32LE(ifindex, 8);
  return out;
}

/** struct ipv6_mreq (20 bytes): group, interface index. */
export function ipv6Mreq(group: AddressInput, ifindex: number): Buffer {
  const out = Buffer.alloc(20);
  out.set(bytesOf(group, 16), 0);
  out.writeUInt32LE(ifindex, 16);
  return out;
}

/** A C int option value. */
export function intOption(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeInt32LE(value, 0);
  return out;
}
