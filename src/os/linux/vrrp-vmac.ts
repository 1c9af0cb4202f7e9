/**
 * VmacPort on Linux: use_vmac interfaces as keepalived 2.2.7 makes them (measured in a lab
 * namespace): a macvlan in private mode over the base interface, MAC 00:00:5e:00:01:VRID
 * (IPv6 ...:02:VRID), IPv6 address generation off (addr_gen_mode 1), brought up at creation.
 *
 * IPv4 VMAC: arp_ignore=1, accept_local=1, rp_filter=0, promote_secondaries=1, IPv6 disabled;
 * the base interface gets arp_ignore=1 and arp_filter=1 (keepalived leaves those set after it
 * stops: so do we). When net.ipv4.conf.all.rp_filter is set, default.rp_filter and every other
 * interface are raised to it and all.rp_filter is cleared (a VMAC's own 0 would not count
 * otherwise), with keepalived's NOTICE lines; all is restored when the last IPv4 VMAC goes.
 * IPv6 VMAC: the base's link-local is copied onto it (nodad, preferred_lft 0) so adverts can
 * leave from it with that source, as keepalived does; accept_ra=0 so no router solicitation
 * leaves with the virtual MAC (keepalived drops those with an nftables rule).
 *
 * Before the VMAC comes up, its IGMP/MLD reports are routed out of the base interface by an
 * nftables rule (vrrp-vmac-nft.ts), as keepalived does: adverts are received on the VMAC (a frame
 * whose source is the virtual MAC is delivered by the macvlan driver to the local macvlan with
 * that MAC only, never to the base), so the VRRP group is joined there.
 *
 * Operations run one at a time (instances start concurrently; the rp_filter state is shared).
 */
import { readdir } from 'node:fs/promises';
import type { DriverLog, VmacOutcome, VmacPort, VmacSpec } from '../../vrrp/ports.js';
import { RT_SCOPE_LINK } from './netlink/constants.js';
import { NetlinkKernelError } from './netlink/errors.js';
import type { LinkInfo } from './netlink/link-codec.js';
import type { RtNetlink } from './netlink/rtnetlink.js';
import { Sysctl } from './netlink/sysctl.js';
import type { VmacMulticastRules } from './vrrp-vmac-nft.js';

const LINK_LOCAL_PREFIX = 64;
const ADDR_GEN_MODE_NONE = 1;

function isKernelError(e: unknown, ...names: string[]): boolean {
  return e instanceof NetlinkKernelError && names.includes(e.errnoName);
}

/** The all/default/per-interface rp_filter values we changed, to restore. */
interface RpFilterSaved {
  readonly all: number;
  readonly default: number;
  readonly interfaces: ReadonlyMap<string, number>;
}

export class LinuxVmacs implements VmacPort {
  private queue: Promise<unknown> = Promise.resolve();
  /** Our VMACs now, by name. */
  private readonly active = new Map<string, VmacSpec>();
  private rpFilter: RpFilterSaved | undefined;

  private rulesAnnounced = false;

  constructor(
    private readonly rt: RtNetlink,
    private readonly log: Pick<DriverLog, 'info' | 'warning'>,
    /** IGMP/MLD reports of VMACs out of the base interface (nftables); absent: not moved. */
    private readonly rules?: VmacMulticastRules,
    private readonly sysctl = new Sysctl(),
    private readonly sysctlRoot = '/proc/sys',
  ) {}

  ensure(spec: VmacSpec): Promise<VmacOutcome> {
    return this.serial(() => this.doEnsure(spec));
  }

