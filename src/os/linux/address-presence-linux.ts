/**
 * The host's addresses (AddressPresencePort, src/check/address-presence.ts; used by ha_suspend and
 * by the VRRP instances' interface addresses) over rtnetlink: a dedicated socket subscribed to the
 * IPv4/IPv6 address groups, a dump at open, then RTM_NEWADDR/RTM_DELADDR as changes. Lost
 * notifications (ENOBUFS) re-dump and report the difference. Events that arrive while a dump runs
 * are applied after it.
 */
import type { AddressChange, AddressPresencePort } from '../../check/address-presence.js';
import { NetlinkClient } from './netlink/client.js';
import { RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR } from './netlink/constants.js';
import { watchRtnetlink, type RtEvent } from './netlink/monitor.js';
import { RtNetlink } from './netlink/rtnetlink.js';

const entryKey = (c: { readonly address: string; readonly interfaceIndex: number }): string => `${c.interfaceIndex} ${c.address}`;

export class LinuxAddressPresence implements AddressPresencePort {
  private client: NetlinkClient | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly table = new Map<string, AddressChange>();
  private onChange: ((c: AddressChange) => void) | undefined;
  /** Events held while a dump runs (undefined: none running). */
  private held: AddressChange[] | undefined;

  constructor(private readonly onError: (message: string) => void) {}

  async open(onChange: (change: AddressChange) => void): Promise<readonly AddressChange[]> {
    const client = NetlinkClient.openRoute();
    this.client = client;
    this.unsubscribe = watchRtnetlink(client, {
      event: (e) => this.event(e),
      resync: () => void this.resync(),
    }, [RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR]);
    try {
      await this.dump();
    } catch (e) {
      this.close();
      throw e;
    }
    this.onChange = onChange;
    return [...this.table.values()];
  }

  close(): void {
    this.onChange = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.client?.close();
    this.client = undefined;
  }

  private event(e: RtEvent): void {
    if (e.kind !== 'address') return;
    const change: AddressChange = { address: e.address.address, interfaceIndex: e.address.index, present: e.action === 'new' };
    if (this.held !== undefined) this.held.push(change);
    else this.record(change);
  }

  private record(change: AddressChange): void {
    const key = entryKey(change);
    const had = this.table.has(key);
    if (change.present) this.table.set(key, change);
    else this.table.delete(key);
    if (had !== change.present) this.onChange?.(change);
  }

  /** Replaces the table from a dump; reports the differences, then the events held meanwhile. */
  private async dump(): Promise<void> {
    const client = this.client;
    if (client === undefined || this.held !== undefined) return;
    this.held = [];
    try {
      const now = new Map((await new RtNetlink(client).listAddresses()).map((a) => {
        const c: AddressChange = { address: a.address, interfaceIndex: a.index, present: true };
        return [entryKey(c), c] as const;
      }));
      for (const [key, old] of [...this.table]) if (!now.has(key)) this.record({ ...old, present: false });
      for (const c of now.values()) this.record(c);
    } finally {
      const held = this.held;
      this.held = undefined;
      for (const c of held) this.record(c);
    }
  }

  private async resync(): Promise<void> {
    try {
      await this.dump();
    } catch (e) {
      this.onError(`address dump failed: ${(e as Error).message}`);
    }
  }
}
