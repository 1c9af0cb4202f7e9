/**
 * Finds the config pipeline (src/config/pipeline.ts, `loadConfig`) at run time, so that the CLI
 * and the daemon depend only on the `LoadConfig` contract of src/config/domain.ts.
 */
import type { LoadConfig } from '../config/domain.js';

export class PipelineUnavailableError extends Error {
  readonly code = 'PIPELINE_UNAVAILABLE';
  constructor(cause: unknown) {
    super(`the configuration pipeline (src/config/pipeline.ts) is not available: ${String(cause)}`);
    this.name = 'PipelineUnavailableError';
  }
}

/** Resolved relative to this module, so it works from dist/src/cli and from a worker thread. */
const PIPELINE_SPECIFIER = '../config/pipeline.js';

let cached: LoadConfig | undefined;

export async function loadPipeline(): Promise<LoadConfig> {
  if (cached) return cached;
  let mod: { loadConfig?: unknown };
  try {
    mod = (await import(new URL(PIPELINE_SPECIFIER, import.meta.url).href)) as { loadConfig?: unknown };
  } catch (e) {
    throw new PipelineUnavailableError(e);
  }
  if (typeof mod.loadConfig !== 'function') throw new PipelineUnavailableError('no loadConfig export');
  cached = mod.loadConfig as LoadConfig;
  return cached;
}

/** JSON.stringify replacer for the model: Maps become objects, Sets arrays, bigints strings. */
export function modelReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof RegExp) return value.source;
  return value;
}
