/** Ethernet II header (14 bytes): destination MAC, source MAC, EtherType. Pure. */
export const ETHERNET_HEADER_LENGTH = 14;
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
export const BROADCAST_MAC: Uint8Array = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

export interface EthernetHeader {
  readonly destination: Uint8Array;
  readonly source: Uint8Array;
  readonly etherType: number;
}

/** Writes the header at out[offset]; returns 14. */
export function writeEthernetHeader(out: Uint8Array, offset: number, header: EthernetHeader): number {
  out.set(header.destination.subarray(0, 6), offset);
  out.set(header.source.subarray(0, 6), offset + 6);
  out[offset + 12] = (header.etherType >> 8) & 0xff;
  out[offset + 13] = header.etherType & 0xff;
  return ETHERNET_HEADER_LENGTH;
}

export function decodeEthernetHeader(bytes: Uint8Array, offset = 0): EthernetHeader | undefined {
  if (bytes.length - offset < ETHERNET_HEADER_LENGTH) return undefined;
  return {
    destination: bytes.slice(offset, offset + 6),
    source: bytes.slice(offset + 6, offset + 12),
    etherType: ((bytes[offset + 12] ?? 0) << 8) | (bytes[offset + 13] ?? 0),
  };
}
