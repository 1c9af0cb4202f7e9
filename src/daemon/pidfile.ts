/**
 * Pidfiles as keepalived keeps them: "PID\n", created when the daemon starts, removed on exit.
 * A pidfile held by a live process means "daemon is already running" (keepalived then exits 0);
 * a stale one (dead pid, garbage) is replaced. Creation is exclusive (link(2) of a fully written file) so two daemons
 * starting at once cannot both win.
 */
import { linkSync, readFileSync, unlinkSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const DEFAULT_PIDFILES = {
  main: '/run/keepalived.pid',
  vrrp: '/run/keepalived_vrrp.pid',
  checkers: '/run/keepalived_checkers.pid',
  bfd: '/run/keepalived_bfd.pid',
} as const;

/** The filesystem and process table as the pidfile logic needs them (faked in tests). */
export interface PidfileHost {
  /** Creates `path` with `text` only if it does not exist; false when it exists. */
  createExclusive(path: string, text: string): boolean;
  read(path: string): string | undefined;
  remove(path: string): void;
  /** kill(pid, 0) succeeds (or fails with EPERM). */
  isAlive(pid: number): boolean;
}

export class PidfileError extends Error {
  constructor(
    readonly code: 'PIDFILE_RUNNING' | 'PIDFILE_IO',
    message: string,
    readonly path: string,
    /** errno name of the underlying failure (EACCES, EROFS ...), when there was one. */
    readonly errno?: string,
  ) {
    super(message);
    this.name = 'PidfileError';
  }
}

export function parsePid(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*([0-9]+)\s*$/.exec(text);
  if (!m) return undefined;
  const pid = Number(m[1]);
  return pid > 0 && Number.isSafeInteger(pid) ? pid : undefined;
}

const MAX_ATTEMPTS = 3;

/**
 * Writes `pid` into `path`. Throws PidfileError PIDFILE_RUNNING when another live process holds
 * it, PIDFILE_IO when it cannot be written.
 */
export function acquirePidfile(host: PidfileHost, path: string, pid: number): void {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let created: boolean;
    try {
      created = host.createExclusive(path, `${pid}\n`);
    } catch (e) {
      throw new PidfileError('PIDFILE_IO', `Unable to create pidfile ${path}: ${(e as Error).message}`, path, (e as NodeJS.ErrnoException).code);
    }
    if (created) return;
    const holder = parsePid(host.read(path));
    if (holder === pid) return;
    if (holder !== undefined && host.isAlive(holder)) {
      throw new PidfileError('PIDFILE_RUNNING', 'daemon is already running', path);
    }
    try {
      host.remove(path);
    } catch {
      // someone else removed it first: retry the exclusive create
    }
  }
  throw new PidfileError('PIDFILE_IO', `Unable to take over pidfile ${path}`, path);
}

/** Removes `path` only if it still names `pid` (never another daemon's pidfile). */
export function releasePidfile(host: PidfileHost, path: string, pid: number): void {
  if (parsePid(host.read(path)) !== pid) return;
  try {
    host.remove(path);
  } catch {
    // already gone
  }
}

export const nodePidfileHost: PidfileHost = {
  createExclusive(path, text) {
    mkdirSync(dirname(path), { recursive: true });
    // write a private file, then link(2) it into place: the pidfile appears atomically with its
    // content, so a concurrent starter never reads an empty file and mistakes it for stale.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o644 });
    try {
      linkSync(tmp, path);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    } finally {
      unlinkSync(tmp);
    }
  },
  read(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  remove(path) {
    unlinkSync(path);
  },
  isAlive(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
};
