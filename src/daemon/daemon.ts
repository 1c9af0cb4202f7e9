/**
 * The daemon's lifecycle, keepalived's way: log the start, take the pidfiles, load and validate
 * the configuration, start the registered subsystems, then serve signals until stopped:
 *   SIGHUP            reload (queued; a new config that cannot run is reported, the old one stays)
 *   SIGTERM / SIGINT  graceful stop: every subsystem's shutdown(deadlineMs), then pidfiles removed
 *   SIGUSR1 / SIGUSR2 keepalived.data / keepalived.stats in the tmp dir
 * Every dependency is a port (clock, signals, pidfile host, config loader, dump writer, logger).
 */
import { ConfigErrorClass, formatDiagnostic } from '../config/diagnostics.js';
import { isRunnable, firstFatal, ReloadQueue, type ConfigLoader, type LoadedConfig } from './config-loader.js';
import type { Logger } from './logger.js';
import { autoPriorityNotice } from './vrrp-auto-priority.js';
import { acquirePidfile, releasePidfile, PidfileError, type PidfileHost } from './pidfile.js';
import { ExitCode, type Clock, type DaemonSignal, type SignalSource } from './runtime.js';
import { dumpPath, renderDump, type ConfigSnapshot, type DumpKind, type DumpWriter, type SubsystemRegistry } from './subsystem.js';

export interface DaemonDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly signals: SignalSource;
  readonly pidfileHost: PidfileHost;
  readonly loader: ConfigLoader;
  readonly dumpWriter: DumpWriter;
  readonly subsystems: SubsystemRegistry;
}

export interface DaemonSettings {
  readonly pid: number;
  readonly versionString: string;
  readonly configFile: string;
  /** Pidfiles to hold while running (the main one first). */
  readonly pidfiles: readonly string[];
  readonly tmpDir: string;
  /** Total time subsystems get to shut down. */
  readonly shutdownDeadlineMs: number;
  /** -d: log the loaded model. */
  readonly dumpConf: boolean;
  /** Lines logged right after "Starting" (Running on ..., Command line: ...). */
  readonly startupNotes: readonly string[];
  /** SIGINT ignored (--ignore-sigint). */
  readonly ignoreSigint: boolean;
}

