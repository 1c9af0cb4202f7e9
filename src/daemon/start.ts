/**
 * Wires the real daemon from the command line: logging sinks (syslog / -l console / -g file),
 * pidfiles, the worker-thread config loader, process signals, and going to the background
 * unless -n. Subsystems (VRRP, checkers) are registered by the caller through `register`.
 */
import { createWriteStream } from 'node:fs';
import { release, version as osVersion } from 'node:os';
import type { CliOptions } from '../cli/options.js';
import { SyslogSink } from '../os/linux/syslog.js';
import { createSystemClock, type Clock } from './clock.js';
import { WorkerConfigLoader } from './config-loader.js';
import { Daemon } from './daemon.js';
import { consumeDetachedMarker, detach, reportReady, DetachError } from './detach.js';
import { atomicDumpWriter, systemTmpDir } from './dumps.js';
import { ExitCode } from './exit-codes.js';
import { commandLineText, LineSink, LOG_PREFIX, SinkLogger, type LogSink } from './logger.js';
import { DEFAULT_PIDFILES, nodePidfileHost } from './pidfile.js';
import { processSignals } from './signals.js';
import { SubsystemRegistry } from './subsystem.js';

export interface RunDaemonContext {
  readonly program: string;
  readonly argv: readonly string[];
  readonly versionString: string;
  /** Registers the subsystems to run (none yet: the daemon starts, reloads and stops cleanly). */
  readonly register?: (registry: SubsystemRegistry) => void;
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
  if (opts.umask !== undefined) process.umask(opts.umask);
  const registry = new SubsystemRegistry();
  ctx.register?.(registry);
  const { sinks, notes } = buildSinks(opts);
  const logger = new SinkLogger(sinks, clock, opts.logDetail);
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
  // signal handlers do not keep Node's event loop alive: hold it open until the daemon stops
  const keepAlive = setInterval(() => undefined, KEEPALIVE_INTERVAL_MS);
  try {
    return await daemon.run(detachedChild ? reportReady : undefined);
  } finally {
    clearInterval(keepAlive);
    logger.close();
  }
}
