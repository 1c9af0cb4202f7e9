/**
 * What the daemon runs: the VRRP engine, the checker engine (and later BFD) implement Subsystem
 * and are registered before start. The daemon owns the lifecycle; a subsystem owns its sockets,
 * timers and kernel state. SIGUSR1/SIGUSR2 dumps collect every subsystem's text.
 */
import { writeFile, rename } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ConfigModel } from '../config/domain.js';
import { ctimeText } from './runtime.js';

export type ConfigSnapshot = Partial<ConfigModel>;

/** SIGUSR1 writes 'data' (keepalived.data), SIGUSR2 writes 'stats' (keepalived.stats). */
export type DumpKind = 'data' | 'stats';

export interface Subsystem {
  /** Short name for logs ("vrrp", "checker"). */
  readonly name: string;
  /** Starts with the first validated configuration. */
  start(model: ConfigSnapshot): Promise<void>;
  /** Applies a new validated configuration (SIGHUP); only called with one that loaded cleanly. */
  reload(model: ConfigSnapshot): Promise<void>;
  /** Graceful stop; must resolve before `deadlineMs` (milliseconds from now) or be abandoned. */
  shutdown(deadlineMs: number): Promise<void>;
  /** Text for the SIGUSR1/SIGUSR2 dump files; undefined when it has nothing of that kind. */
  dump?(kind: DumpKind): string | undefined;
}

/** Ordered registry: started in registration order, stopped in reverse. */
export class SubsystemRegistry {
  private readonly items: Subsystem[] = [];

  register(subsystem: Subsystem): void {
    if (this.items.some((s) => s.name === subsystem.name)) {
      throw new DuplicateSubsystemError(subsystem.name);
    }
    this.items.push(subsystem);
  }

  list(): readonly Subsystem[] {
    return this.items;
  }

  get size(): number {
    return this.items.length;
  }
}

export class DuplicateSubsystemError extends Error {
  readonly code = 'DUPLICATE_SUBSYSTEM';
  constructor(name: string) {
    super(`subsystem '${name}' registered twice`);
    this.name = 'DuplicateSubsystemError';
  }
}

// ---- SIGUSR1 / SIGUSR2 dump files, named as keepalived's: keepalived.data (DATA) and
// keepalived.stats (STATS) in the tmp dir ($TMPDIR when absolute and a directory, else /tmp).

export const DUMP_FILE_NAMES: Readonly<Record<DumpKind, string>> = {
  data: 'keepalived.data',
  stats: 'keepalived.stats',
};

export function resolveTmpDir(tmpdirEnv: string | undefined, isDirectory: (p: string) => boolean): string {
  if (tmpdirEnv !== undefined && isAbsolute(tmpdirEnv) && isDirectory(tmpdirEnv)) return tmpdirEnv;
  return '/tmp';
}

export function systemTmpDir(): string {
  return resolveTmpDir(process.env['TMPDIR'], (p) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  });
}

export function dumpPath(tmpDir: string, kind: DumpKind): string {
  return join(tmpDir, DUMP_FILE_NAMES[kind]);
}

/** The text of one dump file. */
export function renderDump(kind: DumpKind, subsystems: readonly Subsystem[], pid: number, epochMs: number): string {
  const title = kind === 'data' ? 'Data' : 'Statistics';
  const parts = [`------< keepalived-ts ${title} (pid ${pid}) ${ctimeText(epochMs)} >------`];
  let any = false;
  for (const s of subsystems) {
    const text = s.dump?.(kind);
    if (text === undefined) continue;
    any = true;
    parts.push(`------< ${s.name} >------`, text.replace(/\n$/, ''));
  }
  if (!any) parts.push('(no subsystem is running)');
  return `${parts.join('\n')}\n`;
}

export interface DumpWriter {
  write(path: string, text: string): Promise<void>;
}

/** Writes to PATH.tmp then renames, so readers never see half a file. */
export const atomicDumpWriter: DumpWriter = {
  async write(path, text) {
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, path);
  },
};
