/**
 * The Internet checksum (RFC 1071) and the IPv6 pseudo-header checksum (RFC 8200 §8.1). Pure and
 * allocation-free: callers pass byte ranges.
 */

/** Adds the 16-bit big-endian words of bytes[start, end) to `sum` (an odd tail is zero-padded). */
export function onesComplementSum(bytes: Uint8Array, start = 0, end = bytes.length, sum = 0): number {
  let total = sum;
  let i = start;
  for (; i + 1 < end; i += 2) total += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  if (i < end) total += (bytes[i] ?? 0) << 8;
  return total;
}

/** Folds a running sum into 16 bits and complements it. */
export function finishChecksum(sum: number): number {
  let folded = sum;
  while (folded > 0xffff) folded = (folded & 0xffff) + Math.floor(folded / 0x10000);
  return ~folded & 0xffff;
}

/** Internet checksum of bytes[start, end). A correct message (checksum included) gives 0. */
export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return finishChecksum(onesComplementSum(bytes, start, end));
}

/**
 * Sum of the IPv6 pseudo-header: source (16), destination (16), upper-layer length (32 bit) and
 * next header (32 bit, zero-padded). Add the upper-layer message and finish with finishChecksum.
 */
export function ipv6PseudoHeaderSum(
  source: Uint8Array,
  destination: Uint8Array,
  upperLayerLength: number,
  nextHeader: number,
): number {
  let sum = onesComplementSum(source, 0, 16);
  sum = onesComplementSum(destination, 0, 16, sum);
  sum += Math.floor(upperLayerLength / 0x10000) + (upperLayerLength & 0xffff);
  return sum + nextHeader;
}

/** Checksum of an upper-layer IPv6 message (ICMPv6, VRRPv3) with its checksum field zeroed or not. */
export function ipv6UpperLayerChecksum(
  source: Uint8Array,
  destination: Uint8Array,
  nextHeader: number,
  message: Uint8Array,
  start = 0,
  end = message.length,
): number {
  const pseudo = ipv6PseudoHeaderSum(source, destination, end - start, nextHeader);
  return finishChecksum(onesComplementSum(message, start, end, pseudo));
}
