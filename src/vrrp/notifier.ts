/**
 * Where VRRP events go besides the log (keepalived-behaviour §4.5): the notify FIFOs
 * (notify_fifo, vrrp_notify_fifo) get one line per event, in the order of the transitions, e.g.
 *   INSTANCE "VI_1" MASTER 100
 *   INSTANCE "VI_1" MASTER_RX_LOWER_PRI 100
 *   GROUP "G1" FAULT 0
 * and the notify scripts run asynchronously (never awaited): notify_master/backup/fault/stop as
 * written, then `notify` with "INSTANCE|GROUP NAME STATE PRIORITY" appended. Lines are handed
 * synchronously to LinePorts whose writes never block (the Linux one queues non-blocking writes
 * in order), so a burst of transitions keeps its order.
 */
import type { NotifyScripts, ScriptSpec } from '../config/model/vrrp.js';
import type { DriverEvent, TransitionObserver } from './driver.js';
import { notifyCommands, type NotifyCommand, type ScriptRunnerPort } from './driver-notify.js';
import type { GroupTransition, SyncGroupCoordinator } from './sync-group.js';

/** One FIFO (or any line sink); `write` must not block. */
export interface LinePort {
  write(line: string): void;
}

const REPORTED_STATES = new Set(['MASTER', 'BACKUP', 'FAULT', 'STOP']);

export function instanceFifoLine(event: DriverEvent): string | undefined {
  if (event.kind === 'notify-event') return `INSTANCE "${event.instance}" ${event.event} ${event.priority}`;
  if (event.from === event.to || !REPORTED_STATES.has(event.to)) return undefined;
  return `INSTANCE "${event.instance}" ${event.to} ${event.priority}`;
}

export function groupFifoLine(event: GroupTransition): string | undefined {
  if (event.from === event.to || !REPORTED_STATES.has(event.to)) return undefined;
  return `GROUP "${event.group}" ${event.to} 0`;
}

const GROUP_SCRIPT: Readonly<Record<string, keyof NotifyScripts | undefined>> = { MASTER: 'master', BACKUP: 'backup', FAULT: 'fault', STOP: 'stop' };

function command(spec: ScriptSpec, extra: readonly string[] = []): NotifyCommand {
  return { argv: [...spec.command.argv, ...extra], uid: spec.user.uid, gid: spec.user.gid };
}

/** A sync group's notify scripts for one group transition (generic `notify` gets "GROUP G STATE 0"). */
export function groupNotifyCommands(notify: NotifyScripts | undefined, event: GroupTransition): NotifyCommand[] {
  const key = GROUP_SCRIPT[event.to];
  if (notify === undefined || key === undefined || event.from === event.to) return [];
  const out: NotifyCommand[] = [];
  const own = notify[key];
  if (own !== undefined) out.push(command(own));
  if (notify.generic !== undefined) out.push(command(notify.generic, ['GROUP', event.group, event.to, '0']));
  return out;
}

/** What the notifier observes: InstanceDriver implements it. */
export interface NotifySource {
  readonly binding: { readonly notify?: NotifyScripts };
  onTransition(observer: TransitionObserver): () => void;
}

export class VrrpNotifier {
  /** `fifos` is read at each event: FIFOs may open after the instances start. */
  constructor(
    private readonly scripts: ScriptRunnerPort,
    private readonly fifos: () => readonly LinePort[],
  ) {}

  observeInstance(source: NotifySource): () => void {
    return source.onTransition((event) => {
      this.line(instanceFifoLine(event));
      for (const c of notifyCommands(source.binding.notify, event)) this.scripts.run(c);
    });
  }

  observeGroup(group: SyncGroupCoordinator, notify: NotifyScripts | undefined): () => void {
    return group.onGroupTransition((event) => {
      this.line(groupFifoLine(event));
      for (const c of groupNotifyCommands(notify, event)) this.scripts.run(c);
    });
  }

  private line(text: string | undefined): void {
    if (text === undefined) return;
    for (const fifo of this.fifos()) fifo.write(text);
  }
}
