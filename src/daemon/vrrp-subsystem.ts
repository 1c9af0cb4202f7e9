/**
 * The VRRP subsystem: one InstanceDriver per configured vrrp_instance, wired to the Linux ports
 * (raw VRRP sockets, rtnetlink addresses and link events, packet sockets for GARP/NA).
 * start: install static_ipaddress/routes/rules, read interface addresses, adapt each instance,
 * start the drivers (their virtual routes/rules follow mastership).
 * shutdown: every driver resigns (priority 0 from a MASTER) and removes its VIPs, routes and rules,
 * then the static ones go, within the deadline; with -V/--dont-release-vrrp the drivers stop
 * silently and leave their VIPs, routes, rules and VMACs (the static ones still go).
 * dump('stats'): keepalived's stats text for our instances (SIGUSR2).
 */
import type { ConfigEnvironment } from '../config/environment.js';
import type { GlobalModel } from '../config/model/global.js';
import { configHasTopLevel, type ConfigProbeOptions } from './config-probe.js';
import type { VrrpModel } from '../config/model/vrrp.js';
import { NetlinkClient } from '../os/linux/netlink/client.js';
import { RtNetlink } from '../os/linux/netlink/rtnetlink.js';
import { TimerfdClock } from '../os/linux/timerfd-clock.js';
import { applyVrrpScheduling, restoreProcessScheduling, setProcessRealtime } from '../os/linux/process-scheduling.js';
import { schedulingRequested, vrrpSchedulingFrom } from './vrrp-scheduling.js';
import { AutoPriority, autoPriorityFrom } from './vrrp-auto-priority.js';
import { LinuxAddresses, LinuxL2Announcer, LinuxScriptRunner, LinuxVrrpTransports } from '../os/linux/vrrp-ports.js';
import { LinuxProcessRunner } from '../os/linux/process-runner.js';
import { openLinuxVipFilter, type LinuxVipFilter } from '../os/linux/vip-filter-linux.js';
import { LinuxProcessTable, LinuxTrackFiles } from '../os/linux/tracker-ports.js';
import { LinuxLinkEvents, primaryAddressLookup, readInterfaceAddresses } from '../os/linux/vrrp-ports-links.js';
import { LinuxVmacs } from '../os/linux/vrrp-vmac.js';
import { VmacMulticastRules } from '../os/linux/vrrp-vmac-nft.js';
import { LinuxRoutes } from '../os/linux/vrrp-routes.js';
import { loadNative } from '../os/linux/native.js';
import { hasStaticTargets, StaticConfig, staticTargets } from '../vrrp/static-config.js';
import { adaptInstance, ConfigAdapterError, type InstanceBinding } from '../vrrp/config-adapter.js';
import type { InstanceDriver } from '../vrrp/driver.js';
import { DriverSet, type ReloadSummary } from '../vrrp/driver-set.js';
import { formatDaemonStats } from '../vrrp/driver-stats.js';
import { bindingRefs, TrackerSet } from '../vrrp/trackers.js';
import type { DriverLog, DriverPorts, VipFilterPort } from '../vrrp/ports.js';
import type { VrrpFamily } from '../vrrp/packet-types.js';
import type { Logger } from './logger.js';
import { VrrpEvents } from './vrrp-events.js';
import { LinuxAddressPresence } from '../os/linux/address-presence-linux.js';
import { InterfaceAddressTable } from '../vrrp/interface-addresses.js';
import type { ConfigSnapshot, DumpKind, Subsystem, SubsystemRegistry } from './subsystem.js';

interface LinuxResources {
  readonly rt: RtNetlink;
  readonly addresses: LinuxAddresses;
  readonly routes: LinuxRoutes;
  readonly links: LinuxLinkEvents;
  readonly l2: LinuxL2Announcer;
  readonly clock: TimerfdClock;
  readonly presence: LinuxAddressPresence;
}

function driverLog(logger: Logger): DriverLog {
  return {
    info: (m) => logger.info(m),
    warning: (m) => logger.warning(m),
    error: (m) => logger.error(m),
    detail: (m) => logger.detail(m),
  };
}

export class VrrpSubsystem implements Subsystem {
  readonly name = 'vrrp';
  private set: DriverSet | undefined;
  private scripts: LinuxScriptRunner | undefined;
  private resources: LinuxResources | undefined;
  private interfaceAddresses: InterfaceAddressTable | undefined;
  private trackers: TrackerSet | undefined;
  private processRunner: LinuxProcessRunner | undefined;
  private ports: DriverPorts | undefined;
  private events: VrrpEvents | undefined;
  /** The no_accept table, opened when an instance needs it. */
  private vipFilter: LinuxVipFilter | undefined;
  private statics: StaticConfig | undefined;
  private onCpuLimit: (() => void) | undefined;
  private autoPriority: AutoPriority | undefined;

