/**
 * The driver's slow side: VIP, virtual route and rule add/remove and GARP/NA bursts, run one after
 * another on a queue so that "remove" never overtakes "add". Nothing here delays an advert: the
 * driver sends adverts synchronously and only enqueues this work (DESIGN principle 9). Log lines
 * keep keepalived's wording and order (measured with keepalived 2.2.7): on entering MASTER
 * "(VI_1) setting VIPs.", "(VI_1) setting Virtual Routes", "(VI_1) setting Virtual Rules" (so a
 * route via a VIP finds it); on leaving "(VI_1) removing Virtual Rules", "(VI_1) removing Virtual
 * Routes", "(VI_1) removing VIPs.". A route or rule that fails is logged and the others go on.
 * With no_accept (a `filter`), the firewall drop rule for the VIPs is set before they are added
 * and removed after they are gone, as keepalived does ("(VI_1) setting firewall drop rule").
 */
import type { AddressPort, DriverLog, L2AnnouncePort, RouteEntry, RoutePort, RuleEntry, VipFilterPort, VipSpec } from './ports.js';

/** Identity of a route / rule across a reload (its whole configuration). */
function entryKey(entry: RouteEntry | RuleEntry): string {
  return JSON.stringify(entry);
}

/** Entries of `before` not in `after`, and of `after` not in `before`. */
function diffEntries<T extends RouteEntry | RuleEntry>(before: readonly T[], after: readonly T[]): { gone: T[]; added: T[] } {
  const a = new Set(after.map(entryKey));
  const b = new Set(before.map(entryKey));
  return { gone: before.filter((e) => !a.has(entryKey(e))), added: after.filter((e) => !b.has(entryKey(e))) };
}

/** Adds/removes routes and rules one by one; a failure is logged (the port's message) and the rest go on. */
export class RouteApplier {
  constructor(
    private readonly routes: RoutePort,
    private readonly log: DriverLog,
  ) {}

  async addRoutes(entries: readonly RouteEntry[]): Promise<void> {
    for (const r of entries) await this.guard(() => this.routes.addRoute(r));
  }

  async removeRoutes(entries: readonly RouteEntry[]): Promise<void> {
    for (const r of entries) await this.guard(() => this.routes.removeRoute(r));
  }

  async addRules(entries: readonly RuleEntry[]): Promise<void> {
    for (const r of entries) await this.guard(() => this.routes.addRule(r));
  }

  async removeRules(entries: readonly RuleEntry[]): Promise<void> {
    for (const r of entries) await this.guard(() => this.routes.removeRule(r));
  }

  private async guard(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (e) {
      this.log.error(e instanceof Error ? e.message : String(e));
    }
  }
}

export interface VipWorkerTargets {
  readonly vips: readonly VipSpec[];
  readonly routes?: readonly RouteEntry[];
  readonly rules?: readonly RuleEntry[];
}

export class VipWorker {
  private queue: Promise<void> = Promise.resolve();
  /** Whether our VIPs are believed installed (after the last queued add/remove). */
  private installed = false;
  /** Whether our virtual routes and rules are believed installed. */
  private routesInstalled = false;
  private vips: readonly VipSpec[];
  private routes: readonly RouteEntry[];
  private rules: readonly RuleEntry[];
  private readonly applier: RouteApplier;
  /** Watches of the installed tracked routes and rules (keepalived's route tracking), by entry. */
  private readonly watches = new Map<string, () => void>();

  /**
   * `filter`: no_accept's firewall port (undefined = accept mode, nothing dropped).
   * `onTrackedLost`: a tracked route or rule (no `no_track`) we installed was deleted by someone else.
   */
  constructor(
    private readonly instanceName: string,
    targets: VipWorkerTargets,
    private readonly addresses: AddressPort,
    private readonly routePort: RoutePort,
    private readonly l2: L2AnnouncePort,
    private readonly log: DriverLog,
    private filter: VipFilterPort | undefined = undefined,
    private readonly onTrackedLost: () => void = () => undefined,
  ) {
    this.vips = targets.vips;
    this.routes = targets.routes ?? [];
    this.rules = targets.rules ?? [];
    this.applier = new RouteApplier(routePort, log);
  }

