/**
 * High-level rtnetlink operations on a NETLINK_ROUTE client: links (list, get, macvlan create,
 * delete, up/down), addresses (add, delete, list), routes and rules (add, delete, list).
 * Every failure is a typed error (NetlinkKernelError carries the errno name and extack text).
 */
import {
  AF_INET, AF_INET6, AF_UNSPEC, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, RTM_DELADDR, RTM_DELLINK, RTM_DELROUTE,
  RTM_DELRULE, RTM_GETADDR, RTM_GETLINK, RTM_GETROUTE, RTM_GETRULE, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWROUTE, RTM_NEWRULE,
} from './constants.js';
import { NetlinkClient } from './client.js';
import { NetlinkDecodeError } from './errors.js';
import { AddressInfo, AddressSpec, decodeAddress, encodeAddress, encodeAddressDumpRequest } from './address-codec.js';
import {
  decodeLink, encodeLinkDelete, encodeLinkDumpRequest, encodeLinkGetRequest, encodeLinkSetUp, encodeMacvlanCreate,
  LinkInfo, MacvlanSpec,
} from './link-codec.js';
import { decodeRoute, encodeRoute, RouteInfo, RouteSpec, RTMSG_LEN } from './route-codec.js';
import { decodeRule, encodeRule, RuleInfo, RuleSpec } from './rule-codec.js';

export interface AddOptions {
  /** NLM_F_REPLACE instead of NLM_F_EXCL: succeed when the object exists (update it). */
  readonly replace?: boolean;
}

function createFlags(o: AddOptions | undefined): number {
  return NLM_F_CREATE | (o?.replace === true ? NLM_F_REPLACE : NLM_F_EXCL);
}

function addressText(spec: { address: string; prefixLength: number; index: number }): string {
  return `${spec.address}/${spec.prefixLength} on ifindex ${spec.index}`;
}

function routeText(spec: RouteSpec): string {
  return `route ${spec.dst}${spec.gateway !== undefined ? ` via ${spec.gateway}` : ''}${spec.table !== undefined ? ` table ${spec.table}` : ''}`;
}

function ruleText(spec: RuleSpec): string {
  const parts = [spec.from !== undefined ? `from ${spec.from}` : '', spec.to !== undefined ? `to ${spec.to}` : '',
    spec.priority !== undefined ? `pref ${spec.priority}` : '', spec.table !== undefined ? `table ${spec.table}` : ''];
  return `rule ${parts.filter((p) => p !== '').join(' ') || 'all'}`;
}

export class RtNetlink {
  constructor(readonly client: NetlinkClient) {}

  async listLinks(): Promise<LinkInfo[]> {
    const msgs = await this.client.dump(RTM_GETLINK, encodeLinkDumpRequest(), 'list links');
    return msgs.filter((m) => m.type === RTM_NEWLINK).map((m) => decodeLink(m.payload));
  }

  /** One link by index or name (NetlinkKernelError ENODEV when absent). */
  async getLink(target: { index: number } | { name: string }): Promise<LinkInfo> {
    const what = 'index' in target ? `link ${target.index}` : `link ${target.name}`;
    const msgs = await this.client.request(RTM_GETLINK, encodeLinkGetRequest(target), 0, `get ${what}`);
    const m = msgs.find((x) => x.type === RTM_NEWLINK);
    if (m === undefined) throw new NetlinkDecodeError(`no RTM_NEWLINK reply for ${what}`, 0);
    return decodeLink(m.payload);
  }

  /** Creates a macvlan (VRRP VMAC) and returns it as the kernel reports it. */
  async createMacvlan(spec: MacvlanSpec): Promise<LinkInfo> {
    await this.client.request(RTM_NEWLINK, encodeMacvlanCreate(spec), NLM_F_CREATE | NLM_F_EXCL, `create macvlan ${spec.name}`);
    return this.getLink({ name: spec.name });
  }

  async deleteLink(index: number): Promise<void> {
    await this.client.request(RTM_DELLINK, encodeLinkDelete(index), 0, `delete link ${index}`);
  }

  async setLinkUp(index: number, up: boolean): Promise<void> {
    await this.client.request(RTM_NEWLINK, encodeLinkSetUp(index, up), 0, `set link ${index} ${up ? 'up' : 'down'}`);
  }

  async addAddress(spec: AddressSpec, options?: AddOptions): Promise<void> {
    await this.client.request(RTM_NEWADDR, encodeAddress(spec), createFlags(options), `add address ${addressText(spec)}`);
  }

  async deleteAddress(spec: AddressSpec): Promise<void> {
    await this.client.request(RTM_DELADDR, encodeAddress(spec), 0, `delete address ${addressText(spec)}`);
  }

  /** Addresses of every interface, or of one family (AF_INET / AF_INET6) and/or one ifindex. */
  async listAddresses(filter: { family?: number; index?: number } = {}): Promise<AddressInfo[]> {
    const msgs = await this.client.dump(RTM_GETADDR, encodeAddressDumpRequest(filter.family ?? AF_UNSPEC), 'list addresses');
    const all = msgs.filter((m) => m.type === RTM_NEWADDR).map((m) => decodeAddress(m.payload));
    return all.filter((a) => (filter.family === undefined || a.family === filter.family) && (filter.index === undefined || a.index === filter.index));
  }

  async addRoute(spec: RouteSpec, options?: AddOptions): Promise<void> {
    await this.client.request(RTM_NEWROUTE, encodeRoute(spec, false), createFlags(options), `add ${routeText(spec)}`);
  }

  async deleteRoute(spec: RouteSpec): Promise<void> {
    await this.client.request(RTM_DELROUTE, encodeRoute(spec, true), 0, `delete ${routeText(spec)}`);
  }

  /** Routes of one family in every table (filter by table yourself). */
  async listRoutes(family: typeof AF_INET | typeof AF_INET6): Promise<RouteInfo[]> {
    const body = Buffer.alloc(RTMSG_LEN);
    body.writeUInt8(family, 0);
    const msgs = await this.client.dump(RTM_GETROUTE, body, 'list routes');
    return msgs.filter((m) => m.type === RTM_NEWROUTE).map((m) => decodeRoute(m.payload));
  }

  async addRule(spec: RuleSpec, options?: AddOptions): Promise<void> {
    await this.client.request(RTM_NEWRULE, encodeRule(spec, false), createFlags(options), `add ${ruleText(spec)}`);
  }

  async deleteRule(spec: RuleSpec): Promise<void> {
    await this.client.request(RTM_DELRULE, encodeRule(spec, true), 0, `delete ${ruleText(spec)}`);
  }

  async listRules(family: typeof AF_INET | typeof AF_INET6): Promise<RuleInfo[]> {
    const body = Buffer.alloc(12);
    body.writeUInt8(family, 0);
    const msgs = await this.client.dump(RTM_GETRULE, body, 'list rules');
    return msgs.filter((m) => m.type === RTM_NEWRULE).map((m) => decodeRule(m.payload));
  }
}
