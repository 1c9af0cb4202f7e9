/**
 * The load-balancing pool in the daemon: a Subsystem ("pool", registered before the checkers so
 * it starts first and stops after them) and the checkers' PoolSink.
 *
 * start:    lb_data_plane -> plane selection (logged: which plane and why), the plane's start
 *           removes what a killed daemon left, the initial pool is installed, the LVS notify
 *           FIFOs (notify_fifo, lvs_notify_fifo; pool-wiring-fifo-set.ts) are opened and their
 *           scripts started when configured.
 * events:   checker PoolEvents -> PoolController (initial/up/down/weight; `removed` is handled
 *           by the reload); RS lines to the FIFOs; quorum and sorry-server effects -> logs,
 *           quorum_up/quorum_down scripts, VS lines to the FIFOs.
 * reload:   the new configuration's pool with the running liveness carried over; the plane is
 *           touched only when the desired pool differs, and applies only the difference.
 * shutdown: omega, then the plane is emptied (the table removed), unless -I/--dont-release-ipvs.
 * mails:    smtp_alert (src/notify/checker-alerts.ts): a real server's UP/DOWN and a quorum change
 *           send one mail each through the mail port, never awaited (a hanging SMTP server delays
 *           nothing).
 *
 * Every dependency is a port (plane selection, script runner, FIFO opener): the Linux ones are
 * wired in pool-wiring-linux.ts; the scenario test uses fakes.
 */
import type { PoolEvent as CheckerPoolEvent, PoolSink } from '../check/checker-subsystem-events.js';
import { NotifyDispatcher, type NotifyRunner } from '../check/checker-subsystem-notify.js';
import type { LvsModel, VirtualServer } from '../config/model/lvs.js';
import type { ApplyResult, DataPlane, DataPlaneChoice } from '../lb/data-plane.js';
import { dataPlaneChoiceFromGlobal, type PlaneSelection } from '../lb/plane-select.js';
import type { IpvsPlaneOptions } from '../lb/planes/ipvs-plane.js';
import { ipvsPlaneOptions } from '../lb/planes/ipvs-settings.js';
import { PoolController } from '../lb/pool-controller.js';
import { carryOver, initialPoolState } from '../lb/pool-state.js';
import { checkerAlertConfig, quorumAlert, realServerAlert, type CheckerAlertConfig, type CheckerAlertText } from '../notify/checker-alerts.js';
import { smtpAlertSettings, type SmtpAlertSettings } from '../notify/smtp-message.js';
import type { Logger } from './logger.js';
import { FifoSet, poolFifoSpecs, type FifoScriptPort } from './pool-wiring-fifo-set.js';
import { PoolEffectHandler, type LineWriterFactory } from './pool-wiring-notify.js';
import type { ConfigSnapshot, DumpKind, Subsystem } from './subsystem.js';

export interface PoolWiringPorts {
  readonly log: Logger;
  /** Selects the plane; `ipvs` carries lvs_timeouts / lvs_flush / lvs_flush_on_stop for the IPVS plane. */
  selectPlane(choice: DataPlaneChoice, settings: { readonly ipvs: IpvsPlaneOptions }): Promise<PlaneSelection>;
  readonly notifyRunner: NotifyRunner;
  readonly fifos: LineWriterFactory;
  /** Starts `*_notify_fifo_script`s (none: the scripts are not run). */
  readonly fifoScripts?: FifoScriptPort;
  /** The VRRP subsystem runs in this process and starts `notify_fifo_script` itself. */
  readonly vrrpRunsGlobalFifoScript?: boolean;
  /** -I/--dont-release-ipvs: leave the forwarding state in place at stop. */
  readonly keepOnStop: boolean;
  /** smtp_alert mails (none: no mail is sent); `send` must return at once. */
  readonly mail?: PoolMailPort;
}

export interface PoolMailPort {
  /** The host name and user of the default HELO and From. */
  readonly host: { readonly hostname: string; readonly user: string };
  send(settings: SmtpAlertSettings, subject: string, body: string): void;
  close(): void;
}

export class PoolStartError extends Error {
  readonly code = 'LB_POOL_START';
}

export class PoolSubsystem implements Subsystem, PoolSink {
  readonly name = 'pool';
  private controller: PoolController | undefined;
  private plane: DataPlane | undefined;
  private choice: DataPlaneChoice = 'auto';
  private lvs: LvsModel | undefined;
  private readonly fifos: FifoSet;
  private readonly warned = new Set<string>();
  private readonly notify: NotifyDispatcher;
  private readonly effects: PoolEffectHandler;
  private alerts: { readonly settings: SmtpAlertSettings; readonly config: CheckerAlertConfig } | undefined;

  constructor(private readonly ports: PoolWiringPorts) {
    this.notify = new NotifyDispatcher(ports.notifyRunner, ports.log);
    this.fifos = new FifoSet(ports.fifos, ports.fifoScripts, ports.log);
    this.effects = new PoolEffectHandler({
      log: ports.log,
      notify: this.notify,
      fifo: () => (this.fifos.size > 0 ? this.fifos : undefined),
      virtualServer: (name) => this.virtualServer(name),
      quorumChanged: (vs, held, aliveWeight) => this.quorumMail(vs, held, aliveWeight),
    });
  }

  /** The data plane in use (undefined before start). */
  get dataPlane(): DataPlane | undefined {
    return this.plane;
  }

  get pool(): PoolController | undefined {
    return this.controller;
  }

