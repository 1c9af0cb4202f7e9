/**
 * The VRRP subsystem's event outputs and sync groups, wired for Linux:
 * - notify_fifo / vrrp_notify_fifo opened read-write non-blocking (pool-wiring-fifo.ts), each
 *   `*_fifo_script` started once with the FIFO name appended and stopped at shutdown;
 * - every driver observed by the VrrpNotifier (FIFO lines in transition order, notify scripts);
 * - one SyncGroupCoordinator per vrrp_sync_group, members added before they start, group
 *   transitions to the group's notify scripts and FIFO "GROUP" lines;
 * - smtp_alert mails for instance and group transitions, sent in the background (SmtpMailer);
 * - lvs_sync_daemon: the IPVS sync daemon follows its instance (IpvsSyncFollower, over the IPVS
 *   generic netlink channel; a kernel without IPVS is reported once).
 */
import { hostname, userInfo } from 'node:os';
import type { GlobalModel, NotifyFifo } from '../config/model/global.js';
import type { VrrpModel } from '../config/model/vrrp.js';
import type { ProcessRunner } from '../os/linux/process-runner.js';
import type { ScriptRunnerPort } from '../vrrp/driver-notify.js';
import type { InstanceDriver } from '../vrrp/driver.js';
import { VrrpNotifier, type LinePort } from '../vrrp/notifier.js';
import { SyncGroupCoordinator } from '../vrrp/sync-group.js';
import { alertConfig, VrrpSmtpAlerts } from '../vrrp/smtp-alerts.js';
import { smtpAlertSettings, type SmtpAlertSettings } from '../notify/smtp-message.js';
import { SmtpMailer } from '../notify/smtp-client.js';
import { createSystemClock } from './runtime.js';
import type { DriverLog } from '../vrrp/ports.js';
import { fifoWriterFactory } from './pool-wiring-fifo.js';
import { IpvsSyncFollower, type SyncFollowerPorts } from '../lb/planes/ipvs-sync-follower.js';
import { ipvsSyncDaemonSetting } from '../lb/planes/ipvs-settings.js';
import { openIpvsSyncPort } from '../os/linux/data-plane-factory.js';
import type { LineWriter } from './pool-wiring-notify.js';

/** A FIFO script runs as long as the daemon: its timeout is only a backstop (~24 days). */
const FIFO_SCRIPT_TIMEOUT_MS = 2 ** 31 - 1;

interface OpenFifo {
  readonly path: string;
  readonly writer: LineWriter;
  readonly script?: AbortController;
}

export class VrrpEvents {
  private fifos: OpenFifo[] = [];
  private groups = new Map<string, SyncGroupCoordinator>();
  private groupOf = new Map<string, SyncGroupCoordinator>();
  readonly notifier: VrrpNotifier;
  private readonly mailer: SmtpMailer;
  private readonly alerts: VrrpSmtpAlerts;
  private mailSettings: SmtpAlertSettings | undefined;
  private readonly syncd: IpvsSyncFollower;

  constructor(
    private readonly runner: ProcessRunner,
    scripts: ScriptRunnerPort,
    private readonly log: DriverLog,
    openIpvs: SyncFollowerPorts['open'] = openIpvsSyncPort,
  ) {
    this.syncd = new IpvsSyncFollower({ open: openIpvs, log });
    this.notifier = new VrrpNotifier(scripts, () => this.fifos.map((f): LinePort => f.writer));
    this.mailer = new SmtpMailer(createSystemClock(), log);
    this.alerts = new VrrpSmtpAlerts({
      send: (alert) => {
        if (this.mailSettings !== undefined) this.mailer.send(this.mailSettings, alert.subject, alert.body);
      },
    }, undefined);
  }

  /** smtp_alert settings of this config (start and reload). */
  configureAlerts(global: GlobalModel | undefined, vrrp: VrrpModel | undefined): void {
    this.mailSettings = global === undefined ? undefined : smtpAlertSettings(global, { hostname: hostname(), user: currentUser() });
    this.alerts.configure(this.mailSettings === undefined || global === undefined || vrrp === undefined ? undefined : alertConfig(global, vrrp));
  }

  /** lvs_sync_daemon of this config (start and reload; before the drivers are observed). */
  configureSyncDaemon(global: GlobalModel | undefined, vrrp: VrrpModel | undefined): void {
    this.syncd.configure(ipvsSyncDaemonSetting(global, vrrp));
  }

  /** Opens the configured VRRP FIFOs that are not open yet (reload: closes the ones gone). */
  async openFifos(global: GlobalModel | undefined): Promise<void> {
    const wanted = [global?.notifyFifo, global?.vrrpNotifyFifo].filter((f): f is NotifyFifo => f !== undefined);
    const paths = new Set(wanted.map((f) => f.path));
    const gone = this.fifos.filter((f) => !paths.has(f.path));
    this.fifos = this.fifos.filter((f) => paths.has(f.path));
    await Promise.all(gone.map((f) => this.closeFifo(f)));
    for (const fifo of wanted) {
      if (this.fifos.some((f) => f.path === fifo.path)) continue;
      try {
        const writer = await fifoWriterFactory(this.runner).open(fifo.path);
        this.fifos.push({ path: fifo.path, writer, ...(fifo.script === undefined ? {} : { script: this.startFifoScript(fifo, global) }) });
      } catch (e) {
        this.log.error(`Unable to open notify FIFO ${fifo.path}: ${(e as Error).message}`);
      }
    }
  }

  private startFifoScript(fifo: NotifyFifo, global: GlobalModel | undefined): AbortController {
    const abort = new AbortController();
    const argv = [...(fifo.script?.argv ?? []), fifo.path];
    const user = fifo.user ?? global?.scriptUser ?? { uid: 0, gid: 0 };
    void this.runner.run({ argv, uid: user.uid, gid: user.gid, timeoutMs: FIFO_SCRIPT_TIMEOUT_MS, signal: abort.signal }).then((o) => {
      if (!abort.signal.aborted) this.log.warning(`Notify FIFO script ${argv.join(' ')} ended (${o.kind === 'exited' ? `status ${o.exitCode}` : o.kind})`);
    });
    return abort;
  }

  /** vrrp_sync_groups for this config (reload: the previous coordinators are dropped). */
  buildGroups(vrrp: VrrpModel | undefined): void {
    for (const g of this.groups.values()) g.detach();
    this.groups = new Map();
    this.groupOf = new Map();
    for (const spec of vrrp?.syncGroups ?? []) {
      const group = new SyncGroupCoordinator(spec.name);
      this.notifier.observeGroup(group, spec.notify);
      this.alerts.observeGroup(group);
      this.groups.set(spec.name, group);
      for (const m of spec.members) this.groupOf.set(m, group);
    }
  }

  /** Called for each driver before it starts (and for kept drivers after a reload). */
  observe(driver: InstanceDriver, notify = true): void {
    if (notify) {
      this.notifier.observeInstance(driver);
      this.alerts.observeInstance(driver);
    }
    this.groupOf.get(driver.name)?.add(driver);
    this.syncd.observe(driver);
  }

  async close(): Promise<void> {
    this.mailer.close();
    await this.syncd.close();
    for (const g of this.groups.values()) g.detach();
    const fifos = this.fifos;
    this.fifos = [];
    await Promise.all(fifos.map((f) => this.closeFifo(f)));
  }

  private async closeFifo(f: OpenFifo): Promise<void> {
    f.script?.abort();
    await f.writer.close().catch(() => undefined);
  }
}

/** The name keepalived puts in the default notification_email_from (the user it runs as). */
function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'root');
  }
}
