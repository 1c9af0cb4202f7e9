/**
 * The checker subsystem (keepalived's healthcheckers process): from the LVS model it builds every
 * real server's checkers (probe + the one scheduler), keeps each real server UP only while all of
 * its checkers pass, logs keepalived's lines for every transition, runs notify_up/notify_down
 * asynchronously, applies MISC_CHECK/FILE_CHECK dynamic weights, and streams typed PoolEvents
 * to a PoolSink (the data plane). Reload keeps unchanged checkers and their state.
 *
 * Structurally a daemon Subsystem (src/daemon/subsystem.ts); the daemon wires the Linux ports.
 */
import type { LvsModel } from '../config/model/lvs.js';
import type { CheckClock, Rng } from './clock.js';
import { CheckScheduler, type CheckerEvent, type SchedulerOptions } from './scheduler.js';
import type { ServerTransition } from './server-health.js';
import type { PoolEvent, PoolEventType, PoolSink } from './checker-subsystem-events.js';
import { checkerDownMessage, checkerUpMessage, failureDetailMessage, serverTransitionMessage, weightChangeMessage } from './checker-subsystem-messages.js';
import { NotifyDispatcher, type NotifyRunner } from './checker-subsystem-notify.js';
import { planServers, type CheckerPlan, type ServerPlan } from './checker-subsystem-plan.js';
import type { ProbeBuilder } from './checker-subsystem-probes.js';
import type { Probe } from './probe.js';
import { HaSuspendGate, type AddressChange, type AddressPresencePort } from './address-presence.js';

export interface CheckLog {
  error(message: string): void;
  warning(message: string): void;
  info(message: string): void;
  detail(message: string): void;
}

export interface CheckerSubsystemPorts {
  readonly clock: CheckClock;
  readonly rng: Rng;
  readonly log: CheckLog;
  readonly sink: PoolSink;
  readonly buildProbe: ProbeBuilder;
  readonly notifyRunner?: NotifyRunner;
  readonly scriptUser?: { readonly uid: number; readonly gid: number };
  /** Scheduler spread options (tests turn jitter off). */
  readonly spread?: SchedulerOptions['spread'];
  /** The host's addresses, for ha_suspend (none: ha_suspend is not honoured, with a warning). */
  readonly addresses?: AddressPresencePort;
}

interface ServerRecord {
  plan: ServerPlan;
  up: boolean;
  weight: number;
}

interface RunningChecker {
  readonly plan: CheckerPlan;
  readonly serverKey: string;
}

export class CheckerSubsystem {
  readonly name = 'checker';
  private readonly scheduler: CheckScheduler;
  private readonly notify: NotifyDispatcher;
  private readonly servers = new Map<string, ServerRecord>();
  private readonly checkers = new Map<string, RunningChecker>();
  private lvs: LvsModel | undefined;
  private readonly gate = new HaSuspendGate();
  /** The address monitor: opened on the first ha_suspend, or unavailable (reported once). */
  private addressWatch: 'closed' | 'open' | 'unavailable' = 'closed';

  constructor(private readonly ports: CheckerSubsystemPorts) {
    this.notify = new NotifyDispatcher(ports.notifyRunner, ports.log, ports.scriptUser);
    this.scheduler = new CheckScheduler({
      clock: ports.clock,
      rng: ports.rng,
      onServerTransition: (t) => this.onServerTransition(t),
      onCheckerEvent: (e) => this.onCheckerEvent(e),
      ...(ports.spread !== undefined ? { spread: ports.spread } : {}),
    });
  }

  async start(model: { readonly lvs?: LvsModel }): Promise<void> {
    this.lvs = model.lvs;
    await this.followAddresses(model.lvs);
    for (const plan of planServers(model.lvs)) await this.addServer(plan);
    this.scheduler.start();
    this.ports.log.info(`Activating healthchecker for service(s): ${this.servers.size} real server(s), ${this.checkers.size} checker(s)`);
  }

  async reload(model: { readonly lvs?: LvsModel }): Promise<void> {
    this.lvs = model.lvs;
    await this.followAddresses(model.lvs);
    const next = new Map(planServers(model.lvs).map((p) => [p.key, p]));
    for (const [key, record] of this.servers) {
      const plan = next.get(key);
      if (plan === undefined || plan.fingerprint !== record.plan.fingerprint) this.dropServer(record, plan === undefined);
    }
    for (const plan of next.values()) {
      const record = this.servers.get(plan.key);
      if (record === undefined) await this.addServer(plan);
      else await this.updateServer(record, plan);
    }
    this.syncSuspension();
  }