  /** keepVrrp: -V/--dont-release-vrrp (VIPs, virtual routes/rules and VMACs stay at stop). */
  constructor(private readonly logger: Logger, private readonly opts: { readonly keepVrrp?: boolean } = {}) {}

  async start(model: ConfigSnapshot): Promise<void> {
    const vrrp = model.vrrp;
    const global = model.global;
    if (vrrp === undefined || global === undefined || !needsVrrp(vrrp)) return;
    const log = driverLog(this.logger);
    const rt = new RtNetlink(NetlinkClient.openRoute());
    const links = await LinuxLinkEvents.open((m) => log.error(m));
    const l2 = new LinuxL2Announcer();
    const native = loadNative();
    const addresses = new LinuxAddresses(rt, native);
    const routes = new LinuxRoutes(rt, (name) => native.ifNameToIndex(name));
    const clock = new TimerfdClock(native, undefined, (e) => log.error(`timer: ${e.message}`));
    // the interfaces' IPv4 addresses: an instance without mcast/unicast_src_ip faults when the last one goes
    const presence = new LinuxAddressPresence((m) => log.error(m));
    const interfaceAddresses = new InterfaceAddressTable((name) => native.ifNameToIndex(name), (m) => log.info(m));
    await interfaceAddresses.open(presence);
    this.interfaceAddresses = interfaceAddresses;
    this.resources = { rt, addresses, routes, links, l2, clock, presence };
    const vipFilter: VipFilterPort = { drop: (instance, vips) => this.vipFilter?.filter.drop(instance, vips) ?? Promise.resolve() };
    const processRunner = new LinuxProcessRunner();
    const vmacs = new LinuxVmacs(rt, log, new VmacMulticastRules(processRunner));
    const ports: DriverPorts = { transports: new LinuxVrrpTransports(), addresses, routes, l2, links, clock, log, vipFilter, vmacs, interfaceAddresses };
    // keepalived installs the static addresses, routes and rules before any instance starts
    this.statics = new StaticConfig(addresses, routes, log);
    await this.statics.apply(staticTargets(vrrp));
    const scripts = new LinuxScriptRunner(processRunner, (m) => log.warning(m));
    this.scripts = scripts;
    this.processRunner = processRunner;
    this.ports = ports;
    this.trackers = this.newTrackers(vrrp);
    await this.trackers.prime();
    const events = new VrrpEvents(processRunner, scripts, log);
    this.events = events;
    await events.openFifos(global);
    events.configureAlerts(global, vrrp);
    events.configureSyncDaemon(global, vrrp);
    events.buildGroups(vrrp);
    this.set = new DriverSet(ports, (driver) => {
      this.trackers?.attach(driver, bindingRefs(driver.binding));
      events.observe(driver);
    });
    const bindings = await this.adaptAll(vrrp, global, rt);
    this.openVipFilter(bindings, global);
    await this.set.start(bindings);
    // after the start: VMACs now exist; an instance that is master already opened its socket
    for (const name of new Set(bindings.flatMap((b) => b.vips.map((v) => v.interfaceName)))) l2.prepare(name);
    this.trackers.start();
    this.applyScheduling(global);
    this.watchLateness(global, clock);
  }

  /**
   * global_defs vrrp_rt_priority / vrrp_priority / vrrp_no_swap / vrrp_cpu_affinity /
   * vrrp_rlimit_rttime, once the instances run (startup work is not timed by RLIMIT_RTTIME).
   */
  private applyScheduling(global: GlobalModel): void {
    const scheduling = vrrpSchedulingFrom(global.raw);
    if (!schedulingRequested(scheduling)) return;
    if (scheduling.realtimePriority !== undefined) this.catchCpuLimit();
    applyVrrpScheduling(scheduling, loadNative(), { info: (m) => this.logger.detail(m), warning: (m) => this.logger.warning(m) });
  }

  /** SIGXCPU (RLIMIT_RTTIME's soft limit, once real-time) is reported instead of ending the daemon. */
  private catchCpuLimit(): void {
    if (this.onCpuLimit !== undefined) return;
    this.onCpuLimit = (): void => this.logger.warning('VRRP process used more real-time CPU than vrrp_rlimit_rttime / 2 without sleeping (SIGXCPU); the hard limit ends it');
    process.on('SIGXCPU', this.onCpuLimit);
  }

