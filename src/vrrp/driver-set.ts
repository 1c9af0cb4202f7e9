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
  return `${params.vrid}/${params.family}/${b.interfaceName}/${unicast}`;
}

/** Structural equality of two bindings (plain data: params, VIPs, TTL, tracking). */
export function sameBinding(a: InstanceBinding, b: InstanceBinding): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class DriverSet {
  private drivers: InstanceDriver[] = [];
  private lastDrivers: InstanceDriver[] = [];

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

  start(bindings: readonly InstanceBinding[]): void {
    for (const b of bindings) this.launch(b);
  }

  async reload(bindings: readonly InstanceBinding[]): Promise<ReloadSummary> {
    const old = new Map(this.drivers.map((d) => [instanceKey(d.binding), d]));
    const next: InstanceDriver[] = [];
    const toStart: InstanceBinding[] = [];
    const kept: string[] = [];
    const updated: string[] = [];
    const started: string[] = [];
    for (const b of bindings) {
      const key = instanceKey(b);
      const match = old.get(key);
      old.delete(key);
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
      if (match !== undefined) await match.stop();
      started.push(b.params.name);
      toStart.push(b);
    }
    const stopped = [...old.values()];
    await Promise.all(stopped.map((d) => d.stop()));
    this.drivers = next;
    for (const b of toStart) this.launch(b);
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

  async stopAll(): Promise<void> {
    const drivers = this.drivers;
    this.drivers = [];
    this.lastDrivers = drivers;
    await Promise.allSettled(drivers.map((d) => d.stop()));
  }

  private launch(binding: InstanceBinding): void {
    const driver = new InstanceDriver(binding, this.ports);
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
