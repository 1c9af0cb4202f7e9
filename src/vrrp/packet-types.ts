/**
 * VRRP wire types shared by the codec (packet-*.ts) and the receive validation (validate*.ts).
 * RFC 3768 (v2) and RFC 5798 / RFC 9568 (v3). Pure data: no socket, clock or config here.
 */

export const VRRP_PROTOCOL = 112;
export const AH_PROTOCOL = 51;
export const VRRP_TYPE_ADVERTISEMENT = 1;
export const VRRP_HEADER_LENGTH = 8;
export const VRRP_V2_AUTH_DATA_LENGTH = 8;
/** keepalived sends adverts with TOS 0xC0 (network control) and TTL / hop limit 255. */
export const VRRP_IP_TOS = 0xc0;
export const VRRP_TTL = 255;
export const VRRP_IPV4_GROUP = '224.0.0.18';
export const VRRP_IPV6_GROUP = 'ff02::12';
/** v3 Max Adver Int is a 12-bit field of centiseconds. */
export const VRRP_V3_MAX_INTERVAL_CS = 4095;

export type VrrpVersion = 2 | 3;
export type VrrpFamily = 'ipv4' | 'ipv6';

/** v2 Auth Type values (RFC 2338; RFC 3768 keeps only 0). */
export const AUTH_TYPE_NONE = 0;
export const AUTH_TYPE_PASS = 1;
export const AUTH_TYPE_AH = 2;

/**
 * Why a received packet was dropped. Names follow keepalived's statistics counters where one
 * exists; the others are ours and say what failed.
 */
export const VRRP_REJECT_REASONS = [
  'packet_len_err', // shorter/longer than header + addresses (+ auth data)
  'ip_ttl_err', // TTL / hop limit not 255 (multicast) or outside the peer's min/max TTL
  'ip_header_err', // (ours) IPv4 header malformed: version, IHL, header checksum, protocol
  'invalid_type_rcvd', // VRRP type is not 1
  'version_mismatch', // VRRP version is not the configured one (or neither 2 nor 3)
  'checksum_err', // VRRP checksum wrong
  'invalid_authtype', // v2 auth type other than 0, 1, 2
  'authtype_mismatch', // v2 auth type differs from ours, or AH header presence differs
  'auth_failure', // v2 PASS data differs
  'advert_interval_err', // v2 interval differs from ours; v3 interval 0 (RFC 9568)
  'addr_list_err', // unicast/multicast mismatch; v3 count 0; address list differs from ours
  'unknown_vrid', // (ours) VRID is not this instance's (keepalived ignores silently)
  'not_listening', // (ours) the instance is in INIT, FAULT or STOP: adverts are ignored
  'owner_ignore_adverts', // (ours) we own the addresses and are configured to ignore adverts
  'unicast_src_err', // (ours) check_unicast_src: source is not a configured peer
] as const;

export type VrrpRejectReason = (typeof VRRP_REJECT_REASONS)[number];

export type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: VrrpRejectReason; readonly detail?: string };

export function reject(reason: VrrpRejectReason, detail?: string): { readonly ok: false; readonly reason: VrrpRejectReason; readonly detail?: string } {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
}

/** Fields common to both versions. Addresses are text ("192.0.2.1", "fe80::1"). */
interface VrrpMessageBase {
  readonly vrid: number;
  readonly priority: number;
  readonly addresses: readonly string[];
}

export interface VrrpV2Message extends VrrpMessageBase {
  readonly version: 2;
  readonly authType: number;
  readonly advertIntervalS: number;
  /** The 8 authentication data bytes (PASS: password NUL padded; otherwise zeros). */
  readonly authData: Uint8Array;
}

export interface VrrpV3Message extends VrrpMessageBase {
  readonly version: 3;
  readonly maxAdvertIntervalCs: number;
  /** The 4 reserved bits: zero on send, ignored (but reported) on receive. */
  readonly reserved: number;
}

export type VrrpMessage = VrrpV2Message | VrrpV3Message;

/**
 * How the v3 checksum over IPv4 is computed. `pseudo-header` is keepalived's and FRR's default
 * (RFC 5798 as read by Wireshark); `message-only` is `v3_checksum_as_v2`, RFC 9568, Cisco and
 * Juniper. On receive, `either` accepts both forms.
 */
export type V3Ipv4ChecksumForm = 'pseudo-header' | 'message-only';
export type V3Ipv4ChecksumAccept = V3Ipv4ChecksumForm | 'either';

/** The IP addresses around a VRRP message, needed for the v3 pseudo-header checksums. */
export interface ChecksumContext {
  readonly family: VrrpFamily;
  /** Source and destination addresses as they appear in the IP header (4 or 16 bytes). */
  readonly source: Uint8Array;
  readonly destination: Uint8Array;
}

/** Which v3 IPv4 checksum form a decoded packet carried (undefined for v2 and IPv6). */
export type ChecksumFormSeen = V3Ipv4ChecksumForm | 'v2' | 'ipv6';