  /**
   * Late VRRP timers (beyond min_auto_priority_delay, default 1 s) are logged and, with
   * max_auto_priority, raise the process's real-time priority one step each. At reload the new
   * settings apply and a raised priority returns to the configured one (as keepalived 2.2.7).
   */
  private watchLateness(global: GlobalModel, clock: TimerfdClock): void {
    const settings = autoPriorityFrom(global.raw);
    if (this.autoPriority !== undefined) {
      this.autoPriority.reload(settings);
    } else {
      const native = loadNative();
      this.autoPriority = new AutoPriority(settings, {
        setRealtime: (priority, firstRealtime, rlimitRttimeUs) => {
          if (firstRealtime) this.catchCpuLimit();
          setProcessRealtime(priority, firstRealtime, rlimitRttimeUs, native);
        },
        restore: (priority) => restoreProcessScheduling(priority, native),
      }, { info: (m) => this.logger.info(m), warning: (m) => this.logger.warning(m) });
    }
    const auto = this.autoPriority;
    clock.watchLateness(auto.thresholdUs, (latenessUs) => auto.lateWakeup(latenessUs));
  }

  /** vrrp_script trackers run through the process runner on the driver clock (never awaited). */
  private newTrackers(vrrp: VrrpModel | undefined): TrackerSet {
    const ports = this.ports;
    const runner = this.processRunner;
    if (ports === undefined || runner === undefined) throw new Error('VRRP subsystem not started');
    const files = new LinuxTrackFiles((m) => ports.log.error(m));
    const defs = { scripts: vrrp?.scripts ?? [], trackFiles: vrrp?.trackFiles ?? [], trackProcesses: vrrp?.trackProcesses ?? [] };
    return new TrackerSet(defs, { runner, clock: ports.clock, log: ports.log, files, processes: new LinuxProcessTable() });
  }

  /** Reload: new script definitions, statuses kept by name; kept/updated drivers re-attached. */
  private async reloadWithTrackers(set: DriverSet, vrrp: VrrpModel | undefined, global: GlobalModel | undefined, bindings: readonly InstanceBinding[]): Promise<ReloadSummary> {
    const old = this.trackers;
    old?.stop();
    const trackers = this.newTrackers(vrrp);
    if (old !== undefined) trackers.inheritFrom(old);
    this.trackers = trackers;
    await trackers.prime();
    await this.events?.openFifos(global);
    this.events?.configureAlerts(global, vrrp);
    this.events?.configureSyncDaemon(global, vrrp);
    this.events?.buildGroups(vrrp);
    const summary = await set.reload(bindings);
    const started = new Set(summary.started);
    for (const driver of set.running) {
      if (started.has(driver.name)) continue;
      driver.clearTracks(trackers.attach(driver, bindingRefs(driver.binding)));
      this.events?.observe(driver, false);
    }
    trackers.start();
    return summary;
  }

  /**
   * no_accept instances need the firewall table: opened once (nftables options as at that time),
   * a leftover table of a killed daemon removed first.
   */
  private openVipFilter(bindings: readonly InstanceBinding[], global: GlobalModel): void {
    if (this.vipFilter !== undefined || !bindings.some((b) => b.noAccept === true)) return;
    if (!global.raw.has('nftables')) this.logger.info('use_vmac or no_accept/strict specified, but no firewall configured - using nftables');
    this.vipFilter = openLinuxVipFilter(global, driverLog(this.logger));
    void this.vipFilter.filter.cleanup();
  }

  private async adaptAll(vrrp: VrrpModel, global: GlobalModel, rt: RtNetlink): Promise<InstanceBinding[]> {
    const dumped = primaryAddressLookup(await readInterfaceAddresses(rt));
    // keepalived keeps the interface's address across a reload, also after it moved (interface-addresses.ts)
    const table = this.interfaceAddresses;
    const lookup = (name: string, family: VrrpFamily): string | undefined => (family === 'ipv4' ? table?.current(name) : undefined) ?? dumped(name, family);
    const out: InstanceBinding[] = [];
    for (const instance of vrrp.instances) {
      try {
        const group = vrrp.syncGroups.find((g) => g.members.includes(instance.name));
        const binding = adaptInstance(instance, global, lookup, group);
        for (const what of binding.unsupported) this.logger.warning(`(${instance.name}) ${what} is not supported by keepalived-ts yet - ignored`);
        out.push(binding);
      } catch (e) {
        if (!(e instanceof ConfigAdapterError)) throw e;
        this.logger.error(`${e.message} - instance not started`);
      }
    }
    return out;
  }