  async start(model: ConfigSnapshot): Promise<void> {
    this.lvs = model.lvs;
    this.configureMail(model);
    this.choice = dataPlaneChoiceFromGlobal(model.global?.raw);
    const selection = await this.ports.selectPlane(this.choice, { ipvs: ipvsPlaneOptions(model.global) });
    if (!selection.ok) throw new PoolStartError(selection.report);
    this.ports.log.info(selection.report);
    this.plane = selection.plane;
    await this.openFifos(model);
    const controller = new PoolController(initialPoolState(this.model()), selection.plane, {
      onEffect: (e) => this.effects.handle(e),
      onApplied: (r) => this.applied(r),
    });
    this.controller = controller;
    const r = await controller.start();
    if (!r.ok) {
      // the checks still run (keepalived carries on when IPVS refuses a change): retry in the background
      this.ports.log.error(`lb: ${r.error} - the pool is retried on the next event`);
      void controller.resync();
      return;
    }
    const d = selection.plane.describe();
    this.ports.log.info(`lb: ${d.summary} ready (leftover of a previous run removed): ${d.services} virtual service(s), ${d.destinations} destination(s)`);
  }

  /** The checkers' events (synchronous, never blocks: applies run in the background). */
  apply(event: CheckerPoolEvent): void {
    const c = this.controller;
    if (c === undefined) return;
    const { virtualServer: vs, realServer: rs } = event;
    switch (event.type) {
      case 'initial':
        c.onRealServer(vs, rs, event.up);
        c.onRealServerWeight(vs, rs, event.weight);
        return;
      case 'up':
      case 'down':
        this.effects.realServer(rs, vs, event.up);
        this.realServerMail(vs, rs, event.up);
        c.onRealServer(vs, rs, event.up);
        return;
      case 'weight':
        c.onRealServerWeight(vs, rs, event.weight);
        return;
      case 'removed':
        return; // the reload's new pool no longer has it
    }
  }

  async reload(model: ConfigSnapshot): Promise<void> {
    const c = this.controller;
    if (c === undefined) return this.start(model);
    const choice = dataPlaneChoiceFromGlobal(model.global?.raw);
    if (choice !== this.choice) this.ports.log.warning(`lb_data_plane ${choice}: a data plane change needs a restart - keeping ${this.plane?.describe().summary ?? this.choice}`);
    this.lvs = model.lvs;
    this.configureMail(model);
    await this.openFifos(model);
    const scheduled = c.reconfigure(carryOver(c.current, initialPoolState(this.model())));
    await c.idle();
    this.ports.log.info(scheduled ? 'lb: reload: pool changes applied' : 'lb: reload: pool unchanged - data plane not touched');
  }

  async shutdown(): Promise<void> {
    const c = this.controller;
    if (c !== undefined && this.ports.keepOnStop) {
      await c.idle();
      this.ports.log.info(`lb: leaving ${this.plane?.describe().summary ?? 'the data plane'} in place (--dont-release-ipvs)`);
    } else if (c !== undefined) {
      const r = await c.stop();
      if (r.ok) this.ports.log.info(`lb: ${this.plane?.describe().summary ?? 'data plane'} removed`);
    }
    await this.plane?.close?.();
    await this.notify.drain();
    await this.fifos.close();
    this.ports.mail?.close();
  }

  dump(kind: DumpKind): string | undefined {
    if (kind !== 'data' || this.plane === undefined) return undefined;
    const d = this.plane.describe();
    const last = d.lastError !== undefined ? `\n Last error = ${d.lastError}` : '';
    return ` Data plane = ${d.summary}\n Services = ${d.services}\n Destinations = ${d.destinations}${last}\n`;
  }

  /** smtp_alert settings of this configuration (start and reload); none without smtp_server / notification_email. */
  private configureMail(model: ConfigSnapshot): void {
    const mail = this.ports.mail;
    const settings = mail === undefined || model.global === undefined ? undefined : smtpAlertSettings(model.global, mail.host);
    this.alerts = settings === undefined || model.global === undefined ? undefined : { settings, config: checkerAlertConfig(model.global, this.model()) };
  }

  private realServerMail(vs: string, rs: string, up: boolean): void {
    const a = this.alerts;
    const r = a?.config.realServer(vs, rs);
    if (a === undefined || r === undefined || !r.enabled) return;
    this.sendMail(realServerAlert(a.config.routerId, rs, vs, up, r.checker));
  }

  private quorumMail(vsName: string, held: boolean, aliveWeight: number): void {
    const a = this.alerts;
    const vs = a?.config.virtualServer(vsName);
    if (a === undefined || vs === undefined || !a.config.virtualServerEnabled(vsName)) return;
    this.sendMail(quorumAlert(a.config.routerId, vs, held, aliveWeight));
  }

  private sendMail(alert: CheckerAlertText): void {
    if (this.alerts !== undefined) this.ports.mail?.send(this.alerts.settings, alert.subject, alert.body);
  }

  private model(): LvsModel {
    return this.lvs ?? { virtualServers: [], groups: new Map() };
  }

  private virtualServer(name: string): VirtualServer | undefined {
    return this.lvs?.virtualServers.find((v) => v.name === name);
  }

  private applied(r: ApplyResult): void {
    for (const w of r.warnings) {
      if (this.warned.has(w)) continue;
      this.warned.add(w);
      this.ports.log.warning(`lb: ${w}`);
    }
    if (!r.ok) this.ports.log.error(`lb: ${r.error} (${r.code})`);
    else this.ports.log.detail(`lb: applied ${r.changes} change(s) in ${r.durationMs.toFixed(1)} ms`);
  }

  private async openFifos(model: ConfigSnapshot): Promise<void> {
    const specs = poolFifoSpecs(model.global, this.ports.vrrpRunsGlobalFifoScript ?? false);
    await this.fifos.configure(specs, model.global?.scriptUser ?? { uid: 0, gid: 0 });
  }
}
