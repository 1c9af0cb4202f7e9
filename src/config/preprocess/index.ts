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
  /** What keepalived's later passes read (differs only when `\#`/`\!` were used). */
  readonly later: { readonly lines: readonly ConfigLine[]; readonly events: readonly ReaderEvent[] };
}

/** The default config id: the host name up to its first '.'. */
export function defaultConfigId(env: ConfigEnvironment): string {
  const host = env.hostname();
  const dot = host.indexOf('.');
  return dot < 0 ? host : host.slice(0, dot);
}

export function preprocess(file: string, env: ConfigEnvironment, configId: string, allConfig = false): PreprocessResult {
  const reader = new Reader(env, { configId, allConfig });
  const ok = reader.readFile(file, file);
  let later = { lines: reader.lines as readonly ConfigLine[], events: reader.events as readonly ReaderEvent[] };
  if (reader.sawEscapedComment) {
    const copy = new Reader(env, { configId, copyMode: true, allConfig });
    copy.readFile(file, file);
    later = { lines: copy.lines, events: copy.events };
  }
  const base = { lines: reader.lines, events: reader.events, files: reader.files, mainFileMissing: !ok, later };
  return reader.stopAfterFirstPass === undefined ? base : { ...base, stopAfterFirstPass: reader.stopAfterFirstPass };
}
