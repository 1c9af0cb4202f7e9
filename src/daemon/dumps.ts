/**
 * SIGUSR1 / SIGUSR2 dump files, named as keepalived's: keepalived.data (DATA) and
 * keepalived.stats (STATS) in the tmp dir ($TMPDIR when absolute and a directory, else /tmp).
 * Each registered subsystem contributes its text; a header names the process and time.
 */
import { writeFile, rename } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ctimeText } from './clock.js';
import type { DumpKind, Subsystem } from './subsystem.js';

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
