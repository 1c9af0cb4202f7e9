/**
 * How a configuration domain (global, vrrp, checker/lvs, bfd) plugs into the pipeline.
 *
 * The pipeline is: preprocess (src/config/preprocess) -> structure (keyword tables, keepalived's
 * block rules) -> each domain's `validate` in keepalived's pass order (global, checker, vrrp, bfd)
 * -> the typed model. A domain owns the top-level keywords of its pass and produces its part of
 * the model. Domains are pure: everything about the machine comes from `ctx.env`.
 */
import type { ConfigNode } from './ast.js';
import type { ConfigErrorClass, DiagnosticSink, Span } from './diagnostics.js';
import type { ConfigEnvironment } from './environment.js';
import type { KeywordTable, Pass } from './schema.js';

export interface ValidationContext {
  readonly env: ConfigEnvironment;
  readonly diagnostics: DiagnosticSink;
  /** The config id (-i, default: short host name) used for @id lines and ${_INSTANCE}. */
  readonly configId: string;
  /** The model parts produced by the domains that ran before this one (global runs first). */
  readonly model: Partial<ConfigModel>;
  /** LoadOptions.running: the daemon's read, not -t. */
  readonly running?: boolean;
  /**
   * Report a diagnostic. `span` is always given (the node the message is about); `prefix: 'none'`
   * when keepalived prints the message without a location (post-parse checks such as
   * "(VI_1) No VIP specified"); 'inline' for a message without a location printed in reading order.
   */
  report(cls: ConfigErrorClass, message: string, span: Span, prefix?: 'line' | 'file' | 'none' | 'inline'): void;
}

export interface ConfigDomain<K extends keyof ConfigModel = keyof ConfigModel> {
  readonly name: K;
  readonly pass: Pass;
  /** Top-level keywords this domain owns (and their nested tables). */
  readonly keywords: KeywordTable;
  /** Validate this domain's top-level nodes (in file order) and build its part of the model. */
  validate(nodes: readonly ConfigNode[], ctx: ValidationContext): ConfigModel[K];
}

/**
 * The typed, validated model. Each domain module declares its part by augmenting this interface
 * from its own file, e.g. in src/config/model/vrrp.ts:
 *
 *   declare module '../domain.js' { interface ConfigModel { vrrp: VrrpModel } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface ConfigModel {}

export interface LoadOptions {
  /** -i/--config-id; default: host name up to the first '.'. */
  readonly configId?: string;
  /** -e/--all-config: a missing config file is an error. */
  readonly allConfig?: boolean;
  /**
   * The running daemon reads the config (not -t): keepalived is lenient there with some numbers
   * (see readUnsignedRunning).
   */
  readonly running?: boolean;
}

export interface LoadResult {
  readonly model: Partial<ConfigModel>;
  readonly diagnostics: DiagnosticSink;
  /** Every file read, as named. */
  readonly files: readonly string[];
}

/** The pipeline's entry point (implemented in src/config/pipeline.ts). */
export type LoadConfig = (path: string, env: ConfigEnvironment, options?: LoadOptions) => LoadResult;
