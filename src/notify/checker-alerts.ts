/**
 * smtp_alert for the checkers (global `smtp_alert_checker`, per virtual_server / real_server
 * `smtp_alert`), pure: which pool events send a mail, and its subject and body. keepalived 2.2.7's
 * checker process cannot start on a kernel without IPVS, so this wording comes from keepalived's
 * documentation and published sources (facts only), not from a recording:
 *   [router_id] Realserver [192.0.2.2]:tcp:80 of virtual server [192.0.2.100]:tcp:80 - DOWN
 *       => TCP CHECK failed on service <=          (the checker's own words, see checkerBody)
 *   [router_id] Virtualserver [192.0.2.100]:tcp:80 - UP
 *       => Gained quorum 2+1=3 <= 3 <=             (quorum + hysteresis = threshold <= live weight)
 *   [router_id] Virtualserver [192.0.2.100]:tcp:80 - DOWN
 *       => Lost quorum 2+1=1 <= 0 <=               (keepalived keeps the '+' and '<=' here)
 * A real server mails on each UP/DOWN transition when its smtp_alert (else its virtual server's,
 * else smtp_alert_checker, else smtp_alert) is on; a virtual server mails on each quorum change
 * with its own switch. The initial state mails nothing; the mail port never blocks.
 */
import type { GlobalModel } from '../config/model/global.js';
import type { CheckerType, LvsModel, VirtualServer } from '../config/model/lvs.js';

export interface CheckerAlertText {
  readonly subject: string;
  readonly body: string;
}

/** The words each checker puts in its mail ("=> ... on service <="). */
const CHECKER_WORDS: Partial<Record<CheckerType, string>> = {
  TCP_CHECK: 'TCP CHECK',
  UDP_CHECK: 'UDP CHECK',
  PING_CHECK: 'ICMP CHECK',
  MISC_CHECK: 'MISC CHECK',
  SMTP_CHECK: 'SMTP CHECK',
  DNS_CHECK: 'DNS_CHECK:',
  FILE_CHECK: 'FILE CHECK',
};

export function checkerBody(type: CheckerType | undefined, up: boolean): string {
  const words = (type === undefined ? undefined : CHECKER_WORDS[type]) ?? 'CHECK';
  return `=> ${words} ${up ? 'succeed' : 'failed'} on service <=`;
}

export function realServerAlert(routerId: string, rs: string, vs: string, up: boolean, checker: CheckerType | undefined): CheckerAlertText {
  return { subject: `[${routerId}] Realserver ${rs} of virtual server ${vs} - ${up ? 'UP' : 'DOWN'}`, body: checkerBody(checker, up) };
}

export function quorumAlert(routerId: string, vs: Pick<VirtualServer, 'name' | 'quorum' | 'hysteresis'>, held: boolean, aliveWeight: number): CheckerAlertText {
  const threshold = held ? vs.quorum + vs.hysteresis : vs.quorum - vs.hysteresis;
  return {
    subject: `[${routerId}] Virtualserver ${vs.name} - ${held ? 'UP' : 'DOWN'}`,
    body: `=> ${held ? 'Gained' : 'Lost'} quorum ${vs.quorum}+${vs.hysteresis}=${threshold} <= ${aliveWeight} <=`,
  };
}

/** What the checker alerts need of the current configuration (replaced on reload). */
export interface CheckerAlertConfig {
  readonly routerId: string;
  /** The real server's effective smtp_alert and the type of its first checker; undefined: unknown. */
  realServer(vs: string, rs: string): { readonly enabled: boolean; readonly checker: CheckerType | undefined } | undefined;
  virtualServer(vs: string): VirtualServer | undefined;
  virtualServerEnabled(vs: string): boolean;
}

export function checkerAlertConfig(global: Pick<GlobalModel, 'routerId' | 'smtpAlert' | 'smtpAlertChecker'>, lvs: LvsModel): CheckerAlertConfig {
  const fallback = global.smtpAlertChecker ?? global.smtpAlert ?? false;
  const byName = new Map(lvs.virtualServers.map((v) => [v.name, v]));
  const vsEnabled = (v: VirtualServer): boolean => v.smtpAlert ?? fallback;
  return {
    routerId: global.routerId,
    realServer(vsName, rsName) {
      const v = byName.get(vsName);
      const r = v?.realServers.find((x) => x.name === rsName);
      if (v === undefined || r === undefined) return undefined;
      return { enabled: r.smtpAlert ?? vsEnabled(v), checker: r.checkers[0]?.type };
    },
    virtualServer: (vsName) => byName.get(vsName),
    virtualServerEnabled(vsName) {
      const v = byName.get(vsName);
      return v !== undefined && vsEnabled(v);
    },
  };
}
