/**
 * The IPv4 addresses of the instances' interfaces, followed from the host's address events
 * (AddressPresencePort, the same feed ha_suspend uses). keepalived 2.2.7, measured: an instance
 * that takes its advert source from its interface (no mcast_src_ip / unicast_src_ip) enters FAULT
 * when the interface loses its last IPv4 address ("Deassigned address A from interface IF") and
 * leaves it when one comes back ("Assigned address A for interface IF", then BACKUP and the usual
 * election). While another IPv4 address remains, the source deleted moves silently to the last one
 * of the interface's remaining addresses (kernel order, the instance's VIPs left out) and stays
 * there when the original comes back; after a FAULT it is the address that came back. A configured
 * source never moves. `track_src_ip` changed nothing in any of these cases. Pure: the kernel side
 * is the port.
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

/**
 * The advert source the instance moves to when its current one has left the interface (keepalived
 * 2.2.7, measured): the last remaining IPv4 address in the kernel's order that is not one of the
 * instance's VIPs. undefined: keep the current one (still present, configured, IPv6, no other
 * address, or the interface unknown).
 */
export function nextSource(binding: InstanceBinding, addresses: readonly string[] | undefined): string | undefined {
  if (binding.sourceConfigured === true || binding.params.family !== 'ipv4' || addresses === undefined) return undefined;
  if (addresses.includes(binding.params.primaryAddress)) return undefined;
  const vips = new Set(binding.vips.map((v) => v.address));
  return addresses.filter((a) => !vips.has(a)).at(-1);
}

const isIpv4 = (address: string): boolean => !address.includes(':');

interface Watcher {
  readonly onChange: () => void;
  readonly own: readonly string[];
}

export class InterfaceAddressTable implements InterfaceAddressesPort {
  /** interface index -> its IPv4 addresses, in the order they came */
  private readonly byIndex = new Map<number, string[]>();
  /**
   * interface index -> the address keepalived names in its lines ("the interface's address"): the
   * first at start; when it goes, the last remaining one that is not a watcher's VIP (silently),
   * or none ("Deassigned address A"); the first one added while there is none ("Assigned ...").
   */
  private readonly currentByIndex = new Map<number, string>();
  private readonly watchers = new Map<string, Set<Watcher>>();

  constructor(
    private readonly indexOf: (interfaceName: string) => number,
    private readonly log: (line: string) => void,
  ) {}

  /** Opens the feed: the addresses now, then each change. */
  async open(presence: AddressPresencePort): Promise<void> {
    for (const c of await presence.open((change) => this.apply(change))) this.record(c);
    for (const [index, list] of this.byIndex) if (list[0] !== undefined) this.currentByIndex.set(index, list[0]);
  }

  addresses(interfaceName: string): readonly string[] | undefined {
    const index = this.indexOf(interfaceName);
    if (index === 0) return undefined;
    return this.byIndex.get(index) ?? [];
  }

  watch(interfaceName: string, onChange: () => void, own: readonly string[] = []): () => void {
    const set = this.watchers.get(interfaceName) ?? new Set<Watcher>();
    const watcher = { onChange, own };
    set.add(watcher);
    this.watchers.set(interfaceName, set);
    return () => void set.delete(watcher);
  }

  /** The interface's address as keepalived names it (its advert source without mcast_src_ip), if any. */
  current(interfaceName: string): string | undefined {
    const index = this.indexOf(interfaceName);
    return index === 0 ? undefined : this.currentByIndex.get(index);
  }

  /** One address event (also used by tests). */
  apply(change: AddressChange): void {
    if (!isIpv4(change.address)) return;
    if (!this.record(change)) return;
    const index = change.interfaceIndex;
    const watching = [...this.watchers].filter(([name, set]) => set.size > 0 && this.indexOf(name) === index);
    const own = new Set(watching.flatMap(([, set]) => [...set].flatMap((w) => w.own)));
    const current = this.currentByIndex.get(index);
    const list = this.byIndex.get(index) ?? [];
    // keepalived's lines, when the interface's address goes with no other left, or comes back
    let line: ((name: string) => string) | undefined;
    if (current === undefined && change.present && !own.has(change.address)) {
      this.currentByIndex.set(index, change.address);
      line = (name) => `Assigned address ${change.address} for interface ${name}`;
    } else if (current !== undefined && !list.includes(current)) {
      const next = list.filter((a) => !own.has(a)).at(-1);
      if (next !== undefined) this.currentByIndex.set(index, next);
      else {
        this.currentByIndex.delete(index);
        line = (name) => `Deassigned address ${current} from interface ${name}`;
      }
    }
    for (const [name, set] of watching) {
      if (line !== undefined) this.log(line(name));
      for (const w of [...set]) w.onChange();
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
