/**
 * Leak detection after teardown: is any namespace of a lab still listed, still held by a process,
 * thread or open file descriptor (by inode: the namespace object itself, not just its name), is
 * any process the lab spawned still alive, or did a lab veth end up in the root namespace?
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { listNamespaces } from './registry.js';
import { isAlive, run } from './run.js';

export interface LeakSubject {
  readonly prefix: string;
  namespaceInodes(): ReadonlyMap<string, number>;
}

export interface LeakReport {
  /** Names still in `ip netns list`. */
  readonly namespaces: string[];
  /** "pid/tid: net:[inode]" or "pid fd N: net:[inode]" holding one of the lab's namespaces. */
  readonly holders: string[];
  /** PIDs (given by the caller) still alive. */
  readonly processes: number[];
  /** Root-namespace links that look like ours (vhN veth ends). */
  readonly rootLinks: string[];
}

export function isClean(report: LeakReport): boolean {
  return report.namespaces.length + report.holders.length + report.processes.length + report.rootLinks.length === 0;
}

export async function findLeaks(subject: LeakSubject, pids: readonly number[] = []): Promise<LeakReport> {
  const names = await listNamespaces();
  const inodes = new Set([...subject.namespaceInodes().values()].map((i) => `net:[${i}]`));
  return {
    namespaces: names.filter((n) => n.startsWith(`${subject.prefix}-`)),
    holders: scanHolders(inodes),
    processes: pids.filter(isAlive),
    rootLinks: await rootVethLinks(),
  };
}

/** Every thread's net namespace and every open fd, compared with the lab's namespace inodes. */
function scanHolders(inodes: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (const pid of listNumeric('/proc')) {
    for (const tid of listNumeric(`/proc/${pid}/task`)) {
      const ns = readlinkQuiet(`/proc/${pid}/task/${tid}/ns/net`);
      if (ns !== undefined && inodes.has(ns)) found.push(`${pid}/${tid}: ${ns}`);
    }
    for (const fd of listNumeric(`/proc/${pid}/fd`)) {
      const target = readlinkQuiet(`/proc/${pid}/fd/${fd}`);
      if (target !== undefined && inodes.has(target)) found.push(`${pid} fd ${fd}: ${target}`);
    }
  }
  return found;
}

async function rootVethLinks(): Promise<string[]> {
  const r = await run('ip', ['-o', 'link', 'show', 'type', 'veth']);
  return r.stdout
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined && /^vh\d+$/.test(n));
}

function listNumeric(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
}

function readlinkQuiet(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}
