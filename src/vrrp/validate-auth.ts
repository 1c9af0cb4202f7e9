/**
 * VRRPv2 authentication checks (RFC 2338 types kept by keepalived): the auth type must be known
 * (0 none, 1 PASS, 2 AH) and equal ours; PASS compares all 8 data bytes; AH verifies the ICV of
 * the whole datagram (the AH header's presence was checked earlier). The AH sequence number is
 * not checked for replay (that needs per-peer state: the driver's job).
 */
import { verifyAhIcv } from './packet-ah.js';
import { passAuthData, type VrrpRawHeader } from './packet-codec.js';
import { AUTH_TYPE_AH, AUTH_TYPE_NONE, AUTH_TYPE_PASS, reject, VRRP_V2_AUTH_DATA_LENGTH, type Decoded } from './packet-types.js';
import type { VrrpAuth, VrrpInstanceParams } from './params.js';

export function authTypeCode(auth: VrrpAuth): number {
  if (auth.type === 'PASS') return AUTH_TYPE_PASS;
  if (auth.type === 'AH') return AUTH_TYPE_AH;
  return AUTH_TYPE_NONE;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** What checkV2Auth needs of the received packet. */
export interface AuthInput {
  readonly vrrp: Uint8Array;
  readonly datagram?: Uint8Array;
}

/** Checks the v2 auth type and the PASS data or the AH ICV. */
export function checkV2Auth(packet: AuthInput, header: VrrpRawHeader, params: VrrpInstanceParams): Decoded<true> {
  const { vrrp } = packet;
  const received = header.byte4;
  if (received !== AUTH_TYPE_NONE && received !== AUTH_TYPE_PASS && received !== AUTH_TYPE_AH) {
    return reject('invalid_authtype', `auth type ${received}`);
  }
  const ours = authTypeCode(params.auth);
  if (received !== ours) return reject('authtype_mismatch', `auth type ${received}, ours ${ours}`);
  if (params.auth.type === 'PASS') {
    const data = vrrp.subarray(vrrp.length - VRRP_V2_AUTH_DATA_LENGTH);
    if (!sameBytes(data, passAuthData(params.auth.password))) return reject('auth_failure', 'PASS data differs');
  }
  if (params.auth.type === 'AH') {
    const unicast = params.unicastPeers.length > 0;
    if (packet.datagram === undefined) return reject('auth_failure', 'AH: no datagram to verify');
    if (!verifyAhIcv(packet.datagram, params.auth.password, unicast)) return reject('auth_failure', 'AH ICV differs');
  }
  return { ok: true, value: true };
}
