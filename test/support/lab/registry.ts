/**
 * Registry of live lab resources and the process hooks that tear them down when a test process
 * ends in any way: normal exit, uncaught exception (both reach 'exit'), SIGINT, SIGTERM, SIGHUP.
 * Hooks run synchronously (spawnSync), the only thing possible in an 'exit' listener.
 * `cleanupStale` removes what a killed run (SIGKILL: no hook runs) of this prefix family left.
 */
import { LAB_FAMILY, parseNamespaceName, parseNetnsList } from './names.js';
import { isAlive, run, runSyncQuiet, safeKill } from './run.js';

/** Something the registry can tear down synchronously at process exit. */
export interface Teardownable {
  readonly prefix: string;
  destroySync(): void;
}

const live = new Set<Teardownable>();
let hooksInstalled = false;

export function register(item: Teardownable): void {
  installHooks();
  live.add(item);
}

export function unregister(item: Teardownable): void {
  live.delete(item);
}

export function liveCount(): number {
  return live.size;
}

function teardownAllSync(): void {
  for (const item of [...live]) {
    try {
      item.destroySync();
    } catch {
      // best effort: keep tearing down the others
    }
    live.delete(item);
  }
}

function onSignal(signal: NodeJS.Signals): void {
  teardownAllSync();
  // Restore the default action and re-raise, so the exit status still says "killed by signal".
  process.removeListener(signal, onSignal);
  process.kill(process.pid, signal);
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', teardownAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
}

/** SIGKILL every process inside a namespace, then delete it. Synchronous, best effort. */
export function deleteNamespaceSync(name: string): void {
  for (const pid of parsePids(runSyncQuiet('ip', ['netns', 'pids', name]))) safeKill(pid, 'SIGKILL');
  runSyncQuiet('ip', ['netns', 'del', name]);
}

/** Async version of deleteNamespaceSync. */
export async function deleteNamespace(name: string): Promise<void> {
  const pids = await run('ip', ['netns', 'pids', name]);
  for (const pid of parsePids(pids.stdout)) safeKill(pid, 'SIGKILL');
  await run('ip', ['netns', 'del', name]);
}

export function parsePids(output: string): number[] {
  return output
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

export async function listNamespaces(): Promise<string[]> {
  const r = await run('ip', ['netns', 'list']);
  return r.exitCode === 0 ? parseNetnsList(r.stdout) : [];
}

/** Namespaces of the family whose owner process is gone (never those of a live run, never others). */
export async function findStale(family: string = LAB_FAMILY): Promise<string[]> {
  if (!family.startsWith(LAB_FAMILY)) return [];
  const names = await listNamespaces();
  return names.filter((name) => {
    if (!name.startsWith(family)) return false;
    const parsed = parseNamespaceName(name);
    return parsed !== undefined && parsed.ownerPid !== process.pid && !isAlive(parsed.ownerPid);
  });
}

/** Removes leftovers of killed runs of this prefix family (processes inside, then namespaces). */
export async function cleanupStale(family: string = LAB_FAMILY): Promise<string[]> {
  const stale = await findStale(family);
  for (const name of stale) await deleteNamespace(name);
  return stale;
}
