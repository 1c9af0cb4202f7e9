/**
 * The IPVS port the IPVS data plane drives, and the pure translation of the desired pool into
 * IPVS services and destinations. The port is shaped like the generic-netlink IpvsClient
 * (src/os/linux/netlink/ipvs.ts), which the daemon passes in; tests pass a stateful fake.
 */
import type { AddressFamily, ForwardingMethod } from '../../config/model/lvs.js';
import type { DesiredDest, DesiredPool, DesiredService } from '../pool-types.js';

/** AF_INET / AF_INET6 as the kernel numbers them. */
export type IpvsFamily = 2 | 10;
export type IpvsPortForwarding = 'masq' | 'local' | 'tunnel' | 'route' | 'bypass';

export type IpvsPortServiceKey =
  | { readonly family: IpvsFamily; readonly protocol: 'tcp' | 'udp' | 'sctp'; readonly address: string; readonly port: number }
  | { readonly family: IpvsFamily; readonly fwmark: number };

export type IpvsPortService = IpvsPortServiceKey & {
  readonly scheduler: string;
  readonly flags: number;
  readonly timeoutSec: number;
  readonly netmaskPrefixLength: number;
};

export interface IpvsPortDest {
  readonly address: string;
  readonly port: number;
  readonly family?: IpvsFamily;
  readonly forwarding: IpvsPortForwarding;
  readonly weight: number;
  readonly upperThreshold: number;
  readonly lowerThreshold: number;
}

export interface IpvsPort {
  addService(svc: IpvsPortService): Promise<void>;
  editService(svc: IpvsPortService): Promise<void>;
  deleteService(key: IpvsPortServiceKey): Promise<void>;
  addDest(key: IpvsPortServiceKey, dest: IpvsPortDest): Promise<void>;
  editDest(key: IpvsPortServiceKey, dest: IpvsPortDest): Promise<void>;
  deleteDest(key: IpvsPortServiceKey, dest: Pick<IpvsPortDest, 'address' | 'port' | 'family'>): Promise<void>;
  setTimeouts(t: { readonly tcpSec: number; readonly tcpFinSec: number; readonly udpSec: number }): Promise<void>;
  flush(): Promise<void>;
}

export const IP_VS_SVC_F_PERSISTENT = 0x0001;
/** IP_VS_SVC_F_SCHED1..3 as keepalived names them per scheduler (sh/mh: fallback, port). */
const SCHED_FLAG_BITS: Readonly<Record<string, number>> = {
  'flag-1': 0x0008, 'flag-2': 0x0010, 'flag-3': 0x0020,
  'sh-fallback': 0x0008, 'sh-port': 0x0010, 'mh-fallback': 0x0008, 'mh-port': 0x0010,
};
/** At most this many services from one address range of a virtual_server_group. */
export const MAX_RANGE_ADDRESSES = 256;

export interface IpvsEntry {
  readonly service: IpvsPortService;
  readonly dests: readonly IpvsPortDest[];
}

export function familyNumber(f: AddressFamily): IpvsFamily {
  return f === 'inet' ? 2 : 10;
}

export function forwardingOf(m: ForwardingMethod): IpvsPortForwarding {
  return m === 'NAT' ? 'masq' : m === 'DR' ? 'route' : 'tunnel';
}

export function serviceKeyText(k: IpvsPortServiceKey): string {
  return 'fwmark' in k ? `fwmark:${k.family}:${k.fwmark}` : `${k.protocol}:${k.address}:${k.port}`;
}

/** Expands every service of the pool into its IPVS services (group ranges address by address). */
export function ipvsEntries(pool: DesiredPool): { entries: IpvsEntry[]; warnings: string[] } {
  const entries: IpvsEntry[] = [];
  const warnings: string[] = [];
  for (const svc of pool.services) {
    for (const key of serviceKeys(svc, warnings)) {
      const service: IpvsPortService = { ...key, ...serviceOptions(svc) };
      entries.push({ service, dests: svc.dests.map((d) => ipvsDest(d, key)) });
    }
  }
  return { entries, warnings };
}

function serviceOptions(svc: DesiredService): Pick<IpvsPortService, 'scheduler' | 'flags' | 'timeoutSec' | 'netmaskPrefixLength'> {
  let flags = svc.persistenceTimeoutS !== undefined ? IP_VS_SVC_F_PERSISTENT : 0;
  for (const f of svc.schedulerFlags) flags |= SCHED_FLAG_BITS[f] ?? 0;
  const v6 = svc.matches[0]?.family === 'inet6';
  return { scheduler: svc.scheduler, flags, timeoutSec: svc.persistenceTimeoutS ?? 0, netmaskPrefixLength: v6 ? 128 : 32 };
}

function serviceKeys(svc: DesiredService, warnings: string[]): IpvsPortServiceKey[] {
  const keys: IpvsPortServiceKey[] = [];
  for (const m of svc.matches) {
    if (m.kind === 'fwmark') {
      keys.push({ family: familyNumber(m.family ?? 'inet'), fwmark: m.fwmark });
      continue;
    }
    const addresses = expandRange(m.first, m.last);
    if (addresses === undefined) {
      warnings.push(`${svc.id}: range ${m.first}-${m.last} too large or not IPv4: only ${m.first} installed`);
    }
    for (const address of addresses ?? [m.first]) {
      keys.push({ family: familyNumber(m.family), protocol: svc.protocol ?? 'tcp', address, port: m.port });
    }
  }
  return keys;
}

function ipvsDest(d: DesiredDest, key: IpvsPortServiceKey): IpvsPortDest {
  const port = d.port > 0 ? d.port : 'port' in key ? key.port : 0;
  return {
    address: d.address, port, family: familyNumber(d.family), forwarding: forwardingOf(d.forwarding), weight: d.weight,
    upperThreshold: d.upperThreshold ?? 0, lowerThreshold: d.lowerThreshold ?? 0,
  };
}

/** IPv4 ranges address by address (bounded); IPv6 ranges other than single addresses: undefined. */
export function expandRange(first: string, last: string): string[] | undefined {
  if (first === last) return [first];
  const a = ipv4ToNumber(first);
  const b = ipv4ToNumber(last);
  if (a === undefined || b === undefined || b < a || b - a + 1 > MAX_RANGE_ADDRESSES) return undefined;
  const out: string[] = [];
  for (let n = a; n <= b; n++) out.push([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'));
  return out;
}

function ipv4ToNumber(a: string): number | undefined {
  const parts = a.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0] ?? 0) * 2 ** 24) + ((parts[1] ?? 0) << 16) + ((parts[2] ?? 0) << 8) + (parts[3] ?? 0);
}
