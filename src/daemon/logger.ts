/**
 * Daemon logging. One Logger, several sinks: syslog (default; -G disables; -S facility), console
 * (-l, stderr), file (-g). Message texts keep keepalived's wording; console and file lines carry
 * keepalived's ctime prefix followed by "keepalived-ts: " so that they are never mistaken for
 * the real keepalived's; on syslog the ident says it ("keepalived-ts").
 * `detail` messages are emitted only with -D, as keepalived's log_detail.
 */
import { ctimeText, type Clock } from './runtime.js';

/** syslog(3) priorities. */
export const LogLevel = {
  error: 3,
  warning: 4,
  notice: 5,
  info: 6,
  debug: 7,
} as const;
export type LogLevelValue = (typeof LogLevel)[keyof typeof LogLevel];

export const LOG_PREFIX = 'keepalived-ts';

export interface LogSink {
  write(level: LogLevelValue, message: string, epochMs: number): void;
  close?(): void;
}

export interface Logger {
  error(message: string): void;
  warning(message: string): void;
  notice(message: string): void;
  info(message: string): void;
  /** Logged only with -D (--log-detail). */
  detail(message: string): void;
}

export class SinkLogger implements Logger {
  constructor(
    private readonly sinks: readonly LogSink[],
    private readonly clock: Clock,
    private readonly logDetail: boolean,
  ) {}

  private emit(level: LogLevelValue, message: string): void {
    const now = this.clock.nowMs();
    for (const s of this.sinks) {
      try {
        s.write(level, message, now);
      } catch {
        // a broken sink must never take the daemon down
      }
    }
  }

  error(message: string): void { this.emit(LogLevel.error, message); }
  warning(message: string): void { this.emit(LogLevel.warning, message); }
  notice(message: string): void { this.emit(LogLevel.notice, message); }
  info(message: string): void { this.emit(LogLevel.info, message); }
  detail(message: string): void {
    if (this.logDetail) this.emit(LogLevel.info, message);
  }

  close(): void {
    for (const s of this.sinks) s.close?.();
  }
}

/** "Wed Nov 25 14:34:52 2026: keepalived-ts: MESSAGE\n" */
export function formatLogLine(message: string, epochMs: number): string {
  return `${ctimeText(epochMs)}: ${LOG_PREFIX}: ${message}\n`;
}

/** Writes formatted lines to a text stream (stderr for -l, a file for -g). */
export class LineSink implements LogSink {
  constructor(private readonly writeText: (text: string) => void) {}

  write(_level: LogLevelValue, message: string, epochMs: number): void {
    this.writeText(formatLogLine(message, epochMs));
  }
}

/** Collects lines in memory (tests). */
export class MemorySink implements LogSink {
  readonly lines: { level: LogLevelValue; message: string }[] = [];

  write(level: LogLevelValue, message: string): void {
    this.lines.push({ level, message });
  }

  messages(): string[] {
    return this.lines.map((l) => l.message);
  }
}

/** keepalived's "Command line: 'keepalived' '-n' ..." text. */
export function commandLineText(program: string, argv: readonly string[]): string {
  return `Command line: ${[program, ...argv].map((a) => `'${a}'`).join(' ')}`;
}