export type DaemonPhase = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export class Daemon {
  private phase: DaemonPhase = 'idle';
  private stopRequested = false;
  private model: ConfigSnapshot = {};
  private readonly unsubscribe: (() => void)[] = [];
  private readonly heldPidfiles: string[] = [];
  private readonly reloads: ReloadQueue;
  private resolveExit: ((code: number) => void) | undefined;
  private readonly exited: Promise<number>;

  constructor(
    private readonly deps: DaemonDeps,
    private readonly settings: DaemonSettings,
  ) {
    this.reloads = new ReloadQueue(() => this.reload());
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  get state(): DaemonPhase {
    return this.phase;
  }

  /** The configuration currently applied. */
  get currentModel(): ConfigSnapshot {
    return this.model;
  }

  /** Starts; resolves with the process exit code once the daemon has stopped. */
  async run(onReady?: () => void): Promise<number> {
    this.listen();
    const startCode = await this.start();
    if (startCode !== undefined) return this.finish(startCode);
    this.phase = 'running';
    onReady?.();
    // a SIGTERM/SIGINT that arrived while starting is honoured now
    if (this.stopRequested) void this.stop();
    return this.exited;
  }

  private async start(): Promise<number | undefined> {
    const { logger } = this.deps;
    this.phase = 'starting';
    logger.info(`Starting Keepalived ${this.settings.versionString}`);
    for (const note of this.settings.startupNotes) logger.info(note);
    const pidCode = this.takePidfiles();
    if (pidCode !== undefined) return pidCode;
    const loaded = await this.loadLogged();
    if (!loaded) return ExitCode.config;
    if (loaded.missing) {
      logger.error(`Config files missing '${this.settings.configFile}'.`);
      return ExitCode.noConfig;
    }
    if (!isRunnable(loaded)) {
      logger.error(`Configuration cannot run: ${formatDiagnostic(firstFatal(loaded) ?? { cls: ConfigErrorClass.Fatal, message: 'fatal error' })}`);
      return ExitCode.config;
    }
    this.model = loaded.model;
    // keepalived 2.2.7 logs it at startup (not at reload) unless max_auto_priority is set
    const notice = autoPriorityNotice(loaded.model.global?.raw);
    if (notice !== undefined) logger.info(notice);
    if (this.settings.dumpConf) this.dumpModel();
    const failed = await this.startSubsystems();
    return failed ? ExitCode.fatal : undefined;
  }

  private takePidfiles(): number | undefined {
    for (const path of this.settings.pidfiles) {
      try {
        acquirePidfile(this.deps.pidfileHost, path, this.settings.pid);
        this.heldPidfiles.push(path);
      } catch (e) {
        if (!(e instanceof PidfileError)) throw e;
        this.deps.logger.error(e.message);
        // keepalived exits 0 when another instance holds the pidfile
        if (e.code === 'PIDFILE_RUNNING') return ExitCode.ok;
        return e.errno === 'EACCES' || e.errno === 'EPERM' ? ExitCode.missingPermission : ExitCode.fatal;
      }
    }
    return undefined;
  }

  /** Loads the config and logs what keepalived logs; undefined when the load itself failed. */
  private async loadLogged(): Promise<LoadedConfig | undefined> {
    const { logger } = this.deps;
    let loaded: LoadedConfig;
    try {
      loaded = await this.deps.loader.load();
    } catch (e) {
      logger.error(`Unable to load configuration: ${(e as Error).message}`);
      return undefined;
    }
    for (const file of loaded.files) logger.detail(`Opening file '${file}'.`);
    if (!loaded.missing) logger.info(`Configuration file ${this.settings.configFile}`);
    for (const d of loaded.diagnostics) logger.error(formatDiagnostic(d));
    return loaded;
  }

  private async startSubsystems(): Promise<boolean> {
    const list = this.deps.subsystems.list();
    if (list.length === 0) this.deps.logger.warning('Warning - keepalived has no configuration to run');
    for (const s of list) {
      try {
        await s.start(this.model);
      } catch (e) {
        this.deps.logger.error(`${s.name}: failed to start: ${(e as Error).message}`);
        return true;
      }
    }
    return false;
  }

  private listen(): void {
    const on = (sig: DaemonSignal, fn: () => void): void => void this.unsubscribe.push(this.deps.signals.on(sig, fn));
    on('SIGHUP', () => this.reloads.request());
    on('SIGTERM', () => this.requestStop());
    on('SIGINT', () => {
      if (!this.settings.ignoreSigint) this.requestStop();
    });
    on('SIGUSR1', () => void this.dump('data'));
    on('SIGUSR2', () => void this.dump('stats'));
  }

  private async reload(): Promise<void> {
    if (this.phase !== 'running') return;
    const { logger } = this.deps;
    logger.info('Reloading ...');
    const started = this.deps.clock.monotonicMs();
    const loaded = await this.loadLogged();
    if (!loaded || loaded.missing || !isRunnable(loaded)) {
      const why = !loaded ? 'the configuration could not be loaded' : loaded.missing ? `Config files missing '${this.settings.configFile}'.` : formatDiagnostic(firstFatal(loaded) ?? { cls: ConfigErrorClass.Fatal, message: 'fatal error' });
      logger.error(`Reload aborted, keeping the running configuration: ${why}`);
      return;
    }
    if (this.phase !== 'running') return;
    this.model = loaded.model;
    if (this.settings.dumpConf) this.dumpModel();
    for (const s of this.deps.subsystems.list()) {
      try {
        await s.reload(this.model);
      } catch (e) {
        logger.error(`${s.name}: reload failed: ${(e as Error).message}`);
      }
    }
    const tookMs = this.deps.clock.monotonicMs() - started;
    logger.info(`Reload finished in ${Math.round(tookMs * 1000)} usec`);
  }

  private async dump(kind: DumpKind): Promise<void> {
    const what = kind === 'data' ? 'data' : 'stats';
    this.deps.logger.info(`Printing VRRP ${what} for process(${this.settings.pid}) on signal`);
    const text = renderDump(kind, this.deps.subsystems.list(), this.settings.pid, this.deps.clock.nowMs());
    try {
      await this.deps.dumpWriter.write(dumpPath(this.settings.tmpDir, kind), text);
    } catch (e) {
      this.deps.logger.error(`Unable to write ${dumpPath(this.settings.tmpDir, kind)}: ${(e as Error).message}`);
    }
  }

  private dumpModel(): void {
    const text = JSON.stringify(this.model, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v instanceof Set ? [...v] : v), 2);
    for (const line of text.split('\n')) this.deps.logger.info(line);
  }

  private requestStop(): void {
    if (this.phase === 'starting') this.stopRequested = true;
    else void this.stop();
  }

  /** Graceful stop (SIGTERM/SIGINT, or called directly). Idempotent. */
  async stop(): Promise<void> {
    if (this.phase !== 'running') return;
    this.phase = 'stopping';
    this.deps.logger.info('Stopping');
    for (const u of this.unsubscribe.splice(0)) u();
    await this.shutdownSubsystems();
    this.resolveExit?.(this.finish(ExitCode.ok));
  }

  private async shutdownSubsystems(): Promise<void> {
    const deadlineAt = this.deps.clock.monotonicMs() + this.settings.shutdownDeadlineMs;
    for (const s of [...this.deps.subsystems.list()].reverse()) {
      const leftMs = Math.max(0, deadlineAt - this.deps.clock.monotonicMs());
      const outcome = await this.withDeadline(s.shutdown(leftMs), leftMs);
      if (outcome === 'timeout') this.deps.logger.warning(`${s.name}: shutdown did not finish within ${leftMs} ms - abandoned`);
      if (outcome instanceof Error) this.deps.logger.error(`${s.name}: shutdown failed: ${outcome.message}`);
    }
  }

  private withDeadline(p: Promise<void>, ms: number): Promise<'done' | 'timeout' | Error> {
    return new Promise((resolve) => {
      const timer = this.deps.clock.setTimer(() => resolve('timeout'), ms);
      p.then(
        () => { this.deps.clock.clearTimer(timer); resolve('done'); },
        (e: unknown) => { this.deps.clock.clearTimer(timer); resolve(e instanceof Error ? e : new Error(String(e))); },
      );
    });
  }

  /** Removes the pidfiles we hold (synchronous; also used from a process 'exit' hook). */
  releasePidfiles(): void {
    for (const path of this.heldPidfiles.splice(0).reverse()) releasePidfile(this.deps.pidfileHost, path, this.settings.pid);
  }

  private finish(code: number): number {
    for (const u of this.unsubscribe.splice(0)) u();
    this.releasePidfiles();
    this.deps.logger.info(`Stopped Keepalived ${this.settings.versionString}`);
    this.phase = 'stopped';
    return code;
  }
}
