/**
 * The preprocessor: keepalived.conf text -> logical lines (ConfigLine[]) with spans.
 * See reader.ts for the line rules and includes.ts / variables.ts / sequences.ts for the details.
 */
import type { ConfigLine } from '../ast.js';
import type { ConfigEnvironment } from '../environment.js';
import { Reader, type ReaderEvent } from './reader.js';

export type { ReaderEvent } from './reader.js';
export { braceExpand } from './includes.js';
export { splitLine, stripComment } from './tokenize.js';

export interface PreprocessResult {
  readonly lines: readonly ConfigLine[];
  readonly events: readonly ReaderEvent[];
  /** Every file read, as named (the -f path first). Empty when the main file could not be read. */
  readonly files: readonly string[];
  readonly mainFileMissing: boolean;
  /** Set when keepalived would stop after its first pass, with this exit status. */
  readonly stopAfterFirstPass?: number;
}

/** The default config id: the host name up to its first '.'. */
export function defaultConfigId(env: ConfigEnvironment): string {
  const host = env.hostname();
  const dot = host.indexOf('.');
  return dot < 0 ? host : host.slice(0, dot);
}

export function preprocess(file: string, env: ConfigEnvironment, configId: string): PreprocessResult {
  const reader = new Reader(env, { configId });
  const ok = reader.readFile(file, file);
  const base = { lines: reader.lines, events: reader.events, files: reader.files, mainFileMissing: !ok };
  return reader.stopAfterFirstPass === undefined ? base : { ...base, stopAfterFirstPass: reader.stopAfterFirstPass };
}
