/**
 * Names of virtual and real servers as keepalived prints them in its messages:
 * `[192.0.2.1]:tcp:80`, `[2001:db8::1]:udp:53`, `FWM 3`, `[groupname]:N`.
 */
import type { AddressFamily, LvsProtocol } from '../../model/lvs.js';

export type ProtocolName = LvsProtocol | 'none';

export function formatEndpoint(address: string, protocol: ProtocolName, port: number): string {
  return `[${address}]:${protocol}:${port}`;
}

export interface VsNameParts {
  readonly kind: 'address' | 'fwmark' | 'group';
  readonly address?: string;
  readonly port?: number;
  readonly fwmark?: number;
  readonly group?: string;
  /** For group services: the index of this service among those naming the same group. */
  readonly groupIndex?: number;
  readonly family?: AddressFamily;
}

export function formatVirtualServer(vs: VsNameParts, protocol: ProtocolName): string {
  if (vs.kind === 'fwmark') return `FWM ${vs.fwmark ?? 0}`;
  if (vs.kind === 'group') return `[${vs.group ?? ''}]:${vs.groupIndex ?? 0}`;
  return formatEndpoint(vs.address ?? '', protocol, vs.port ?? 0);
}
