/**
 * The running instances of one daemon, and reload: old and new instances are matched as keepalived
 * matches them (VRID + family + interface + unicast-ness, not the name; keepalived-behaviour §4.2).
 * A matched instance whose settings did not change keeps running untouched (no VIP flap); a changed
 * one adopts the new settings in place (state kept, VIP list diffed); a removed one stops (priority
 * 0 from a MASTER, VIPs removed); a new one starts.
 */
import type { InstanceBinding } from './config-adapter.js';
import { InstanceDriver } from './driver.js';
import type { DriverPorts } from './ports.js';
import { followVmac, renameVmac, vmacCandidates } from './vmac.js';
import { isListening } from './state-machine.js';

export interface ReloadSummary {
  readonly kept: readonly string[];
  /** Matched but changed: adopted in place (state kept). */
  readonly updated: readonly string[];
  readonly started: readonly string[];
  readonly stopped: readonly string[];
}

/** keepalived's identity of an instance across a reload. */
export function instanceKey(b: InstanceBinding): string {
  const { params } = b;
  const unicast = params.unicastPeers.length > 0 ? `unicast:${params.primaryAddress}` : 'multicast';
  const vmac = b.vmac === undefined ? '' : `/vmac:${b.vmac.configuredName ?? b.vmac.name}:${b.vmac.mac}`;
  return `${params.vrid}/${params.family}/${b.interfaceName}/${unicast}${vmac}`;
}

/** Structural equality of two bindings (plain data: params, VIPs, TTL, tracking). */
export function sameBinding(a: InstanceBinding, b: InstanceBinding): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The adverts an instance's socket receives: every VRID on its interface and family. */
function socketKey(b: InstanceBinding): string {
  return `${b.interfaceName}/${b.params.family}`;
}

export class DriverSet {
  private drivers: InstanceDriver[] = [];
  private lastDrivers: InstanceDriver[] = [];
  private unknownVridCount = 0;

  /** `observe` is called for every driver before it starts (notify scripts, status). */
  constructor(
    private readonly ports: DriverPorts,
    private readonly observe: (driver: InstanceDriver) => void = () => undefined,
  ) {}

  get running(): readonly InstanceDriver[] {
    return this.drivers;
  }

  /** The running drivers, or after stopAll() the last ones (for a late stats dump). */
  get reportable(): readonly InstanceDriver[] {
    return this.drivers.length > 0 ? this.drivers : this.lastDrivers;
  }

  /**
   * Adverts whose VRID no running instance has on the interface and family they came in on.
   * keepalived drops them silently (logged with log_unknown_vrids); we also count them.
   */
  get unknownVrids(): number {
    return this.unknownVridCount;
  }

