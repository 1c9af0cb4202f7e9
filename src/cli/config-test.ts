/**
 * `-t/--config-test[=FILE]`: run the config pipeline against the real machine, print every
 * diagnostic as keepalived does (on stderr, or appended to FILE), exit with keepalived's config
 * test code (0 nothing reported, 4 cannot run, 5 errors, 6 script security). A missing main
 * file prints "Config files missing 'PATH'." and exits 0, or 4 with -e (as keepalived 2.2.7).
 * `--json` prints {file, exitCode, diagnostics, model} on stdout; `-d` dumps the model.
 */
import { appendFileSync } from 'node:fs';
import { ConfigErrorClass, formatDiagnostic, severityOf, shownByConfigTest, type Diagnostic } from '../config/diagnostics.js';
import type { ConfigEnvironment } from '../config/environment.js';
import type { LoadConfig, LoadOptions, LoadResult } from '../config/domain.js';
import { modelReplacer } from '../daemon/config-loader.js';

/**
 * Optional extras the pipeline (src/config/pipeline.ts) returns beyond the LoadResult contract:
 * keepalived's immediate exit status (2 after "is missing a parameter", 6 after a failed include
 * check) and lines it prints that are not config errors.
 */
export interface PipelineExtras {
  readonly abortExitCode?: number;
  readonly notes?: readonly string[];
}

export interface ConfigTestRequest {
  readonly configFile: string;
  readonly allConfig: boolean;
  readonly configId?: string;
  /** -t=FILE: diagnostics are appended to FILE instead of stderr. */
  readonly logFile?: string;
  readonly json: boolean;
  readonly dumpConf: boolean;
}

export interface ConfigTestOutput {
  stdout(text: string): void;
  stderr(text: string): void;
  appendFile(path: string, text: string): void;
}

export const processOutput: ConfigTestOutput = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  appendFile: (p, t) => appendFileSync(p, t),
};

export function missingConfigMessage(path: string): string {
  return `Config files missing '${path}'.`;
}

function jsonDiagnostic(d: Diagnostic): Record<string, unknown> {
  return {
    class: ConfigErrorClass[d.cls],
    severity: severityOf(d.cls),
    ...(d.span ? { file: d.span.file, line: d.span.line } : {}),
    message: d.message,
    text: formatDiagnostic(d),
  };
}

export function configTestJson(file: string, exitCode: number, result: LoadResult | undefined, extra: readonly Diagnostic[]): string {
  const diagnostics = [...extra, ...(result?.diagnostics.list ?? [])].filter(shownByConfigTest).map(jsonDiagnostic);
  const body = { file, exitCode, files: result?.files ?? [], diagnostics, model: result?.model ?? null };
  return `${JSON.stringify(body, modelReplacer, 2)}\n`;
}

function emitLines(req: ConfigTestRequest, out: ConfigTestOutput, lines: readonly string[]): void {
  if (lines.length === 0) return;
  const text = lines.map((l) => `${l}\n`).join('');
  if (req.logFile !== undefined) out.appendFile(req.logFile, text);
  else out.stderr(text);
}

/** keepalived: "Unable to open config-test log file F 2 - No such file or directory", exit 1. */
function canOpenLog(path: string, out: ConfigTestOutput): boolean {
  try {
    out.appendFile(path, '');
    return true;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const errno = typeof err.errno === 'number' ? Math.abs(err.errno) : 0;
    out.stderr(`Unable to open config-test log file ${path} ${errno} - ${describeErrno(err.code)}\n`);
    return false;
  }
}

function describeErrno(code: string | undefined): string {
  const texts: Record<string, string> = {
    ENOENT: 'No such file or directory',
    EACCES: 'Permission denied',
    EISDIR: 'Is a directory',
    EROFS: 'Read-only file system',
    ENOTDIR: 'Not a directory',
  };
  return (code !== undefined ? texts[code] : undefined) ?? code ?? 'unknown error';
}

/** Runs the config test; returns the process exit code. The pipeline is fetched only when needed. */
export async function runConfigTest(req: ConfigTestRequest, env: ConfigEnvironment, getLoader: () => Promise<LoadConfig>, out: ConfigTestOutput): Promise<number> {
  if (req.logFile !== undefined && !canOpenLog(req.logFile, out)) return 1;
  if (env.glob(req.configFile).length === 0) {
    const code = req.allConfig ? 4 : 0;
    const missing: Diagnostic = { cls: ConfigErrorClass.FileNotFound, message: missingConfigMessage(req.configFile) };
    emitLines(req, out, [missing.message]);
    if (req.json) out.stdout(configTestJson(req.configFile, code, undefined, [missing]));
    return code;
  }
  const options: { -readonly [K in keyof LoadOptions]: LoadOptions[K] } = { allConfig: req.allConfig };
  if (req.configId !== undefined) options.configId = req.configId;
  const load = await getLoader();
  const result: PipelineExtras & LoadResult = load(req.configFile, env, options);
  const code = result.abortExitCode ?? result.diagnostics.exitCode;
  emitLines(req, out, [...(result.notes ?? []), ...result.diagnostics.list.filter(shownByConfigTest).map(formatDiagnostic)]);
  if (req.json) out.stdout(configTestJson(req.configFile, code, result, []));
  else if (req.dumpConf) out.stdout(`${JSON.stringify(result.model, modelReplacer, 2)}\n`);
  return code;
}
