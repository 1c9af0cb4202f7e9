/**
 * The send path's cache: an instance sends the same advert every interval, so its bytes are built
 * once per (priority, destination) and reused while the params stay the same object (a reload
 * brings new params). IPv4: only the identification changes between two adverts; it is written
 * into the cached datagram with a fresh header checksum, so the bytes equal what encodeAdvert
 * builds. AH adverts (sequence number, ICV over the identification) are built every time.
 * The returned bytes are valid until the next call (transports copy them).
 */
import { internetChecksum } from '../proto/checksum.js';
import { encodeAdvert, type AdvertBytesOptions } from './advert.js';
import type { VrrpInstanceParams } from './params.js';

export class AdvertCache {
  private params: VrrpInstanceParams | undefined;
  /** By destination, then by priority (0..255). */
  private readonly entries = new Map<string, (Uint8Array | undefined)[]>();

  bytes(params: VrrpInstanceParams, priority: number, options: AdvertBytesOptions): Uint8Array {
    if (params.auth.type === 'AH') return encodeAdvert(params, priority, options);
    if (params !== this.params) {
      this.entries.clear();
      this.params = params;
    }
    let byPriority = this.entries.get(options.destination);
    if (byPriority === undefined) {
      byPriority = [];
      this.entries.set(options.destination, byPriority);
    }
    const cached = byPriority[priority];
    if (cached === undefined) {
      const built = encodeAdvert(params, priority, options);
      byPriority[priority] = built;
      return built;
    }
    if (params.family === 'ipv4') setIpv4Identification(cached, options.identification);
    return cached;
  }
}

/** Writes the identification of an IPv4 datagram and recomputes its header checksum. */
export function setIpv4Identification(datagram: Uint8Array, identification: number): void {
  const id = identification & 0xffff;
  datagram[4] = id >> 8;
  datagram[5] = id & 0xff;
  datagram[10] = 0;
  datagram[11] = 0;
  const checksum = internetChecksum(datagram, 0, ((datagram[0] ?? 0x45) & 0x0f) * 4);
  datagram[10] = checksum >> 8;
  datagram[11] = checksum & 0xff;
}
