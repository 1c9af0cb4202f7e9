/**
 * VRRP checksums (RFC 3768 §5.3.8, RFC 5798 / RFC 9568 §5.2.8, keepalived-behaviour §5.5):
 * - v2: Internet checksum of the whole VRRP message (auth data included), no pseudo-header;
 * - v3 over IPv4: with the IPv4 pseudo-header {src, dst, 0, 112, VRRP length} (keepalived's and
 *   FRR's default) or message-only (`v3_checksum_as_v2`, RFC 9568, Cisco/Juniper);
 * - v3 over IPv6: with the RFC 8200 §8.1 pseudo-header (the kernel fills it on send).
 */
import { finishChecksum, ipv6PseudoHeaderSum, onesComplementSum } from '../proto/checksum.js';
import { VRRP_PROTOCOL, type ChecksumContext, type ChecksumFormSeen, type V3Ipv4ChecksumAccept, type V3Ipv4ChecksumForm, type VrrpVersion } from './packet-types.js';

/** Offset of the 16-bit checksum field inside a VRRP message. */
export const VRRP_CHECKSUM_OFFSET = 6;

/** One's-complement sum of the IPv4 pseudo-header: src, dst, zero byte, protocol, length. */
export function ipv4PseudoHeaderSum(source: Uint8Array, destination: Uint8Array, length: number): number {
  let sum = onesComplementSum(source, 0, 4);
  sum = onesComplementSum(destination, 0, 4, sum);
  return sum + VRRP_PROTOCOL + (length & 0xffff);
}

/** The pseudo-header sum a form needs (0 for message-only forms). */
function pseudoSum(version: VrrpVersion, form: V3Ipv4ChecksumForm, ctx: ChecksumContext | undefined, length: number): number {
  if (version === 2 || ctx === undefined) return 0;
  if (ctx.family === 'ipv6') return ipv6PseudoHeaderSum(ctx.source, ctx.destination, length, VRRP_PROTOCOL);
  return form === 'pseudo-header' ? ipv4PseudoHeaderSum(ctx.source, ctx.destination, length) : 0;
}

/**
 * The checksum to write into `message` (its checksum field is treated as zero). v3 needs `ctx`
 * for the pseudo-header forms; v2 ignores it.
 */
export function computeVrrpChecksum(
  message: Uint8Array,
  version: VrrpVersion,
  form: V3Ipv4ChecksumForm,
  ctx: ChecksumContext | undefined,
): number {
  let sum = pseudoSum(version, form, ctx, message.length);
  sum = onesComplementSum(message, 0, VRRP_CHECKSUM_OFFSET, sum);
  sum = onesComplementSum(message, VRRP_CHECKSUM_OFFSET + 2, message.length, sum);
  return finishChecksum(sum);
}

/** True when the message (checksum field included) sums to zero in the given form. */
function sumsToZero(message: Uint8Array, version: VrrpVersion, form: V3Ipv4ChecksumForm, ctx: ChecksumContext | undefined): boolean {
  const sum = onesComplementSum(message, 0, message.length, pseudoSum(version, form, ctx, message.length));
  return finishChecksum(sum) === 0;
}

/**
 * Verifies a received message's checksum; returns the form that matched, or undefined. For v3
 * over IPv4, `accept` says which forms are acceptable (`either` tries the pseudo-header first).
 */
export function verifyVrrpChecksum(
  message: Uint8Array,
  version: VrrpVersion,
  ctx: ChecksumContext | undefined,
  accept: V3Ipv4ChecksumAccept,
): ChecksumFormSeen | undefined {
  if (version === 2) return sumsToZero(message, 2, 'message-only', undefined) ? 'v2' : undefined;
  if (ctx === undefined) return undefined;
  if (ctx.family === 'ipv6') return sumsToZero(message, 3, 'pseudo-header', ctx) ? 'ipv6' : undefined;
  const forms: readonly V3Ipv4ChecksumForm[] = accept === 'either' ? ['pseudo-header', 'message-only'] : [accept];
  return forms.find((form) => sumsToZero(message, 3, form, ctx));
}