  /**
   * SIGHUP: unchanged instances keep running (no VIP flap), changed ones adopt the new settings in
   * place, removed ones resign, new ones start (DriverSet).
   */
  async reload(model: ConfigSnapshot): Promise<void> {
    const vrrp = model.vrrp;
    const global = model.global;
    if (this.set === undefined || this.resources === undefined) {
      if (vrrp !== undefined && needsVrrp(vrrp)) await this.start(model);
      return;
    }
    await this.statics?.apply(staticTargets(vrrp));
    const bindings = vrrp === undefined || global === undefined ? [] : await this.adaptAll(vrrp, global, this.resources.rt);
    if (global !== undefined) this.openVipFilter(bindings, global);
    const summary = await this.reloadWithTrackers(this.set, vrrp, global, bindings);
    if (global !== undefined) this.watchLateness(global, this.resources.clock);
    this.logger.detail(`VRRP reload: kept ${summary.kept.length}, updated ${summary.updated.length}, started ${summary.started.length}, stopped ${summary.stopped.length}`);
  }

  async shutdown(deadlineMs: number): Promise<void> {
    const set = this.set;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadlineMs - 100))));
    const scripts = this.scripts;
    this.trackers?.stop();
    const events = this.events;
    const vipFilter = this.vipFilter;
    this.vipFilter = undefined;
    const statics = this.statics;
    // -V: keepalived 2.2.7 sends no priority 0 and leaves VIPs, virtual routes/rules and VMACs; the
    // static entries and the firewall table still go
    const stopped = (set?.stopAll(this.opts.keepVrrp !== true) ?? Promise.resolve())
      .then(() => statics?.removeAll())
      .then(() => Promise.all([scripts?.idle(), events?.close(), vipFilter?.close()]));
    await Promise.race([stopped, deadline]);
    if (timer !== undefined) clearTimeout(timer);
    this.closeResources();
  }

  private closeResources(): void {
    const r = this.resources;
    this.resources = undefined;
    if (r === undefined) return;
    r.links.close();
    r.l2.close();
    r.routes.close();
    r.addresses.close();
    r.presence.close();
    r.clock.close();
    this.autoPriority = undefined;
    if (this.onCpuLimit !== undefined) process.off('SIGXCPU', this.onCpuLimit);
    this.onCpuLimit = undefined;
    r.rt.client.close();
  }

  dump(kind: DumpKind): string | undefined {
    const drivers = this.set?.reportable ?? [];
    if (drivers.length === 0) return undefined;
    if (kind === 'stats') return `${[...drivers.map((d) => d.statsText()), formatDaemonStats(this.set?.unknownVrids ?? 0)].join('\n')}\n`;
    return `${drivers.map((d) => dataText(d)).join('\n')}\n`;
  }
}

/** keepalived runs its VRRP process for instances, and also for static addresses/routes/rules alone. */
function needsVrrp(vrrp: VrrpModel): boolean {
  return vrrp.instances.length > 0 || hasStaticTargets(staticTargets(vrrp));
}

function dataText(d: InstanceDriver): string {
  const s = d.state;
  const { params } = d.binding;
  return [
    ` VRRP Instance = ${params.name}`,
    `   State = ${s.name}`,
    `   Interface = ${d.binding.interfaceName}`,
    `   Virtual Router ID = ${params.vrid}`,
    `   Priority = ${params.priority}`,
    `   Effective priority = ${s.effectivePriority}`,
    `   Advert interval = ${params.advertIntervalCs * 10} milli-sec`,
    `   Master router = ${s.masterAddress ?? '(none)'}`,
    `   Virtual IP = ${d.binding.vips.length}`,
    ...d.binding.vips.map((v) => `     ${v.address}/${v.prefixLength} dev ${v.interfaceName}`),
  ].join('\n');
}

type VrrpRegistrationOptions = ConfigProbeOptions & { readonly subsystems: { readonly vrrp: boolean }; readonly dontReleaseVrrp?: boolean };

/** Top-level blocks for which keepalived starts its VRRP process. */
const VRRP_BLOCKS = ['vrrp_instance', 'static_ipaddress', 'static_routes', 'static_rules'] as const;

/** Whether the configuration has any vrrp_instance or static_* block (includes and conditionals expanded). */
export function configHasVrrpInstances(options: ConfigProbeOptions, env?: ConfigEnvironment): boolean {
  return configHasTopLevel(VRRP_BLOCKS, options, env);
}

/** Registers the VRRP subsystem when the config has vrrp_instances (or static_*) and -C did not restrict the run to the checkers. */
export function registerVrrp(registry: SubsystemRegistry, services: { readonly logger: Logger; readonly options: VrrpRegistrationOptions }): void {
  if (services.options.subsystems.vrrp && configHasVrrpInstances(services.options)) registry.register(new VrrpSubsystem(services.logger, { keepVrrp: services.options.dontReleaseVrrp === true }));
}
