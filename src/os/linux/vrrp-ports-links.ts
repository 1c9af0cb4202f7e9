/**
 * Link state for the VRRP driver (LinkEventsPort) over an rtnetlink monitor socket, and the
 * interface addresses the config adapter needs (IPv4 primary, IPv6 link-local).
 */
import type { LinkEventsPort, LinkState } from '../../vrrp/ports.js';
import type { VrrpFamily } from '../../vrrp/packet-types.js';
import { NetlinkClient } from './netlink/client.js';
import { AF_INET, AF_INET6 } from './netlink/constants.js';
import { linkIsUp, LinkWatcher, watchRtnetlink, type LinkChange } from './netlink/monitor.js';
import { RtNetlink } from './netlink/rtnetlink.js';

export class LinuxLinkEvents implements LinkEventsPort {
  private readonly watcher = new LinkWatcher();
  private readonly indexByName = new Map<string, number>();
  private readonly handlers = new Map<string, Set<(state: LinkState) => void>>();
  private unsubscribe: (() => void) | undefined;
  private resyncing = false;

  private constructor(private readonly client: NetlinkClient, private readonly onError: (message: string) => void) {}

  /** Subscribes to link events and seeds the view from a dump. */
  static async open(onError: (message: string) => void): Promise<LinuxLinkEvents> {
    const events = new LinuxLinkEvents(NetlinkClient.openRoute(), onError);
    events.unsubscribe = watchRtnetlink(events.client, {
      event: (e) => events.report(events.watcher.apply(e)),
      resync: () => void events.resync(),
    });
    await events.resync();
    return events;
  }

  state(interfaceName: string): LinkState | undefined {
    const index = this.indexByName.get(interfaceName);
    const link = index === undefined ? undefined : this.watcher.get(index);
    if (link === undefined) return undefined;
    return linkIsUp(link) ? 'up' : 'down';
  }

  watch(interfaceName: string, handler: (state: LinkState) => void): () => void {
    const set = this.handlers.get(interfaceName) ?? new Set();
    set.add(handler);
    this.handlers.set(interfaceName, set);
    return () => void set.delete(handler);
  }

  close(): void {
    this.unsubscribe?.();
    this.client.close();
  }

  private async resync(): Promise<void> {
    if (this.resyncing) return;
    this.resyncing = true;
    try {
      const links = await new RtNetlink(this.client).listLinks();
      this.report(this.watcher.reset(links));
    } catch (e) {
      this.onError(`link dump failed: ${(e as Error).message}`);
    } finally {
      this.resyncing = false;
    }
  }

  private report(changes: readonly LinkChange[]): void {
    for (const { change, link } of changes) {
      if (change === 'added' || change === 'up' || change === 'down') this.indexByName.set(link.name, link.index);
      const state: LinkState | undefined = change === 'up' ? 'up' : change === 'down' || change === 'removed' ? 'down' : undefined;
      if (state === undefined) continue;
      for (const h of [...(this.handlers.get(link.name) ?? [])]) h(state);
    }
  }
}

/** Interface name -> its IPv4 primary address and IPv6 link-local address, read once. */
export type InterfaceAddresses = ReadonlyMap<string, { readonly ipv4?: string; readonly ipv6LinkLocal?: string }>;

export async function readInterfaceAddresses(rt: RtNetlink): Promise<InterfaceAddresses> {
  // one dump at a time per netlink socket (a second concurrent dump fails with EBUSY)
  const links = await rt.listLinks();
  const addresses = await rt.listAddresses();
  const nameByIndex = new Map(links.map((l) => [l.index, l.name]));
  const out = new Map<string, { ipv4?: string; ipv6LinkLocal?: string }>();
  for (const a of addresses) {
    const name = nameByIndex.get(a.index);
    if (name === undefined) continue;
    const entry = out.get(name) ?? {};
    if (a.family === AF_INET && !a.secondary && entry.ipv4 === undefined) entry.ipv4 = a.address;
    if (a.family === AF_INET6 && a.address.toLowerCase().startsWith('fe80:') && entry.ipv6LinkLocal === undefined) entry.ipv6LinkLocal = a.address;
    out.set(name, entry);
  }
  return out;
}

export function primaryAddressLookup(table: InterfaceAddresses): (interfaceName: string, family: VrrpFamily) => string | undefined {
  return (interfaceName, family) => {
    const entry = table.get(interfaceName);
    return family === 'ipv4' ? entry?.ipv4 : entry?.ipv6LinkLocal;
  };
}
