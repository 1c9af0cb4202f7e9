/**
 * The IPVS connection-sync daemon of `lvs_sync_daemon`, keepalived's way: when the VRRP instance
 * it follows becomes MASTER the backup daemon is stopped and the master one started; BACKUP the
 * reverse; at stop both are stopped. Stopping a daemon that is not running (the kernel's ESRCH)
 * is not an error. The port is shaped like IpvsClient's startDaemon / stopDaemon.
 */
export type IpvsSyncState = 'master' | 'backup';

export interface IpvsSyncDaemonSpec {
  readonly interface: string;
  readonly syncId: number;
  readonly syncMaxLen?: number;
  readonly mcastGroup?: string;
  readonly mcastPort?: number;
  readonly mcastTtl?: number;
}

export interface IpvsSyncPort {
  startDaemon(daemon: IpvsSyncDaemonSpec & { readonly state: IpvsSyncState }): Promise<void>;
  stopDaemon(state: IpvsSyncState): Promise<void>;
}

export type SyncResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

/** A kernel refusal that says "no such daemon running" (NetlinkKernelError's errnoName). */
function notRunning(e: unknown): boolean {
  return (e as { errnoName?: unknown } | null)?.errnoName === 'ESRCH';
}

export class IpvsSyncDaemon {
  private running: IpvsSyncState | undefined;

  constructor(private readonly port: IpvsSyncPort, readonly spec: IpvsSyncDaemonSpec) {}

  /** The state the daemon runs in (undefined: none started by us, or stopped). */
  get state(): IpvsSyncState | undefined {
    return this.running;
  }

  /** The followed instance became MASTER. */
  master(): Promise<SyncResult> {
    return this.become('master');
  }

  /** The followed instance became BACKUP (or FAULT). */
  backup(): Promise<SyncResult> {
    return this.become('backup');
  }

  /**
   * Stops the daemon we run (keepalived stops the one of the instance's last state); both when we
   * do not know which one runs.
   */
  async stop(): Promise<SyncResult> {
    const errors: string[] = [];
    const which: readonly IpvsSyncState[] = this.running !== undefined ? [this.running] : ['master', 'backup'];
    for (const s of which) {
      const r = await this.stopOne(s);
      if (!r.ok) errors.push(r.error);
    }
    this.running = undefined;
    return errors.length === 0 ? { ok: true } : { ok: false, error: errors.join('; ') };
  }

  /**
   * At start, daemons a killed run left behind are stopped, any refusal ignored (keepalived's
   * VRRP process does the same before its instances start).
   */
  async clearLeftovers(): Promise<void> {
    for (const s of ['master', 'backup'] as const) await this.port.stopDaemon(s).catch(() => undefined);
    this.running = undefined;
  }

  /** Starts the daemon of `state` only (keepalived at an instance's start, after clearLeftovers). */
  begin(state: IpvsSyncState): Promise<SyncResult> {
    return this.become(state, false);
  }

  private async become(state: IpvsSyncState, stopOther = true): Promise<SyncResult> {
    if (this.running === state) return { ok: true };
    const other: IpvsSyncState = state === 'master' ? 'backup' : 'master';
    if (stopOther) {
      const stopped = await this.stopOne(other);
      if (!stopped.ok) return stopped;
    }
    try {
      await this.port.startDaemon({ state, ...this.spec });
    } catch (e) {
      this.running = undefined;
      return { ok: false, error: `IPVS ${state} sync daemon on ${this.spec.interface} (syncid ${this.spec.syncId}): ${(e as Error).message}` };
    }
    this.running = state;
    return { ok: true };
  }

  private async stopOne(state: IpvsSyncState): Promise<SyncResult> {
    try {
      await this.port.stopDaemon(state);
    } catch (e) {
      if (!notRunning(e)) return { ok: false, error: `stopping the IPVS ${state} sync daemon: ${(e as Error).message}` };
    }
    if (this.running === state) this.running = undefined;
    return { ok: true };
  }
}