  async shutdown(deadlineMs: number): Promise<void> {
    this.scheduler.stop();
    if (this.addressWatch === 'open') this.ports.addresses?.close();
    this.addressWatch = 'closed';
    for (const record of this.servers.values()) {
      if (record.plan.vs.omega && record.up) this.notify.fire(record.plan.rs.notifyDown, `${record.plan.rs.name} of VS ${record.plan.vs.name}`);
    }
    await this.drainNotifies(Math.max(0, deadlineMs - 100));
  }

  dump(kind: 'data' | 'stats'): string | undefined {
    if (kind !== 'data' || this.servers.size === 0) return undefined;
    const lines: string[] = [];
    for (const r of this.servers.values()) {
      lines.push(` RS = ${r.plan.rs.name} of VS ${r.plan.vs.name}`, `   State = ${r.up ? 'UP' : 'DOWN'}`, `   Weight = ${r.weight}`);
      for (const c of r.plan.checkers) {
        const s = this.scheduler.snapshot(c.id);
        if (s) lines.push(`   ${c.checker.type} ${c.target}: ${s.up ? 'up' : 'down'}, ${s.attempts} attempt(s)`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  /** Current health of one real server of one VS (undefined when unknown). */
  serverState(key: string): { readonly up: boolean; readonly weight: number } | undefined {
    const r = this.servers.get(key);
    return r ? { up: r.up, weight: r.weight } : undefined;
  }

  runningCheckerIds(): string[] {
    return [...this.checkers.keys()];
  }

  // ---- building and dropping

  private async addServer(plan: ServerPlan): Promise<void> {
    const record: ServerRecord = { plan, up: true, weight: plan.rs.weight };
    this.servers.set(plan.key, record);
    for (const c of plan.checkers) await this.addChecker(plan, c);
    record.up = this.scheduler.serverUp(plan.key) ?? !plan.vs.alpha;
    this.emit(record, 'initial', 'configured');
  }

  private async updateServer(record: ServerRecord, plan: ServerPlan): Promise<void> {
    record.plan = plan;
    const wanted = new Map(plan.checkers.map((c) => [c.id, c]));
    for (const [id, running] of this.checkers) {
      if (running.serverKey !== plan.key) continue;
      const c = wanted.get(id);
      if (c === undefined || c.fingerprint !== running.plan.fingerprint) this.removeChecker(id);
    }
    for (const c of plan.checkers) if (!this.checkers.has(c.id)) await this.addChecker(plan, c);
    const up = this.scheduler.serverUp(plan.key) ?? true;
    if (up !== record.up) this.setServerUp(record, up, 'configuration reloaded');
  }

  private dropServer(record: ServerRecord, removed: boolean): void {
    for (const [id, running] of this.checkers) if (running.serverKey === record.plan.key) this.removeChecker(id);
    this.servers.delete(record.plan.key);
    if (removed) this.emit(record, 'removed', 'removed from the configuration');
  }

  private async addChecker(server: ServerPlan, c: CheckerPlan): Promise<void> {
    const probe = await this.tryBuild(server, c);
    if (probe === undefined) return;
    this.checkers.set(c.id, { plan: c, serverKey: server.key });
    const active = this.gate.isActive(server.vs.name);
    this.scheduler.add({ id: c.id, serverId: server.key, timing: c.timing, probe, suspended: !active });
    if (this.gate.governs(server.vs.name)) this.ports.log.info(`${active ? 'A' : 'Dea'}ctivating healthchecker for service ${server.rs.name} for VS ${server.vs.name}`);
  }

  // ---- ha_suspend

  /** Opens the address monitor when the configuration first uses ha_suspend, and (re)configures the gate. */
  private async followAddresses(lvs: LvsModel | undefined): Promise<void> {
    if (this.addressWatch === 'closed' && HaSuspendGate.needed(lvs)) {
      const port = this.ports.addresses;
      try {
        if (port === undefined) throw new Error('no address monitor');
        const initial = await port.open((c) => this.onAddress(c));
        this.addressWatch = 'open';
        this.gate.configure(lvs);
        this.gate.reset(initial);
        return;
      } catch (e) {
        this.addressWatch = 'unavailable';
        this.ports.log.error(`ha_suspend: cannot follow the host's addresses (${(e as Error).message}) - checkers are never suspended`);
      }
    }
    this.gate.configure(this.addressWatch === 'open' ? lvs : undefined);
  }

  private onAddress(change: AddressChange): void {
    if (this.gate.apply(change).length > 0) this.syncSuspension();
  }

  /** Every checker suspended exactly when its virtual server is ha_suspend and its address absent. */
  private syncSuspension(): void {
    for (const [id, running] of this.checkers) {
      const record = this.servers.get(running.serverKey);
      if (record === undefined) continue;
      const { vs, rs } = record.plan;
      const active = this.gate.isActive(vs.name);
      if (this.scheduler.isSuspended(id) !== active) continue;
      this.scheduler.setSuspended(id, !active);
      this.ports.log.info(`${active ? 'Activat' : 'Suspend'}ing healthchecker for service ${rs.name} for VS ${vs.name}`);
    }
  }

  private removeChecker(id: string): void {
    this.scheduler.remove(id);
    this.checkers.delete(id);
  }

  private async tryBuild(server: ServerPlan, c: CheckerPlan): Promise<Probe | undefined> {
    try {
      return await this.ports.buildProbe(server, c, this.lvs ?? { virtualServers: [], groups: new Map() });
    } catch (e) {
      this.ports.log.error(`${c.checker.type} for ${c.target} of VS ${server.vs.name}: ${(e as Error).message} - checker not started`);
      return undefined;
    }
  }

  // ---- events from the scheduler

  private onCheckerEvent(e: CheckerEvent): void {
    const running = this.checkers.get(e.checkerId);
    const record = running ? this.servers.get(running.serverKey) : undefined;
    if (!running || !record) return;
    const { plan } = running;
    if (e.outcome === 'up') this.ports.log.info(checkerUpMessage(plan.checker, plan.target, e.result, record.plan.vs.name));
    else if (e.outcome === 'down') this.ports.log.info(checkerDownMessage(plan.checker, plan.target, plan.timing.retry));
    else if (!e.result.ok) this.logFailure(plan, e);
    if (e.result.ok && e.result.weight !== undefined) this.setWeight(record, e.result.weight, e.result.detail ?? 'dynamic weight');
  }

  private logFailure(plan: CheckerPlan, e: CheckerEvent): void {
    const text = failureDetailMessage(plan.target, plan.checker, e.result);
    if (text === undefined) return;
    // keepalived logs each failure with log_all_failures only while the checker is up (retries)
    if (plan.timing.logAllFailures && e.outcome === 'retry') this.ports.log.info(text);
    else this.ports.log.detail(text);
  }

  private onServerTransition(t: ServerTransition): void {
    const record = this.servers.get(t.serverId);
    if (record) this.setServerUp(record, t.up, t.reason);
  }

  private setServerUp(record: ServerRecord, up: boolean, reason: string): void {
    if (record.up === up) return;
    record.up = up;
    const { vs, rs } = record.plan;
    this.ports.log.info(serverTransitionMessage(up, record.plan.inhibit, rs.name, vs.name));
    this.emit(record, up ? 'up' : 'down', reason);
    this.notify.fire(up ? rs.notifyUp : rs.notifyDown, `${rs.name} of VS ${vs.name}`);
  }

  private setWeight(record: ServerRecord, weight: number, reason: string): void {
    if (record.weight === weight) return;
    this.ports.log.info(weightChangeMessage(record.weight, weight, record.up, record.plan.rs.name, record.plan.vs.name));
    record.weight = weight;
    this.emit(record, 'weight', reason);
  }

  private emit(record: ServerRecord, type: PoolEventType, reason: string): void {
    const { vs, rs } = record.plan;
    const event: PoolEvent = { type, virtualServer: vs.name, realServer: rs.name, endpoint: rs.endpoint, up: record.up, weight: record.weight, inhibit: record.plan.inhibit, reason };
    try {
      this.ports.sink.apply(event);
    } catch (e) {
      this.ports.log.error(`pool update for ${rs.name} of VS ${vs.name} failed: ${(e as Error).message}`);
    }
  }

  private drainNotifies(budgetMs: number): Promise<void> {
    if (this.notify.pending() === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.ports.clock.setTimer(resolve, budgetMs);
      void this.notify.drain().then(() => {
        this.ports.clock.clearTimer(timer);
        resolve();
      });
    });
  }
}
