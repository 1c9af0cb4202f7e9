/**
 * Which subsystems a configuration needs, decided at startup before the daemon loads the config in
 * its worker: a look for top-level keywords in the preprocessed lines (includes and conditionals
 * expanded; the domains are not run).
 */
import type { ConfigEnvironment } from '../config/environment.js';
import { defaultConfigId, preprocess } from '../config/preprocess/index.js';
import { LinuxConfigEnvironment } from '../os/linux/config-environment.js';

export interface ConfigProbeOptions {
  readonly configFile: string;
  readonly allConfig: boolean;
  readonly configId?: string;
}

/** Whether any line of the configuration starts with `keyword` (or one of `keyword`). */
export function configHasTopLevel(keyword: string | readonly string[], options: ConfigProbeOptions, env: ConfigEnvironment = new LinuxConfigEnvironment()): boolean {
  const wanted = new Set(typeof keyword === 'string' ? [keyword] : keyword);
  const pre = preprocess(options.configFile, env, options.configId ?? defaultConfigId(env), options.allConfig);
  return pre.lines.some((line) => line.tokens[0] !== undefined && wanted.has(line.tokens[0]));
}
