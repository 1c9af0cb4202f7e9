/**
 * The driver's slow side: VIP add/remove and GARP/NA bursts, run one after another on a queue so
 * that "remove" never overtakes "add". Nothing here delays an advert: the driver sends adverts
 * synchronously and only enqueues this work (DESIGN principle 9). Log lines keep keepalived's
 * wording ("(VI_1) setting VIPs.", "(VI_1) removing VIPs.", "Sending/queueing gratuitous ARPs").
 * With no_accept (a `filter`), the firewall drop rule for the VIPs is set before they are added
 * and removed after they are gone, as keepalived does ("(VI_1) setting firewall drop rule").
 */
import type { AddressPort, DriverLog, L2AnnouncePort, VipFilterPort, VipSpec } from './ports.js';

export class VipWorker {
  private queue: Promise<void> = Promise.resolve();
  /** Whether our VIPs are believed installed (after the last queued add/remove). */
  private installed = false;

  constructor(
    private readonly instanceName: string,
    private vips: readonly VipSpec[],
    private readonly addresses: AddressPort,
    private readonly l2: L2AnnouncePort,
    private readonly log: DriverLog,
    /** no_accept: the firewall port; undefined = accept mode (nothing dropped). */
    private filter?: VipFilterPort,
  ) {}

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
   * Reload: the new VIP list (and firewall: no_accept may have changed); while installed, removed
   * ones go and added ones come (no flap of the rest). With no_accept, added VIPs are dropped before
   * they come and removed ones stay dropped until they are gone.
   */
  replace(vips: readonly VipSpec[], filter?: VipFilterPort): void {
    const oldFilter = this.filter;
    this.filter = filter;
    const key = (v: VipSpec): string => `${v.address}/${v.prefixLength}/${v.interfaceName}`;
    const before = new Map(this.vips.map((v) => [key(v), v]));
    const after = new Map(vips.map((v) => [key(v), v]));
    this.vips = vips;
    if (!this.installed) return;
    const gone = [...before].filter(([k]) => !after.has(k)).map(([, v]) => v);
    const added = [...after].filter(([k]) => !before.has(k)).map(([, v]) => v);
    if (filter !== undefined) this.enqueue(() => filter.drop(this.instanceName, [...vips, ...gone]));
    this.enqueue(async () => {
      for (const vip of gone) await this.addresses.remove(vip);
      for (const vip of added) await this.addresses.add(vip);
    });
    if (filter !== undefined && gone.length > 0) this.enqueue(() => filter.drop(this.instanceName, vips));
    if (oldFilter !== undefined && filter === undefined) this.enqueue(() => oldFilter.drop(this.instanceName, []));
  }

  addAll(): void {
    if (this.vips.length === 0) return;
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

  /** Removes our VIPs; at startup (`stale`) those a previous run left on the interfaces. */
  removeAll(stale: boolean): void {
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
          this.log.detail(`Sending ${what} on ${vip.interfaceName} for ${vip.address}`);
          await this.l2.announce(vip);
        }
      }
    });
  }
}
