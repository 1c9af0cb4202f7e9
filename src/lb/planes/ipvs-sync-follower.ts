/**
 * `lvs_sync_daemon IF INSTANCE ...` follows its VRRP instance, as keepalived 2.2.7's VRRP process
 * does (vrrp.c / vrrp_scheduler.c / vrrp_daemon.c, described, not copied):
 *
 * - at start, daemons a killed run left are stopped (refusals ignored), then the BACKUP sync
 *   daemon is started (the instance starts in INIT; a kept instance at a reload in its state);
 * - the instance becomes MASTER: stop the backup daemon, start the master one;
 * - it leaves MASTER (to BACKUP or FAULT): stop the master daemon, start the backup one;
 *   BACKUP <-> FAULT changes nothing;
 * - it stops (daemon shutdown): the daemon of its last state is stopped.
 *
 * The commands run one at a time in transition order. A kernel without IPVS (the port cannot be
 * opened) is reported once and nothing more is tried; VRRP carries on (keepalived 2.2.7's VRRP
 * process logs "IPVS: Can't initialize ipvs" and crashes, respawned every few seconds, measured
 * on this kernel). A command the kernel refuses is logged; the next transition tries again.
 */
import { IpvsSyncDaemon, type IpvsSyncPort, type SyncResult } from './ipvs-sync.js';
import type { SyncDaemonSetting } from './ipvs-settings.js';

export interface SyncFollowerLog {
  info(message: string): void;
  error(message: string): void;
}

export interface SyncFollowerPorts {
  /** Opens the IPVS generic netlink channel (rejects on a kernel without IPVS). */
  open(): Promise<{ readonly port: IpvsSyncPort; close(): void }>;
  readonly log: SyncFollowerLog;
}

/** What the follower observes: InstanceDriver implements it. */
export interface FollowedInstance {
  readonly name: string;
  readonly state: { readonly name: string };
  onTransition(observer: (event: { readonly kind: string; readonly from?: string; readonly to?: string }) => void): () => void;
}

export class IpvsSyncFollower {
  private key = '';
  private setting: Extract<SyncDaemonSetting, { ok: true }> | undefined;
  private daemon: IpvsSyncDaemon | undefined;
  private channel: { readonly port: IpvsSyncPort; close(): void } | undefined;
  private unavailable = false;
  private leftoversCleared = false;
  private followed: { readonly source: FollowedInstance; readonly off: () => void } | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly ports: SyncFollowerPorts) {}

  /** The configuration's lvs_sync_daemon (start and reload; unchanged: nothing happens). */
  configure(setting: SyncDaemonSetting | undefined): void {
    const key = setting === undefined ? '' : JSON.stringify(setting);
    if (key === this.key) return;
    this.key = key;
    this.followed?.off();
    this.followed = undefined;
    const old = this.daemon;
    this.daemon = undefined;
    this.setting = undefined;
    if (old !== undefined) this.enqueue(() => old.stop());
    if (setting === undefined) return;
    if (!setting.ok) {
      this.ports.log.error(setting.reason);
      return;
    }
    this.setting = setting;
  }

  /** Each VRRP driver, before it starts (and kept ones after a reload); follows the named one. */
  observe(source: FollowedInstance): void {
    const setting = this.setting;
    if (setting === undefined || source.name !== setting.instance || this.followed?.source === source) return;
    this.followed?.off();
    const off = source.onTransition((e) => {
      if (e.kind === 'transition') this.transition(e.from, e.to);
    });
    this.followed = { source, off };
    const master = source.state.name === 'MASTER';
    this.enqueue(async () => {
      const daemon = await this.daemonFor(setting);
      if (daemon === undefined) return { ok: true };
      if (this.leftoversCleared) return master ? daemon.master() : daemon.backup();
      this.leftoversCleared = true;
      await daemon.clearLeftovers();
      return daemon.begin(master ? 'master' : 'backup');
    });
  }

  /** Waits for the queued commands, then closes the channel (daemon shutdown, after the drivers stopped). */
  async close(): Promise<void> {
    this.followed?.off();
    this.followed = undefined;
    await this.queue;
    this.channel?.close();
    this.channel = undefined;
  }

  /** Resolves when the queued commands are done (tests). */
  idle(): Promise<void> {
    return this.queue;
  }

  private transition(from: string | undefined, to: string | undefined): void {
    if (to === 'MASTER') this.enqueue(() => this.daemon?.master());
    else if (from === 'MASTER' && (to === 'BACKUP' || to === 'FAULT')) this.enqueue(() => this.daemon?.backup());
    else if (to === 'STOP') this.enqueue(() => this.daemon?.stop());
  }

  private async daemonFor(setting: Extract<SyncDaemonSetting, { ok: true }>): Promise<IpvsSyncDaemon | undefined> {
    if (this.setting !== setting || this.unavailable) return undefined;
    if (this.channel === undefined) {
      try {
        this.channel = await this.ports.open();
      } catch (e) {
        this.unavailable = true;
        this.ports.log.error(`IPVS: Can't initialize ipvs: ${(e as Error).message} - lvs_sync_daemon ${setting.spec.interface} ${setting.instance} is not run`);
        return undefined;
      }
    }
    this.daemon ??= new IpvsSyncDaemon(this.channel.port, setting.spec);
    return this.daemon;
  }

  private enqueue(command: () => Promise<SyncResult> | SyncResult | undefined): void {
    this.queue = this.queue.then(async () => {
      const r = await command();
      if (r !== undefined && !r.ok) this.ports.log.error(`lvs_sync_daemon: ${r.error}`);
    }).catch((e: unknown) => this.ports.log.error(`lvs_sync_daemon: ${(e as Error).message}`));
  }
}
