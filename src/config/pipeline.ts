/**
 * The config pipeline (LoadConfig of src/config/domain.ts): preprocess -> structure (per pass) ->
 * each domain's validate in keepalived's pass order -> LoadResult.
 *
 * keepalived -t reads the configuration once per pass (global, checker, vrrp, bfd); each pass
 * prints the structural problems it meets and the messages of the keywords it owns. We replay
 * that: the structure pass runs once per pass and the domain messages are merged in by line.
 * Never throws: an unexpected exception of a domain becomes a diagnostic.
 */
import type { ConfigAst, ConfigLine, ConfigNode } from './ast.js';
import { ConfigErrorClass, DiagnosticSink, type Diagnostic, type Span } from './diagnostics.js';
import type { ConfigModel, LoadOptions, LoadResult, ValidationContext } from './domain.js';
import { buildRegistry, defaultDomains, PASS_ORDER, type DomainEntry, type DomainRegistry } from './domains.js';
import type { ConfigEnvironment } from './environment.js';
import { defaultConfigId, preprocess, type PreprocessResult } from './preprocess/index.js';
import type { Pass } from './schema.js';
import { structurePass, type PositionedDiagnostic } from './structure.js';

export interface PipelineResult extends LoadResult {
  /**
   * keepalived stops at once with this exit status: 2 after "*** Configuration line starting ...
   * is missing a parameter", 6 after a failed include check (includeb/includew/includea).
   */
  readonly abortExitCode?: number;
  /** Lines keepalived prints that do not count as config errors (e.g. "Config files missing"). */
  readonly notes: readonly string[];
  /** The config id used for @id lines. */
  readonly configId: string;
  /** The AST: the top-level nodes each pass parsed, in file order (absent when nothing was read). */
  readonly ast?: ConfigAst;
}

/** Messages of this form make keepalived exit(2) at once. */
export const MISSING_PARAMETER_PREFIX = '*** Configuration line starting';

export function loadConfig(path: string, env: ConfigEnvironment, options?: LoadOptions): PipelineResult {
  return loadConfigWith(defaultDomains(), path, env, options);
}

export function loadConfigWith(
  domains: readonly DomainEntry[],
  path: string,
  env: ConfigEnvironment,
  options?: LoadOptions,
): PipelineResult {
  const sink = new DiagnosticSink();
  let configId = options?.configId ?? '';
  try {
    if (configId === '') configId = defaultConfigId(env);
    return run(buildRegistry(domains), path, env, configId, options, sink);
  } catch (e) {
    sink.report(ConfigErrorClass.GeneralError, `internal error while reading the configuration: ${String(e)}`, { file: path, line: 0 }, 'none');
    return { model: {}, diagnostics: sink, files: [], notes: [], configId };
  }
}

function run(
  registry: DomainRegistry,
  path: string,
  env: ConfigEnvironment,
  configId: string,
  options: LoadOptions | undefined,
  sink: DiagnosticSink,
): PipelineResult {
  const info = env.stat(path);
  if (info?.isDirectory) {
    return { model: {}, diagnostics: sink, files: [], notes: [`Configuration file '${path.endsWith('/') ? path : `${path}/`}' is a directory - skipping`], configId };
  }
  const pre = preprocess(path, env, configId, options?.allConfig ?? false);
  if (pre.mainFileMissing) {
    const message = `Config files missing '${path}'.`;
    if (options?.allConfig) sink.report(ConfigErrorClass.FileNotFound, message, { file: path, line: 0 }, 'none');
    return { model: {}, diagnostics: sink, files: [], notes: options?.allConfig ? [] : [message], configId };
  }
  const model: Partial<ConfigModel> = {};
  const state = new PassRunner(registry, pre, path, env, configId, model, sink, options?.running === true);
  for (const pass of PASS_ORDER) {
    if (pass !== 'global' && pre.stopAfterFirstPass !== undefined) {
      return { model, diagnostics: sink, files: pre.files, notes: [], configId, ast: state.ast(pre.files), abortExitCode: pre.stopAfterFirstPass };
    }
    if (state.runPass(pass)) {
      return { model, diagnostics: sink, files: pre.files, notes: [], configId, ast: state.ast(pre.files), abortExitCode: 2 };
    }
  }
  return { model, diagnostics: sink, files: pre.files, notes: [], configId, ast: state.ast(pre.files) };
}

class PassRunner {
  /** file -> line -> index of its first logical line; built on first use. */
  private lineIndex: Map<string, Map<number, number>> | undefined;
  /** The lines of the pass being run (the first pass and the later ones may differ). */
  private lineSource: readonly ConfigLine[] | undefined;
  private spanIndex: Map<Span, number> | undefined;

  constructor(
    private readonly registry: DomainRegistry,
    private readonly pre: PreprocessResult,
    private readonly mainFile: string,
    private readonly env: ConfigEnvironment,
    private readonly configId: string,
    private readonly model: Partial<ConfigModel>,
    private readonly sink: DiagnosticSink,
    private readonly running = false,
  ) {}

