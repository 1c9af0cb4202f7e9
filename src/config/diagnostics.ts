/**
 * Configuration diagnostics, with keepalived's error classes.
 *
 * keepalived ranks its config errors by an enum (lib/parser.h order) and `-t` exits according to
 * the HIGHEST enum value reported, not the most serious one. We keep the same order so that the
 * exit code of `keepalived-ts -t` agrees with keepalived 2.2.7's:
 *   FILE_NOT_FOUND, BAD_IF, FATAL                      -> 4 (cannot run)
 *   MULTIPLE_FILES .. DEPRECATED (everything ordinary) -> 5 (errors, would still run)
 *   SECURITY                                           -> 6 (script security)
 * A later, less serious class reported after a fatal one still wins, as in keepalived.
 */

export enum ConfigErrorClass {
  /**
   * Logged by the running daemon while it reads the config, but neither printed by `-t` nor
   * counted (keepalived's plain log lines at config time, e.g. "Unsafe permissions found for
   * script 'x' - disabling.").
   */
  DaemonLog = -1,
  /** Printed by keepalived but not counted for the exit code (e.g. "Config files missing 'x'."). */
  Note = 0,
  FileNotFound = 1,
  BadInterface = 2,
  Fatal = 3,
  MultipleFiles = 4,
  UnknownKeyword = 5,
  UnexpectedBlockOpen = 6,
  MissingBlockOpen = 7,
  UnexpectedBlockEnd = 8,
  MissingBlockEnd = 9,
  UnmatchedQuote = 10,
  MissingParameter = 11,
  InvalidNumber = 12,
  GeneralError = 13,
  Warning = 14,
  Deprecated = 15,
  Security = 16,
}

/** Where a diagnostic comes from: a file as it was named (include path or -f path) and a 1-based line. */
export interface Span {
  readonly file: string;
  readonly line: number;
}

export interface Diagnostic {
  readonly cls: ConfigErrorClass;
  readonly message: string;
  /** Absent only for messages keepalived prints without a location (post-parse checks). */
  readonly span?: Span;
  /**
   * How the location prefix is printed. keepalived prints `(Line N)` for the main file in its first
   * (global) pass and `(FILE: Line N)` otherwise; the pass that reports decides. Default 'file'.
   * 'inline': no location printed, but in reading order at its line (a log line keepalived
   * prints while it reads, e.g. "Script user 'x' does not exist").
   */
  readonly prefix?: 'line' | 'file' | 'none' | 'inline';
}

export type Severity = 'fatal' | 'error' | 'warning' | 'security';

export function severityOf(cls: ConfigErrorClass): Severity {
  if (cls === ConfigErrorClass.Security) return 'security';
  if (cls === ConfigErrorClass.Note || cls === ConfigErrorClass.DaemonLog) return 'warning';
  if (cls <= ConfigErrorClass.Fatal) return 'fatal';
  if (cls === ConfigErrorClass.Warning || cls === ConfigErrorClass.Deprecated) return 'warning';
  return 'error';
}

/** Whether `-t` prints the diagnostic (everything but the daemon's own log lines). */
export function shownByConfigTest(d: Diagnostic): boolean {
  return d.cls !== ConfigErrorClass.DaemonLog;
}

/** keepalived `-t` exit code for a list of diagnostics (0 when there are none). */
export function configTestExitCode(diags: readonly Diagnostic[]): number {
  let highest = 0;
  for (const d of diags) if (d.cls > highest) highest = d.cls;
  if (highest === 0) return 0;
  if (highest === ConfigErrorClass.Security) return 6;
  if (highest <= ConfigErrorClass.Fatal) return 4;
  return 5;
}

/** One line as keepalived prints it: `(FILE: Line N) message`, `(Line N) message` or `message`. */
export function formatDiagnostic(d: Diagnostic): string {
  if (!d.span || d.prefix === 'none' || d.prefix === 'inline') return d.message;
  if (d.prefix === 'line') return `(Line ${d.span.line}) ${d.message}`;
  return `(${d.span.file}: Line ${d.span.line}) ${d.message}`;
}

/** Collects diagnostics in the order they are reported. */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];

  report(cls: ConfigErrorClass, message: string, span?: Span, prefix?: Diagnostic['prefix']): void {
    const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = { cls, message };
    if (span) d.span = span;
    if (prefix) d.prefix = prefix;
    this.list.push(d);
  }

  error(message: string, span?: Span): void {
    this.report(ConfigErrorClass.GeneralError, message, span);
  }

  warning(message: string, span?: Span): void {
    this.report(ConfigErrorClass.Warning, message, span);
  }

  get exitCode(): number {
    return configTestExitCode(this.list);
  }
}
