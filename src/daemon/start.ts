/**
 * Wires the real daemon from the command line: logging sinks (syslog / -l console / -g file),
 * pidfiles, the worker-thread config loader, process signals, and going to the background
 * unless -n. Subsystems (VRRP, checkers) are registered by the caller through `register`.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { release, version as osVersion } from 'node:os';
import type { CliOptions } from '../cli/options.js';
import { SyslogSink } from '../os/linux/syslog.js';
import { WorkerConfigLoader } from './config-loader.js';
import { Daemon } from './daemon.js';
import { commandLineText, LineSink, LOG_PREFIX, SinkLogger, type Logger, type LogSink } from './logger.js';
import { DEFAULT_PIDFILES, nodePidfileHost } from './pidfile.js';
import { createSystemClock, ExitCode, processSignals, type Clock } from './runtime.js';
import { atomicDumpWriter, systemTmpDir, SubsystemRegistry } from './subsystem.js';

// ---- going to the background without fork(2): the foreground process re-spawns itself detached
// (setsid, stdio on /dev/null, an IPC channel), waits until the child reports that it is up
// (pidfile written, subsystems started), and exits. If the child dies first, the parent exits
// with the child's exit code so that init scripts see the failure.

/** Set in the detached child's environment; the child removes it at once. */
export const DETACHED_ENV = 'KEEPALIVED_TS_DETACHED';

export interface DetachResult {
  /** Exit code for the foreground process. */
  readonly exitCode: number;
  readonly childPid?: number;
}

export class DetachError extends Error {
  readonly code = 'DETACH_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'DetachError';
  }
}

/** True (and the marker cleared) when this process is the detached child. */
export function consumeDetachedMarker(env: NodeJS.ProcessEnv = process.env): boolean {
  const marked = env[DETACHED_ENV] === '1';
  delete env[DETACHED_ENV];
  return marked;
}

/** In the detached child: tell the waiting parent we are up, then drop the channel. */
export function reportReady(): void {
  if (typeof process.send !== 'function') return;
  process.send({ ready: true }, () => {
    if (process.connected) process.disconnect();
  });
}

/** Spawns `node script ...argv` detached and waits for its readiness message. */
export function detach(script: string, argv: readonly string[], readyTimeoutMs: number, setTimer: (fn: () => void, ms: number) => () => void): Promise<DetachResult> {
  const child = spawn(process.execPath, [script, ...argv], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: { ...process.env, [DETACHED_ENV]: '1' },
  });
  return new Promise((resolve, reject) => {
    let done = false;
    const settle = (fn: () => void): void => {
      if (done) return;
      done = true;
      cancel();
      fn();
    };
    const cancel = setTimer(() => {
      settle(() => reject(new DetachError(`daemon did not report ready within ${readyTimeoutMs} ms`)));
    }, readyTimeoutMs);
    child.once('message', () => {
      settle(() => {
        if (child.connected) child.disconnect();
        child.unref();
        resolve(child.pid !== undefined ? { exitCode: 0, childPid: child.pid } : { exitCode: 0 });
      });
    });
    child.once('exit', (code, signal) => settle(() => resolve({ exitCode: code ?? (signal ? 1 : 0) })));
    child.once('error', (e) => settle(() => reject(new DetachError(e.message))));
  });
}

export interface RunDaemonContext {
  readonly program: string;
  readonly argv: readonly string[];
  readonly versionString: string;
  /**
   * Registers the subsystems to run (none yet: the daemon starts, reloads and stops cleanly).
   * They get the daemon's logger (keepalived wording, e.g. "(VI_1) Entering MASTER STATE") and clock.
   */
  readonly register?: (registry: SubsystemRegistry, services: DaemonServices) => void;
}

export interface DaemonServices {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly options: CliOptions;
}

const SHUTDOWN_DEADLINE_MS = 5_000;
const READY_TIMEOUT_MS = 60_000;
const KEEPALIVE_INTERVAL_MS = 3_600_000;

function buildSinks(opts: CliOptions): { sinks: LogSink[]; notes: string[] } {
  const sinks: LogSink[] = [];
  const notes: string[] = [];
  if (!opts.noSyslog) {
    const syslog = new SyslogSink({ facility: opts.logFacility, ident: LOG_PREFIX });
    if (syslog.available) sinks.push(syslog);
    else notes.push(`syslog unavailable (${syslog.unavailableReason ?? 'unknown reason'}) - not logging to syslog`);
  }
  if (opts.logConsole) sinks.push(new LineSink((t) => void process.stderr.write(t)));
  if (opts.logFile !== undefined) {
    const stream = createWriteStream(opts.logFile, { flags: 'a' });
    stream.on('error', () => undefined);
    sinks.push(Object.assign(new LineSink((t) => void stream.write(t)), { close: () => stream.end() }));
  }
  return { sinks, notes };
}