  /** Every pass's top-level nodes with their line index, for the AST. */
  private readonly parsed: Array<{ node: ConfigNode; at: number }> = [];

  ast(files: readonly string[]): ConfigAst {
    const nodes = [...this.parsed].sort((a, b) => a.at - b.at).map((p) => p.node);
    return { nodes, files };
  }

  /** Runs one pass; returns true when keepalived would abort (missing parameter). */
  runPass(pass: Pass): boolean {
    const firstPass = pass === 'global';
    const source = firstPass ? this.pre : this.pre.later;
    if (this.lineSource !== source.lines) {
      this.lineSource = source.lines;
      this.lineIndex = undefined;
    }
    const structure = structurePass(
      { lines: source.lines, events: source.events, mainFile: this.mainFile },
      {
        topLevel: this.registry.topLevel,
        isActive: (kw) => this.registry.passesOf.get(kw)?.has(pass) ?? false,
        firstPass,
        skipsBlock: (kw, args) => this.skipsBlock(pass, kw, args),
      },
    );
    if (firstPass || source.lines === this.pre.lines) {
      for (const node of structure.nodes) this.parsed.push({ node, at: structure.positions.get(node) ?? 0 });
    } else {
      // Later passes read the cleaned copy: order their nodes after the first pass's by position.
      for (const node of structure.nodes) this.parsed.push({ node, at: (structure.positions.get(node) ?? 0) + 0.5 });
    }
    const positioned: PositionedDiagnostic[] = [...structure.diagnostics];
    const late: Diagnostic[] = [];
    for (const domain of this.registry.domains) {
      if (domain.pass !== pass || !domain.validate) continue;
      const nodes = structure.nodes.filter((n) => Object.hasOwn(domain.keywords, n.keyword));
      this.validate(domain, nodes, firstPass, positioned, late);
    }
    const ordered = orderDiagnostics(positioned, late);
    for (const d of ordered) {
      this.sink.list.push(d);
      if (d.message.startsWith(MISSING_PARAMETER_PREFIX)) return true;
    }
    return false;
  }

  private validate(
    domain: DomainEntry,
    nodes: readonly ConfigNode[],
    firstPass: boolean,
    positioned: PositionedDiagnostic[],
    late: Diagnostic[],
  ): void {
    const ctx: ValidationContext = {
      env: this.env,
      diagnostics: this.sink,
      configId: this.configId,
      model: this.model,
      ...(this.running ? { running: true } : {}),
      report: (cls, message, span, prefix) => {
        const d: Diagnostic = { cls, message, span, prefix: prefix ?? this.prefixFor(span, firstPass) };
        if (prefix === 'none') late.push(d);
        else positioned.push({ at: this.positionOf(span), diagnostic: d });
      },
    };
    try {
      const part = domain.validate?.(nodes, ctx);
      (this.model as Record<string, unknown>)[domain.name] = part;
    } catch (e) {
      const span = nodes[0]?.span ?? { file: this.mainFile, line: 0 };
      late.push({ cls: ConfigErrorClass.GeneralError, message: `internal error in the ${domain.name} configuration: ${String(e)}`, span, prefix: 'none' });
    }
  }

  private skipsBlock(pass: Pass, keyword: string, args: readonly string[]): boolean {
    for (const d of this.registry.domains) {
      if (d.pass !== pass || !d.skipsBlock || !Object.hasOwn(d.keywords, keyword)) continue;
      try {
        if (d.skipsBlock(keyword, args)) return true;
      } catch {
        return false;
      }
    }
    return false;
  }

  private prefixFor(span: Span, firstPass: boolean): 'line' | 'file' | 'none' {
    if (span.line === 0) return 'none';
    return firstPass && span.file === this.mainFile ? 'line' : 'file';
  }

  /**
   * The index of the logical line a domain message is about: exact when the span is one of the
   * AST's own span objects (node.span, node.endSpan), else the first line with that file and line.
   */
  private positionOf(span: Span): number {
    if (!this.lineIndex) {
      const bySpan = new Map<Span, number>();
      const index = new Map<string, Map<number, number>>();
      (this.lineSource ?? this.pre.lines).forEach((l, i) => {
        bySpan.set(l.span, i);
        let byLine = index.get(l.span.file);
        if (!byLine) index.set(l.span.file, (byLine = new Map()));
        if (!byLine.has(l.span.line)) byLine.set(l.span.line, i);
      });
      this.lineIndex = index;
      this.spanIndex = bySpan;
    }
    return this.spanIndex?.get(span) ?? this.lineIndex.get(span.file)?.get(span.line) ?? Number.MAX_SAFE_INTEGER - 1;
  }
}

/**
 * keepalived prints in reading order: sort by line position (stable, so structural messages of a
 * line precede the domain messages reported about it), then the post-parse messages.
 */
function orderDiagnostics(positioned: PositionedDiagnostic[], late: Diagnostic[]): Diagnostic[] {
  const indexed = positioned.map((p, i) => ({ p, i }));
  indexed.sort((a, b) => a.p.at - b.p.at || a.i - b.i);
  return [...indexed.map((x) => x.p.diagnostic), ...late];
}
