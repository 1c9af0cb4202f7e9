/**
 * static_ipaddress, static_routes and static_rules: installed when the VRRP subsystem starts
 * (addresses, then routes, then rules, before any instance runs) and removed when it stops (rules,
 * routes, then addresses), as keepalived 2.2.7 does, silently (measured: no log line for either).
 * A reload applies the differences only: what stayed is not touched. Failures are logged (the
 * port's message) and never stop the rest. A tracked static route (with `dev`, without
 * `no_track`) or rule that someone deletes is put back, with keepalived's line ("Restoring deleted
 * static route prepend 203.0.113.128/25 via inet 192.0.2.254 dev eth0 proto 18"). A static address
 * someone deletes (or the kernel drops with the primary it was secondary to) is put back the same
 * way ("Restoring deleted static address 198.51.100.7/24 dev eth0 scope global set"), when the
 * address port can watch deletions. Pure: works through the address and route ports.
 */
import type { StaticAddress, VrrpModel } from '../config/model/vrrp.js';
import { routeEntry, ruleEntry, vipSpec } from './config-adapter.js';
import { RouteApplier } from './driver-io.js';
import type { AddressPort, DriverLog, RouteEntry, RoutePort, RuleEntry, VipSpec } from './ports.js';

export interface StaticTargets {
  readonly addresses: readonly VipSpec[];
  readonly routes: readonly RouteEntry[];
  readonly rules: readonly RuleEntry[];
}

const EMPTY: StaticTargets = { addresses: [], routes: [], rules: [] };

/** The model's static_* blocks as the ports take them. */
export function staticTargets(vrrp: VrrpModel | undefined): StaticTargets {
  if (vrrp === undefined) return EMPTY;
  return {
    addresses: vrrp.staticAddresses.map((a: StaticAddress) => vipSpec(a, a.dev)),
    routes: vrrp.staticRoutes.map(routeEntry),
    rules: vrrp.staticRules.map(ruleEntry),
  };
}

export function hasStaticTargets(t: StaticTargets): boolean {
  return t.addresses.length + t.routes.length + t.rules.length > 0;
}

function key(x: VipSpec | RouteEntry | RuleEntry): string {
  return JSON.stringify(x);
}

function minus<T extends VipSpec | RouteEntry | RuleEntry>(a: readonly T[], b: readonly T[]): T[] {
  const keys = new Set(b.map(key));
  return a.filter((x) => !keys.has(key(x)));
}

/** keepalived's text of a route in "Restoring deleted static route prepend ..." (measured for via/dev). */
export function restoreRouteText(r: RouteEntry): string {
  const parts = [r.type !== undefined && r.type !== 'unicast' ? `${r.type} ${r.destination}` : r.destination];
  if (r.via !== undefined) parts.push(`via ${r.family === 6 ? 'inet6' : 'inet'} ${r.via}`);
  if (r.src !== undefined) parts.push(`src ${r.src}`);
  if (r.dev !== undefined) parts.push(`dev ${r.dev}`);
  if (r.table !== undefined) parts.push(`table ${r.table}`);
  if (r.metric !== undefined) parts.push(`metric ${r.metric}`);
  parts.push(`proto ${r.noTrack && r.protocol !== undefined ? r.protocol : '18'}`);
  return parts.join(' ');
}

/** keepalived's text of a rule in "Restoring deleted static rule ..." (measured for from/table). */
export function restoreRuleText(r: RuleEntry): string {
  const host = (p: string): string => (p.endsWith('/32') || p.endsWith('/128') ? p.slice(0, p.lastIndexOf('/')) : p);
  const parts: string[] = [];
  if (r.invert) parts.push('not');
  if (r.from !== undefined) parts.push(`from ${host(r.from)}`);
  if (r.to !== undefined) parts.push(`to ${host(r.to)}`);
  parts.push(`priority ${r.preference}`, `tos ${r.options.tos ?? '0x0'}`, 'protocol 18');
  if (r.options.fwmark !== undefined) parts.push(`fwmark ${r.options.fwmark}`);
  if (r.iif !== undefined) parts.push(`iif ${r.iif}`);
  if (r.oif !== undefined) parts.push(`oif ${r.oif}`);
  parts.push(r.action !== undefined && r.action !== 'unicast' ? r.action : `lookup ${r.table ?? 'main'}`);
  return parts.join(' ');
}

