/**
 * rtnetlink monitoring: a client subscribed to link and address groups turns multicast
 * messages into typed events. LinkWatcher adds keepalived's view of a link: "up" means
 * IFF_UP and IFF_RUNNING, and it reports added/removed/up/down transitions.
 */
import {
  RTM_DELADDR, RTM_DELLINK, RTM_NEWADDR, RTM_NEWLINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_LINK,
} from './constants.js';
import { NetlinkClient } from './client.js';
import { NetlinkDecodeError, NetlinkSocketError } from './errors.js';
import { AddressInfo, decodeAddress } from './address-codec.js';
import { decodeLink, LinkInfo } from './link-codec.js';
import { NetlinkMessage } from './message.js';

export type RtEvent =
  | { readonly kind: 'link'; readonly action: 'new' | 'del'; readonly link: LinkInfo }
  | { readonly kind: 'address'; readonly action: 'new' | 'del'; readonly address: AddressInfo };

/** Decodes one multicast message; undefined for message types we do not follow. */
export function decodeRtEvent(m: NetlinkMessage): RtEvent | undefined {
  switch (m.type) {
    case RTM_NEWLINK: return { kind: 'link', action: 'new', link: decodeLink(m.payload) };
    case RTM_DELLINK: return { kind: 'link', action: 'del', link: decodeLink(m.payload) };
    case RTM_NEWADDR: return { kind: 'address', action: 'new', address: decodeAddress(m.payload) };
    case RTM_DELADDR: return { kind: 'address', action: 'del', address: decodeAddress(m.payload) };
    default: return undefined;
  }
}

export interface MonitorHandlers {
  event(e: RtEvent): void;
  /** Notifications were lost (ENOBUFS) or unreadable: re-dump links and addresses. */
  resync(reason: NetlinkSocketError | NetlinkDecodeError): void;
}

/** Subscribes `client` (a dedicated socket) to links and IPv4/IPv6 addresses. Returns an unsubscribe. */
export function watchRtnetlink(client: NetlinkClient, handlers: MonitorHandlers, groups = [RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR]): () => void {
  for (const g of groups) client.subscribe(g);
  const offMsg = client.onNotification((m) => {
    let e: RtEvent | undefined;
    try {
      e = decodeRtEvent(m);
    } catch (err) {
      if (err instanceof NetlinkDecodeError) { handlers.resync(err); return; }
      throw err;
    }
    if (e !== undefined) handlers.event(e);
  });
  const offErr = client.onSocketError((err) => handlers.resync(err));
  return () => { offMsg(); offErr(); };
}

export type LinkChange =
  | { readonly change: 'added' | 'removed' | 'up' | 'down'; readonly link: LinkInfo };

/** keepalived's "interface is up": administratively up and running (carrier). */
export function linkIsUp(link: LinkInfo): boolean {
  return link.up && link.running;
}

/** Tracks link state by index and reports transitions. Pure: feed it events. */
export class LinkWatcher {
  private readonly links = new Map<number, LinkInfo>();

  /** Seeds (or re-seeds after a resync) from a dump; returns transitions against the old view. */
  reset(links: readonly LinkInfo[]): LinkChange[] {
    const changes: LinkChange[] = [];
    const seen = new Set<number>();
    for (const l of links) {
      seen.add(l.index);
      changes.push(...this.apply({ kind: 'link', action: 'new', link: l }));
    }
    for (const [index, old] of [...this.links]) {
      if (!seen.has(index)) { this.links.delete(index); changes.push({ change: 'removed', link: old }); }
    }
    return changes;
  }

  apply(e: RtEvent): LinkChange[] {
    if (e.kind !== 'link') return [];
    const old = this.links.get(e.link.index);
    if (e.action === 'del') {
      this.links.delete(e.link.index);
      return old === undefined ? [] : [{ change: 'removed', link: e.link }];
    }
    this.links.set(e.link.index, e.link);
    const out: LinkChange[] = [];
    if (old === undefined) out.push({ change: 'added', link: e.link });
    const wasUp = old !== undefined && linkIsUp(old);
    if (linkIsUp(e.link) !== wasUp && (old !== undefined || linkIsUp(e.link))) {
      out.push({ change: linkIsUp(e.link) ? 'up' : 'down', link: e.link });
    }
    return out;
  }

  get(index: number): LinkInfo | undefined {
    return this.links.get(index);
  }
}