function pidfilesFor(opts: CliOptions, registry: SubsystemRegistry): string[] {
  const files = [opts.pidFile ?? DEFAULT_PIDFILES.main];
  const names = new Set(registry.list().map((s) => s.name));
  if (names.has('vrrp')) files.push(opts.vrrpPidFile ?? DEFAULT_PIDFILES.vrrp);
  if (names.has('checker')) files.push(opts.checkersPidFile ?? DEFAULT_PIDFILES.checkers);
  return files;
}

function unsupportedNotes(opts: CliOptions): string[] {
  const notes: string[] = [];
  if (opts.namespace !== undefined) notes.push(`-s/--namespace ${opts.namespace}: running in a named network namespace is not supported yet - staying in the current one`);
  if (opts.snmp) notes.push('-x/--snmp: SNMP is not supported - ignored');
  return notes;
}

/** Foreground part of a daemon start without -n: spawn the detached child and wait for it. */
async function goBackground(ctx: RunDaemonContext, clock: Clock): Promise<number> {
  const script = process.argv[1];
  if (script === undefined) return ExitCode.fatal;
  try {
    const r = await detach(script, ctx.argv, READY_TIMEOUT_MS, (fn, ms) => {
      const t = clock.setTimer(fn, ms);
      return () => clock.clearTimer(t);
    });
    return r.exitCode;
  } catch (e) {
    process.stderr.write(`${ctx.program}: ${e instanceof DetachError ? e.message : String(e)}\n`);
    return ExitCode.fatal;
  }
}

/** Runs the daemon; resolves with the exit code. */
export async function runDaemon(opts: CliOptions, ctx: RunDaemonContext): Promise<number> {
  const clock = createSystemClock();
  const detachedChild = consumeDetachedMarker();
  if (!opts.dontFork && !detachedChild) return goBackground(ctx, clock);
  // Until the daemon listens: SIGUSR1 would start Node's inspector (a root code-execution port)
  // and SIGHUP would kill us. Hold them with no-op handlers for the whole run.
  const early = (['SIGUSR1', 'SIGUSR2', 'SIGHUP'] as const).map((sig) => processSignals.on(sig, () => undefined));
  try {
    return await runForeground(opts, ctx, clock, detachedChild);
  } finally {
    for (const off of early) off();
  }
}

async function runForeground(opts: CliOptions, ctx: RunDaemonContext, clock: Clock, detachedChild: boolean): Promise<number> {
  if (opts.umask !== undefined) process.umask(opts.umask);
  const { sinks, notes } = buildSinks(opts);
  const logger = new SinkLogger(sinks, clock, opts.logDetail);
  const registry = new SubsystemRegistry();
  ctx.register?.(registry, { logger, clock, options: opts });
  const loader = new WorkerConfigLoader(
    { configFile: opts.configFile, allConfig: opts.allConfig, ...(opts.configId !== undefined ? { configId: opts.configId } : {}) },
    clock,
  );
  const daemon = new Daemon(
    { clock, logger, signals: processSignals, pidfileHost: nodePidfileHost, loader, dumpWriter: atomicDumpWriter, subsystems: registry },
    {
      pid: process.pid,
      versionString: ctx.versionString,
      configFile: opts.configFile,
      pidfiles: pidfilesFor(opts, registry),
      tmpDir: systemTmpDir(),
      shutdownDeadlineMs: SHUTDOWN_DEADLINE_MS,
      dumpConf: opts.dumpConf,
      ignoreSigint: opts.ignoreSigint,
      startupNotes: [
        `Running on Linux ${release()} ${osVersion()} (Node.js ${process.version})`,
        commandLineText(ctx.program, ctx.argv),
        ...notes,
        ...unsupportedNotes(opts),
      ],
    },
  );
  // a crash must not leave our pidfiles behind (they would only look stale, but keepalived removes them)
  const onExit = (): void => daemon.releasePidfiles();
  process.once('exit', onExit);
  // signal handlers do not keep Node's event loop alive: hold it open until the daemon stops
  const keepAlive = setInterval(() => undefined, KEEPALIVE_INTERVAL_MS);
  try {
    return await daemon.run(detachedChild ? reportReady : undefined);
  } finally {
    clearInterval(keepAlive);
    process.off('exit', onExit);
    logger.close();
  }
}
