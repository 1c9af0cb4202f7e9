/**
 * Which notify scripts keepalived runs for a driver event (keepalived-behaviour §1.3): the
 * state's own script (notify_master / notify_backup / notify_fault / notify_stop) as written,
 * then the generic `notify` with "INSTANCE NAME STATE PRIORITY" appended; a MASTER that saw a
 * lower-priority advert runs notify_master_rx_lower_pri. Pure: the runner is a port.
 */
import type { NotifyScripts, ScriptSpec } from '../config/model/vrrp.js';
import type { DriverEvent } from './driver.js';

export interface NotifyCommand {
  readonly argv: readonly string[];
  readonly uid: number;
  readonly gid: number;
}

/** Runs a script asynchronously; never awaited on the VRRP path. */
export interface ScriptRunnerPort {
  run(command: NotifyCommand): void;
}

const STATE_SCRIPT: Readonly<Record<string, keyof NotifyScripts | undefined>> = {
  MASTER: 'master',
  BACKUP: 'backup',
  FAULT: 'fault',
  STOP: 'stop',
};

function command(spec: ScriptSpec, extra: readonly string[] = []): NotifyCommand {
  return { argv: [...spec.command.argv, ...extra], uid: spec.user.uid, gid: spec.user.gid };
}

export function notifyCommands(notify: NotifyScripts | undefined, event: DriverEvent): NotifyCommand[] {
  if (notify === undefined) return [];
  if (event.kind === 'notify-event') {
    return event.event === 'MASTER_RX_LOWER_PRI' && notify.masterRxLowerPri !== undefined ? [command(notify.masterRxLowerPri)] : [];
  }
  if (event.from === event.to) return [];
  const out: NotifyCommand[] = [];
  const key = STATE_SCRIPT[event.to];
  const own = key === undefined ? undefined : notify[key];
  if (own !== undefined) out.push(command(own));
  if (notify.generic !== undefined && key !== undefined) out.push(command(notify.generic, ['INSTANCE', event.instance, event.to, String(event.priority)]));
  return out;
}
