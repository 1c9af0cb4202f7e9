/**
 * smtp_alert for VRRP (keepalived-behaviour §1.3), pure: which transitions send a mail, and its
 * subject and body as keepalived 2.2.7 writes them (captured from its mails):
 *   [router_id] VRRP Instance VI_1 - Entering MASTER state   => VRRP Instance is now owning VRRP VIPs <=
 *   [router_id] VRRP Instance VI_1 - Entering BACKUP state   => VRRP Instance is no longer owning VRRP VIPs <=
 *   [router_id] VRRP Instance VI_1 - Entering FAULT state    => VRRP Instance is no longer owning VRRP VIPs <=
 *   [router_id] VRRP Group G1 - Entering MASTER state        => All VRRP group instances are now in MASTER state <=
 * The initial BACKUP (or FAULT) counts; stopping sends nothing. An instance alerts when its
 * `smtp_alert` (else global smtp_alert_vrrp, else smtp_alert) is on, a sync group likewise with
 * its own `smtp_alert`; a member instance and its group both alert when both are on.
 * `no_email_faults` suppresses the FAULT mails. The mail port never blocks (fire and forget).
 */
import type { GlobalModel } from '../config/model/global.js';
import type { VrrpStateName } from './state-machine-types.js';
import type { DriverEvent, TransitionObserver } from './driver.js';
import type { GroupTransition, SyncGroupCoordinator } from './sync-group.js';

export interface AlertText {
  readonly subject: string;
  readonly body: string;
}

/** Sends one alert asynchronously; must return at once. */
export interface AlertMailPort {
  send(alert: AlertText): void;
}

const ALERTED: ReadonlySet<VrrpStateName> = new Set(['MASTER', 'BACKUP', 'FAULT']);

function wanted(from: VrrpStateName, to: VrrpStateName, noFaults: boolean): boolean {
  return from !== to && ALERTED.has(to) && !(noFaults && to === 'FAULT');
}

export function instanceAlert(routerId: string, event: DriverEvent, noFaults = false): AlertText | undefined {
  if (event.kind !== 'transition' || !wanted(event.from, event.to, noFaults)) return undefined;
  const owning = event.to === 'MASTER' ? 'is now owning' : 'is no longer owning';
  return { subject: `[${routerId}] VRRP Instance ${event.instance} - Entering ${event.to} state`, body: `=> VRRP Instance ${owning} VRRP VIPs <=` };
}

export function groupAlert(routerId: string, event: GroupTransition, noFaults = false): AlertText | undefined {
  if (!wanted(event.from, event.to, noFaults)) return undefined;
  return { subject: `[${routerId}] VRRP Group ${event.group} - Entering ${event.to} state`, body: `=> All VRRP group instances are now in ${event.to} state <=` };
}

/** The effective smtp_alert of an instance or group: its own, else smtp_alert_vrrp, else smtp_alert. */
export function alertEnabled(own: boolean | undefined, global: Pick<GlobalModel, 'smtpAlert' | 'smtpAlertVrrp'>): boolean {
  return own ?? global.smtpAlertVrrp ?? global.smtpAlert ?? false;
}

/** What the alerts need of the current configuration (replaced on reload). */
export interface AlertConfig {
  readonly routerId: string;
  readonly noEmailFaults: boolean;
  readonly instanceEnabled: (name: string) => boolean;
  readonly groupEnabled: (name: string) => boolean;
}

/** Observes drivers and groups; the configuration is read at each event, so a reload applies to kept instances. */
export class VrrpSmtpAlerts {
  constructor(
    private readonly port: AlertMailPort,
    private config: AlertConfig | undefined,
  ) {}

  /** undefined: no mail can be sent (no smtp_server or no notification_email). */
  configure(config: AlertConfig | undefined): void {
    this.config = config;
  }

  observeInstance(source: { readonly name: string; onTransition(observer: TransitionObserver): () => void }): () => void {
    return source.onTransition((event) => {
      const c = this.config;
      if (c === undefined || !c.instanceEnabled(source.name)) return;
      const alert = instanceAlert(c.routerId, event, c.noEmailFaults);
      if (alert !== undefined) this.port.send(alert);
    });
  }

  observeGroup(group: SyncGroupCoordinator): () => void {
    return group.onGroupTransition((event) => {
      const c = this.config;
      if (c === undefined || !c.groupEnabled(event.group)) return;
      const alert = groupAlert(c.routerId, event, c.noEmailFaults);
      if (alert !== undefined) this.port.send(alert);
    });
  }
}

/** The alert switches of a configuration: instance/group smtp_alert with the global defaults, no_email_faults. */
export function alertConfig(
  global: Pick<GlobalModel, 'routerId' | 'smtpAlert' | 'smtpAlertVrrp' | 'raw'>,
  vrrp: { readonly instances: readonly { readonly name: string; readonly smtpAlert?: boolean }[]; readonly syncGroups: readonly { readonly name: string; readonly smtpAlert?: boolean }[] },
): AlertConfig {
  const instances = new Map(vrrp.instances.map((i) => [i.name, alertEnabled(i.smtpAlert, global)]));
  const groups = new Map(vrrp.syncGroups.map((g) => [g.name, alertEnabled(g.smtpAlert, global)]));
  return {
    routerId: global.routerId,
    noEmailFaults: global.raw.has('no_email_faults'),
    instanceEnabled: (name) => instances.get(name) ?? false,
    groupEnabled: (name) => groups.get(name) ?? false,
  };
}
