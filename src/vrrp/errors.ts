/** Typed errors of the VRRP engine (programming or configuration errors, never received bytes). */
export type VrrpErrorCode =
  | 'ERR_VRRP_FIELD_RANGE' // a field to encode is outside its wire range
  | 'ERR_VRRP_ADDRESS' // an address is not of the message's family
  | 'ERR_VRRP_CHECKSUM_CONTEXT' // a v3 pseudo-header checksum without the IP addresses
  | 'ERR_VRRP_PARAMS'; // instance parameters break an RFC MUST (e.g. owner priority)

export class VrrpError extends Error {
  override readonly name = 'VrrpError';
  constructor(readonly code: VrrpErrorCode, message: string) {
    super(message);
  }
}
