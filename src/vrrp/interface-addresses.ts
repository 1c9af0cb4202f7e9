/**
 * The IPv4 addresses of the instances' interfaces, followed from the host's address events
 * (AddressPresencePort, the same feed ha_suspend uses). keepalived 2.2.7, measured: an instance
 * that takes its advert source from its interface (no mcast_src_ip / unicast_src_ip) enters FAULT
 * when the interface loses its last IPv4 address ("Deassigned address A from interface IF") and
 * leaves it when one comes back ("Assigned address A for interface IF", then BACKUP and the usual
 * election). `track_src_ip` changed nothing in any of these cases. Pure: the kernel side is the port.
 */
import type { AddressChange, AddressPresencePort } from '../check/address-presence.js';
import type { InstanceBinding } from './config-adapter.js';
import type { InterfaceAddressesPort } from './ports.js';

/** The fault key of an instance whose interface has no IPv4 address left. */
export const SOURCE_FAULT = 'source address';

/**
 * Whether the instance has lost its advert source: it takes it from its interface (no configured
 * mcast_src_ip / unicast_src_ip), is IPv4, and the interface has no IPv4 address left besides the
 * instance's own VIPs.
 */
export function sourceLost(binding: InstanceBinding, addresses: readonly string[] | undefined): boolean {
  if (binding.sourceConfigured === true || binding.params.family !== 'ipv4' || addresses === undefined) return false;
  const vips = new Set(binding.vips.map((v) => v.address));
  return !addresses.some((a) => !vips.has(a));
}

const isIpv4 = (address: string): boolean => !address.includes(':');

export class InterfaceAddressTable implements InterfaceAddressesPort {
  /** interface index -> its IPv4 addresses, in the order they came */
  private readonly byIndex = new Map<number, string[]>();
  private readonly watchers = new Map<string, Set<() => void>>();

  constructor(
    private readonly indexOf: (interfaceName: string) => number,
    private readonly log: (line: string) => void,
  ) {}

  /** Opens the feed: the addresses now, then each change. */
  async open(presence: AddressPresencePort): Promise<void> {
    for (const c of await presence.open((change) => this.apply(change))) this.record(c);
  }

  addresses(interfaceName: string): readonly string[] | undefined {
    const index = this.indexOf(interfaceName);
    if (index === 0) return undefined;
    return this.byIndex.get(index) ?? [];
  }

  watch(interfaceName: string, onChange: () => void): () => void {
    const set = this.watchers.get(interfaceName) ?? new Set<() => void>();
    set.add(onChange);
    this.watchers.set(interfaceName, set);
    return () => void set.delete(onChange);
  }

  /** One address event (also used by tests). */
  apply(change: AddressChange): void {
    if (!isIpv4(change.address)) return;
    const before = this.byIndex.get(change.interfaceIndex)?.length ?? 0;
    if (!this.record(change)) return;
    const after = this.byIndex.get(change.interfaceIndex)?.length ?? 0;
    for (const [name, set] of this.watchers) {
      if (set.size === 0 || this.indexOf(name) !== change.interfaceIndex) continue;
      // keepalived's lines, for the interface's first and last IPv4 address
      if (before === 0 && after > 0) this.log(`Assigned address ${change.address} for interface ${name}`);
      if (before > 0 && after === 0) this.log(`Deassigned address ${change.address} from interface ${name}`);
      for (const f of [...set]) f();
    }
  }

  /** Returns whether the table changed. */
  private record(change: AddressChange): boolean {
    if (!isIpv4(change.address)) return false;
    const list = this.byIndex.get(change.interfaceIndex) ?? [];
    const at = list.indexOf(change.address);
    if (change.present === (at >= 0)) return false;
    if (change.present) list.push(change.address);
    else list.splice(at, 1);
    if (list.length === 0) this.byIndex.delete(change.interfaceIndex);
    else this.byIndex.set(change.interfaceIndex, list);
    return true;
  }
}