  private watchEntries(routes: readonly RouteEntry[], rules: readonly RuleEntry[]): void {
    for (const r of routes) {
      const k = `route ${entryKey(r)}`;
      if (!r.noTrack && !this.watches.has(k)) this.watches.set(k, this.routePort.watchRoute(r, () => this.lost(k)));
    }
    for (const r of rules) {
      const k = `rule ${entryKey(r)}`;
      if (!r.noTrack && !this.watches.has(k)) this.watches.set(k, this.routePort.watchRule(r, () => this.lost(k)));
    }
  }

  private unwatchEntries(routes: readonly RouteEntry[], rules: readonly RuleEntry[]): void {
    const keys = [...routes.map((r) => `route ${entryKey(r)}`), ...rules.map((r) => `rule ${entryKey(r)}`)];
    for (const k of keys) {
      this.watches.get(k)?.();
      this.watches.delete(k);
    }
  }

  private lost(key: string): void {
    if (!this.watches.has(key) || !this.routesInstalled) return;
    this.log.detail(`(${this.instanceName}) tracked ${key} was deleted`);
    this.onTrackedLost();
  }

  /** Resolves when every queued operation has finished. */
  idle(): Promise<void> {
    return this.queue;
  }

  get vipsInstalled(): boolean {
    return this.installed;
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch((e: unknown) => {
      this.log.error(`(${this.instanceName}) ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  /**
   * Reload: the new VIP, route and rule lists (and firewall: no_accept may have changed); while
   * installed, removed ones go and added ones come (no flap of the rest): rules, routes then VIPs
   * go; VIPs, routes then rules come. With no_accept, added VIPs are dropped before they come and
   * removed ones stay dropped until they are gone.
   */
  replace(targets: VipWorkerTargets, filter?: VipFilterPort): void {
    const oldFilter = this.filter;
    this.filter = filter;
    const key = (v: VipSpec): string => `${v.address}/${v.prefixLength}/${v.interfaceName}`;
    const before = new Map(this.vips.map((v) => [key(v), v]));
    const after = new Map(targets.vips.map((v) => [key(v), v]));
    const routes = diffEntries(this.routes, targets.routes ?? []);
    const rules = diffEntries(this.rules, targets.rules ?? []);
    this.vips = targets.vips;
    this.routes = targets.routes ?? [];
    this.rules = targets.rules ?? [];
    if (this.routesInstalled) {
      this.unwatchEntries(routes.gone, rules.gone);
      this.watchEntries(routes.added, rules.added);
    }
    const vipsInstalled = this.installed;
    const routesInstalled = this.routesInstalled;
    if (!vipsInstalled && !routesInstalled) return;
    const gone = [...before].filter(([k]) => !after.has(k)).map(([, v]) => v);
    const added = [...after].filter(([k]) => !before.has(k)).map(([, v]) => v);
    const vips = targets.vips;
    if (routesInstalled) {
      this.enqueue(async () => {
        await this.applier.removeRules(rules.gone);
        await this.applier.removeRoutes(routes.gone);
      });
    }
    if (vipsInstalled) {
      if (filter !== undefined) this.enqueue(() => filter.drop(this.instanceName, [...vips, ...gone]));
      this.enqueue(async () => {
        for (const vip of gone) await this.addresses.remove(vip);
        for (const vip of added) await this.addresses.add(vip);
      });
      if (filter !== undefined && gone.length > 0) this.enqueue(() => filter.drop(this.instanceName, vips));
      if (oldFilter !== undefined && filter === undefined) this.enqueue(() => oldFilter.drop(this.instanceName, []));
    }
    if (routesInstalled) {
      this.enqueue(async () => {
        await this.applier.addRoutes(routes.added);
        await this.applier.addRules(rules.added);
      });
    }
  }

  /** Entering MASTER: VIPs, then virtual routes, then virtual rules. */
  addAll(): void {
    if (this.vips.length > 0) {
      this.installed = true;
      const filter = this.filter;
      if (filter !== undefined) {
        this.log.info(`(${this.instanceName}) setting firewall drop rule`);
        const vips = this.vips;
        this.enqueue(() => filter.drop(this.instanceName, vips));
      }
      this.log.info(`(${this.instanceName}) setting VIPs.`);
      this.enqueue(async () => {
        for (const vip of this.vips) await this.addresses.add(vip);
      });
    }
    if (this.routes.length + this.rules.length === 0) return;
    this.routesInstalled = true;
    this.watchEntries(this.routes, this.rules);
    if (this.routes.length > 0) {
      this.log.info(`(${this.instanceName}) setting Virtual Routes`);
      const routes = this.routes;
      this.enqueue(() => this.applier.addRoutes(routes));
    }
    if (this.rules.length > 0) {
      this.log.info(`(${this.instanceName}) setting Virtual Rules`);
      const rules = this.rules;
      this.enqueue(() => this.applier.addRules(rules));
    }
  }

  /**
   * Leaving MASTER, and at startup (nothing installed yet: `stale`): virtual rules, then routes,
   * then VIPs. At startup keepalived 2.2.7 logs "removing Virtual Rules", "removing Virtual
   * Routes", "removing VIPs." and the first two once more before "Entering BACKUP STATE (init)";
   * it removes rules a previous run may have left (they carry protocol keepalived) but leaves
   * routes alone (measured: a stale proto-keepalived route survived the start), and removes stale
   * VIPs.
   */
  removeAll(): void {
    const stale = !this.installed && !this.routesInstalled;
    this.removeRoutesAndRules(stale);
    this.removeVips(stale);
    if (stale) this.logRouteRemoval();
  }

  private logRouteRemoval(): void {
    if (this.rules.length > 0) this.log.info(`(${this.instanceName}) removing Virtual Rules`);
    if (this.routes.length > 0) this.log.info(`(${this.instanceName}) removing Virtual Routes`);
  }

  private removeRoutesAndRules(stale: boolean): void {
    const wasInstalled = this.routesInstalled;
    this.routesInstalled = false;
    if (!stale && !wasInstalled) return;
    const rules = this.rules;
    const routes = this.routes;
    this.unwatchEntries(routes, rules);
    this.logRouteRemoval();
    if (rules.length > 0) this.enqueue(() => this.applier.removeRules(rules));
    if (routes.length > 0 && !stale) this.enqueue(() => this.applier.removeRoutes(routes));
  }

  private removeVips(stale: boolean): void {
    if (this.vips.length === 0) return;
    const wasInstalled = this.installed;
    this.installed = false;
    if (!stale) {
      if (wasInstalled) this.log.info(`(${this.instanceName}) removing VIPs.`);
      this.enqueue(async () => {
        for (const vip of this.vips) await this.addresses.remove(vip);
      });
      if (wasInstalled) this.unfilter();
      return;
    }
    // keepalived 2.2.7 logs this at every startup, before "Entering BACKUP STATE (init)"
    this.log.info(`(${this.instanceName}) removing VIPs.`);
    this.enqueue(async () => {
      const present: VipSpec[] = [];
      for (const vip of this.vips) if (await this.addresses.has(vip)) present.push(vip);
      for (const vip of present) {
        this.log.detail(`(${this.instanceName}) removing stale VIP ${vip.address}/${vip.prefixLength} from ${vip.interfaceName}`);
        await this.addresses.remove(vip);
      }
    });
    this.unfilter();
  }

  /** After the VIPs are gone: "(VI_1) removing firewall drop rule" (also at startup, as keepalived). */
  private unfilter(): void {
    const filter = this.filter;
    if (filter === undefined) return;
    this.log.info(`(${this.instanceName}) removing firewall drop rule`);
    this.enqueue(() => filter.drop(this.instanceName, []));
  }

  /** `count` announcements per VIP, now (after the queued address work). */
  announce(count: number): void {
    if (count <= 0 || this.vips.length === 0) return;
    for (const vip of this.vips) {
      const what = vip.address.includes(':') ? 'Unsolicited Neighbour Adverts' : 'gratuitous ARPs';
      this.log.info(`(${this.instanceName}) Sending/queueing ${what} on ${vip.interfaceName} for ${vip.address}`);
    }
    this.enqueue(async () => {
      for (let i = 0; i < count; i++) {
        for (const vip of this.vips) {
          if (!this.installed) return; // left MASTER meanwhile
          const what = vip.address.includes(':') ? 'unsolicited Neighbour Advert' : 'gratuitous ARP';
          const sent = this.l2.announce(vip);
          // logged after the packet left: the log write is not on the failover's path
          this.log.detail(`Sending ${what} on ${vip.interfaceName} for ${vip.address}`);
          await sent;
        }
      }
    });
  }
}