const SCOPES: Readonly<Record<number, string>> = { 0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };

/**
 * keepalived's text of an address in "Restoring deleted static address ..." (measured in 2.2.7:
 * "198.51.100.8 dev eth0 scope global set" for a /32, "198.51.100.11/24 brd 198.51.100.255 dev
 * eth0 scope global set", "... scope global label eth0:s set", IPv6 "2001:db8:5::7/64 dev eth0
 * scope global preferred_lft forever set").
 */
export function restoreAddressText(a: VipSpec): string {
  const v6 = a.address.includes(':');
  const parts = [a.prefixLength === (v6 ? 128 : 32) ? a.address : `${a.address}/${a.prefixLength}`];
  if (a.broadcast !== undefined) parts.push(`brd ${a.broadcast}`);
  parts.push(`dev ${a.interfaceName}`, `scope ${SCOPES[a.scope ?? 0] ?? String(a.scope)}`);
  if (a.label !== undefined) parts.push(`label ${a.label}`);
  if (v6) parts.push(`preferred_lft ${a.preferredLifetimeS === undefined ? 'forever' : String(a.preferredLifetimeS)}`);
  parts.push('set');
  return parts.join(' ');
}

export class StaticConfig {
  private current: StaticTargets = EMPTY;
  private readonly applier: RouteApplier;
  private readonly watches = new Map<string, () => void>();

  constructor(
    private readonly addresses: AddressPort,
    private readonly routes: RoutePort,
    private readonly log: DriverLog,
  ) {
    this.applier = new RouteApplier(routes, log);
  }

  private unwatch(k: string): void {
    this.watches.get(k)?.();
    this.watches.delete(k);
  }

  private watchRoute(r: RouteEntry): void {
    const k = `route ${key(r)}`;
    if (r.noTrack || this.watches.has(k)) return;
    this.watches.set(k, this.routes.watchRoute(r, () => {
      this.log.info(`Restoring deleted static route prepend ${restoreRouteText(r)}`);
      void this.applier.addRoutes([r]);
    }));
  }

  private watchAddress(a: VipSpec): void {
    const k = `address ${key(a)}`;
    if (this.addresses.watchDeletion === undefined || this.watches.has(k)) return;
    this.watches.set(k, this.addresses.watchDeletion(a, () => {
      this.log.info(`Restoring deleted static address ${restoreAddressText(a)}`);
      void this.guard(() => this.addresses.add(a));
    }));
  }

  private watchRule(r: RuleEntry): void {
    const k = `rule ${key(r)}`;
    if (r.noTrack || this.watches.has(k)) return;
    this.watches.set(k, this.routes.watchRule(r, () => {
      this.log.info(`Restoring deleted static rule ${restoreRuleText(r)}`);
      void this.applier.addRules([r]);
    }));
  }

  get installed(): StaticTargets {
    return this.current;
  }

  /** Start or reload: removes what is no longer configured, adds what is new; the rest is untouched. */
  async apply(next: StaticTargets): Promise<void> {
    const old = this.current;
    this.current = next;
    const goneRules = minus(old.rules, next.rules);
    const goneRoutes = minus(old.routes, next.routes);
    for (const r of goneRules) this.unwatch(`rule ${key(r)}`);
    for (const r of goneRoutes) this.unwatch(`route ${key(r)}`);
    await this.applier.removeRules(goneRules);
    await this.applier.removeRoutes(goneRoutes);
    for (const a of minus(old.addresses, next.addresses)) {
      this.unwatch(`address ${key(a)}`);
      await this.guard(() => this.addresses.remove(a));
    }
    const newAddresses = minus(next.addresses, old.addresses);
    for (const a of newAddresses) await this.guard(() => this.addresses.add(a));
    for (const a of newAddresses) this.watchAddress(a);
    const newRoutes = minus(next.routes, old.routes);
    const newRules = minus(next.rules, old.rules);
    await this.applier.addRoutes(newRoutes);
    await this.applier.addRules(newRules);
    for (const r of newRoutes) this.watchRoute(r);
    for (const r of newRules) this.watchRule(r);
  }

  /** Stop: rules, routes, then addresses go. */
  async removeAll(): Promise<void> {
    await this.apply(EMPTY);
  }

  private async guard(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (e) {
      this.log.error(e instanceof Error ? e.message : String(e));
    }
  }
}
