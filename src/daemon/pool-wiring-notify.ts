/**
 * What the daemon does with the pool's effects and real-server transitions, keepalived's way:
 * log lines ("Lost quorum 2-0=2 > 1 for VS [192.0.2.100]:tcp:80"), quorum_up / quorum_down
 * scripts run asynchronously through the notify dispatcher (never awaited), and the LVS notify
 * FIFO lines:
 *   VS [192.0.2.100]:tcp:80 UP|DOWN                       (quorum gained / lost)
 *   RS [192.0.2.2]:tcp:80 [192.0.2.100]:tcp:80 UP|DOWN    (real server transitions)
 * The FIFO is a `LineWriter` port; pool-wiring-fifo.ts is the Linux one.
 */
import type { NotifyDispatcher } from '../check/checker-subsystem-notify.js';
import type { VirtualServer } from '../config/model/lvs.js';
import type { PoolEffect } from '../lb/pool-types.js';
import type { Logger } from './logger.js';

/** One line per call, newline added by the writer; never blocks, drops when the reader lags. */
export interface LineWriter {
  write(line: string): void;
  close(): Promise<void>;
}

export interface LineWriterFactory {
  open(path: string): Promise<LineWriter>;
}

export function vsFifoLine(vs: string, up: boolean): string {
  return `VS ${vs} ${up ? 'UP' : 'DOWN'}`;
}

export function rsFifoLine(rs: string, vs: string, up: boolean): string {
  return `RS ${rs} ${vs} ${up ? 'UP' : 'DOWN'}`;
}

/** keepalived's quorum lines (quorum, hysteresis, their sum/difference, live weight). */
export function quorumMessage(vs: Pick<VirtualServer, 'name' | 'quorum' | 'hysteresis'>, held: boolean, aliveWeight: number): string {
  const q = vs.quorum;
  const h = vs.hysteresis;
  return held
    ? `Gained quorum ${q}+${h}=${q + h} <= ${aliveWeight} for VS ${vs.name}`
    : `Lost quorum ${q}-${h}=${q - h} > ${aliveWeight} for VS ${vs.name}`;
}

export interface EffectPorts {
  readonly log: Logger;
  readonly notify: NotifyDispatcher;
  /** The LVS notify FIFO when configured and open. */
  fifo(): LineWriter | undefined;
  /** The configuration of a virtual server by name (its quorum scripts). */
  virtualServer(name: string): VirtualServer | undefined;
  /** A quorum change (smtp_alert); must return at once. */
  quorumChanged?(vs: string, held: boolean, aliveWeight: number): void;
}

/** Turns pool effects into log lines, scripts and FIFO lines. */
export class PoolEffectHandler {
  constructor(private readonly ports: EffectPorts) {}

  handle(effect: PoolEffect): void {
    switch (effect.type) {
      case 'quorum-up':
      case 'quorum-down':
        return this.quorum(effect.vs, effect.type === 'quorum-up', effect.aliveWeight);
      case 'sorry-server-in':
        return this.ports.log.info(`Adding sorry server ${sorryName(effect.sorry, effect.vs)} to VS ${effect.vs}`);
      case 'sorry-server-out':
        return this.ports.log.info(`Removing sorry server ${sorryName(effect.sorry, effect.vs)} from VS ${effect.vs}`);
      case 'rs-down-on-shutdown':
        return this.realServer(effect.rs, effect.vs, false);
      case 'unknown-server':
        return this.ports.log.warning(`pool: no real server ${effect.rs} in VS ${effect.vs} - event ignored`);
    }
  }

  /** A real-server transition reported by the checkers. */
  realServer(rs: string, vs: string, up: boolean): void {
    this.ports.fifo()?.write(rsFifoLine(rs, vs, up));
  }

  private quorum(vsName: string, held: boolean, aliveWeight: number): void {
    const vs = this.ports.virtualServer(vsName);
    this.ports.log.info(quorumMessage(vs ?? { name: vsName, quorum: 1, hysteresis: 0 }, held, aliveWeight));
    this.ports.fifo()?.write(vsFifoLine(vsName, held));
    this.ports.notify.fire(held ? vs?.quorumUp : vs?.quorumDown, `VS ${vsName}`);
    this.ports.quorumChanged?.(vsName, held, aliveWeight);
  }
}

/** `192.0.2.9:80` -> `[192.0.2.9]:tcp:80` (the protocol of the VS name). */
function sorryName(sorry: string, vs: string): string {
  const proto = /\]:(\w+):/.exec(vs)?.[1] ?? 'tcp';
  const at = sorry.lastIndexOf(':');
  return at < 0 ? sorry : `[${sorry.slice(0, at)}]:${proto}:${sorry.slice(at + 1)}`;
}