  /**
   * Starts the instances. Those without use_vmac start before this returns; those with one start
   * once their VMAC exists (the promise resolves when every instance has started or failed).
   */
  start(bindings: readonly InstanceBinding[]): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const b of bindings) {
      const p = this.launch(b);
      if (p !== undefined) pending.push(p);
    }
    return Promise.all(pending).then(() => undefined);
  }

  async reload(bindings: readonly InstanceBinding[]): Promise<ReloadSummary> {
    const old = new Map(this.drivers.map((d) => [instanceKey(d.binding), d]));
    const next: InstanceDriver[] = [];
    const toStart: InstanceBinding[] = [];
    const kept: string[] = [];
    const updated: string[] = [];
    const started: string[] = [];
    for (const configured of bindings) {
      const key = instanceKey(configured);
      const match = old.get(key);
      old.delete(key);
      const b = followVmac(configured, match?.binding);
      if (match !== undefined && sameBinding(match.binding, b)) {
        next.push(match);
        kept.push(b.params.name);
        continue;
      }
      if (match !== undefined && this.adopted(match, b)) {
        next.push(match);
        updated.push(b.params.name);
        continue;
      }
      if (match !== undefined) await this.stopDriver(match);
      started.push(b.params.name);
      toStart.push(b);
    }
    const stopped = [...old.values()];
    await Promise.all(stopped.map((d) => this.stopDriver(d)));
    this.drivers = next;
    await this.start(toStart);
    return { kept, updated, started, stopped: stopped.map((d) => d.name) };
  }

  private adopted(driver: InstanceDriver, binding: InstanceBinding): boolean {
    try {
      driver.adopt(binding);
      return true;
    } catch (e) {
      this.ports.log.error(`(${binding.params.name}) cannot apply the new settings: ${(e as Error).message}`);
      return false;
    }
  }

  /** `release: false` (-V/--dont-release-vrrp): VIPs, virtual routes/rules and VMACs stay (2.2.7). */
  async stopAll(release = true): Promise<void> {
    const drivers = this.drivers;
    this.drivers = [];
    this.lastDrivers = drivers;
    await Promise.allSettled(drivers.map((d) => (release ? this.stopDriver(d) : d.stop(false))));
  }

  /** Each listening instance on the socket sees the packet: counted once, by the first of them. */
  private otherVrid(from: InstanceDriver, vrid: number): void {
    const key = socketKey(from.binding);
    const same = this.drivers.filter((d) => socketKey(d.binding) === key);
    if (same.some((d) => d.binding.params.vrid === vrid)) return;
    if (same.find((d) => isListening(d.state)) !== from) return;
    this.unknownVridCount++;
  }

  /** Stops a driver (priority 0, VIPs removed), then deletes its VMAC as keepalived does. */
  private async stopDriver(driver: InstanceDriver): Promise<void> {
    await driver.stop();
    const vmac = driver.binding.vmac;
    if (vmac === undefined || this.ports.vmacs === undefined) return;
    try {
      await this.ports.vmacs.remove(vmac);
      this.ports.log.info(`(${driver.name}) Success removing VMAC interface ${vmac.name}`);
    } catch (e) {
      this.ports.log.error(`(${driver.name}) cannot remove VMAC interface ${vmac.name}: ${(e as Error).message}`);
    }
  }

  private launch(binding: InstanceBinding): Promise<void> | undefined {
    if (binding.vmac === undefined) {
      this.run(binding);
      return undefined;
    }
    return this.withVmac(binding).then((bound) => {
      if (bound !== undefined) this.run(bound);
    });
  }

  /**
   * Creates the VMAC (or takes over a matching one a killed run left: "Found matching interface"),
   * trying keepalived's other names when the default one belongs to another interface.
   * Returns the binding to run (VMAC name settled), or undefined when the instance cannot start.
   */
  private async withVmac(binding: InstanceBinding): Promise<InstanceBinding | undefined> {
    const vmac = binding.vmac;
    const name = binding.params.name;
    const port = this.ports.vmacs;
    if (vmac === undefined) return binding;
    if (port === undefined) {
      this.ports.log.error(`(${name}) cannot start: use_vmac is not available here`);
      return undefined;
    }
    for (const candidate of vmacCandidates(vmac, binding.params.vrid)) {
      const bound = candidate === vmac.name ? binding : renameVmac(binding, candidate);
      try {
        const outcome = await port.ensure(bound.vmac ?? vmac);
        if (outcome === 'taken') continue;
        this.ports.log.info(outcome === 'created' ? `(${name}): Success creating VMAC interface ${candidate}` : `(${name}) Found matching interface ${candidate}`);
        return bound;
      } catch (e) {
        this.ports.log.error(`(${name}) cannot create VMAC interface ${candidate}: ${(e as Error).message} - instance not started`);
        return undefined;
      }
    }
    this.ports.log.error(`(${name}) interface ${vmac.name} exists and is not this instance's VMAC - instance not started`);
    return undefined;
  }

  private run(binding: InstanceBinding): void {
    const ports: DriverPorts = { ...this.ports, otherVrid: (vrid) => this.otherVrid(driver, vrid) };
    const driver: InstanceDriver = new InstanceDriver(binding, ports);
    this.observe(driver);
    try {
      driver.start();
      this.drivers.push(driver);
    } catch (e) {
      this.ports.log.error(`(${binding.params.name}) cannot start: ${(e as Error).message}`);
      void driver.stop();
    }
  }
}