  remove(spec: VmacSpec): Promise<void> {
    return this.serial(() => this.doRemove(spec));
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async find(name: string): Promise<LinkInfo | undefined> {
    try {
      return await this.rt.getLink({ name });
    } catch (e) {
      if (isKernelError(e, 'ENODEV')) return undefined;
      throw e;
    }
  }

  private static matches(link: LinkInfo, base: LinkInfo, spec: VmacSpec): boolean {
    return link.kind === 'macvlan' && link.parentIndex === base.index && link.macvlanMode === 'private' && link.mac?.toLowerCase() === spec.mac.toLowerCase();
  }

  private async doEnsure(spec: VmacSpec): Promise<VmacOutcome> {
    const base = await this.find(spec.baseInterface);
    if (base === undefined) throw new Error(`no such interface: ${spec.baseInterface}`);
    let link = await this.find(spec.name);
    let outcome: VmacOutcome;
    if (link !== undefined) {
      if (!LinuxVmacs.matches(link, base, spec)) return 'taken';
      outcome = 'reused';
    } else {
      link = await this.rt.createMacvlan({ name: spec.name, parentIndex: base.index, mode: 'private', mac: spec.mac, up: false });
      outcome = 'created';
    }
    this.active.set(spec.name, spec);
    await this.sysctl.setIpv6(spec.name, 'addr_gen_mode', ADDR_GEN_MODE_NONE);
    if (spec.family === 'ipv4') await this.configureIpv4(spec);
    // keepalived drops router solicitations leaving a VMAC (nftables); not asking for RAs there
    // keeps them off the wire the same way (they would carry the virtual MAC)
    else await this.sysctl.setIpv6(spec.name, 'accept_ra', 0);
    await this.moveReports(spec);
    await this.rt.setLinkUp(link.index, true);
    if (spec.family === 'ipv6' && spec.linkLocal !== undefined) {
      try {
        await this.rt.addAddress({
          index: link.index, address: spec.linkLocal, prefixLength: LINK_LOCAL_PREFIX, scope: RT_SCOPE_LINK,
          preferredLifetimeSec: 0, validLifetimeSec: 0xffffffff, flags: { nodad: true },
        });
      } catch (e) {
        if (!isKernelError(e, 'EEXIST')) throw e;
      }
    }
    return outcome;
  }

  /** Before the instance joins the VRRP group on the VMAC: its reports must not carry the virtual MAC. */
  private async moveReports(spec: VmacSpec): Promise<void> {
    if (this.rules === undefined) return;
    if (!this.rulesAnnounced) {
      this.rulesAnnounced = true;
      this.log.info('use_vmac or no_accept/strict specified, but no firewall configured - using nftables');
    }
    try {
      await this.rules.add(spec.family, spec.name, spec.baseInterface);
    } catch (e) {
      this.log.warning(`cannot install the nftables rule moving ${spec.family === 'ipv4' ? 'IGMP' : 'MLD'} reports from ${spec.name} to ${spec.baseInterface} (${(e as Error).message}): they will carry the virtual MAC`);
    }
  }

  private async configureIpv4(spec: VmacSpec): Promise<void> {
    const s = this.sysctl;
    await s.setIpv6(spec.name, 'disable_ipv6', 1);
    await s.setIpv4(spec.name, 'arp_ignore', 1);
    await s.setIpv4(spec.name, 'accept_local', 1);
    await s.setIpv4(spec.name, 'rp_filter', 0);
    await s.setIpv4(spec.name, 'promote_secondaries', 1);
    await s.setIpv4(spec.baseInterface, 'arp_ignore', 1);
    await s.setIpv4(spec.baseInterface, 'arp_filter', 1);
    await this.clearAllRpFilter();
  }

  /** all.rp_filter > 0 would override the VMAC's 0: move it onto default and every interface. */
  private async clearAllRpFilter(): Promise<void> {
    if (this.rpFilter !== undefined) return;
    const s = this.sysctl;
    const all = await s.readIpv4('all', 'rp_filter');
    if (all === 0) return;
    const def = await s.readIpv4('default', 'rp_filter');
    const interfaces = new Map<string, number>();
    for (const name of await readdir(`${this.sysctlRoot}/net/ipv4/conf`)) {
      if (name === 'all' || name === 'default' || name === 'lo' || this.active.has(name)) continue;
      const value = await s.readIpv4(name, 'rp_filter').catch(() => undefined);
      if (value === undefined || value >= all) continue;
      await s.setIpv4(name, 'rp_filter', all);
      interfaces.set(name, value);
    }
    if (def < all) {
      this.log.info(`NOTICE: setting sysctl net.ipv4.conf.default.rp_filter from ${def} to ${all}`);
      await s.setIpv4('default', 'rp_filter', all);
    }
    this.log.info(`NOTICE: setting sysctl net.ipv4.conf.all.rp_filter from ${all} to 0`);
    await s.setIpv4('all', 'rp_filter', 0);
    this.rpFilter = { all, default: def, interfaces };
  }

  private async restoreAllRpFilter(): Promise<void> {
    const saved = this.rpFilter;
    if (saved === undefined) return;
    this.rpFilter = undefined;
    const s = this.sysctl;
    this.log.info(`NOTICE: resetting sysctl net.ipv4.conf.all.rp_filter to ${saved.all}`);
    await s.setIpv4('all', 'rp_filter', saved.all);
    if (saved.default < saved.all) {
      this.log.info(`NOTICE: resetting sysctl net.ipv4.conf.default.rp_filter to ${saved.default}`);
      await s.setIpv4('default', 'rp_filter', saved.default);
    }
    for (const [name, value] of saved.interfaces) await s.setIpv4(name, 'rp_filter', value).catch(() => undefined);
  }

  private async doRemove(spec: VmacSpec): Promise<void> {
    this.active.delete(spec.name);
    try {
      const base = await this.find(spec.baseInterface);
      const link = await this.find(spec.name);
      // only our VMAC: a base that vanished took its macvlans with it
      if (link !== undefined && base !== undefined && LinuxVmacs.matches(link, base, spec)) {
        try {
          await this.rt.deleteLink(link.index);
        } catch (e) {
          if (!isKernelError(e, 'ENODEV')) throw e;
        }
      }
    } finally {
      await this.rules?.remove(spec.family, spec.name).catch((e: Error) => this.log.warning(`nftables: ${e.message}`));
      if (![...this.active.values()].some((v) => v.family === 'ipv4')) await this.restoreAllRpFilter();
    }
  }
}
